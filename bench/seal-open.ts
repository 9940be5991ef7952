import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { secretContext } from '../src/format/context.js';
import { type Contender, esdk, rawAesGcm, strongroom } from './contenders.js';
import { describeMachine } from './machine.js';
import { renderMarkdown, type SealOpenReport, summarize } from './seal-open-report.js';
import { median, quantile } from './stats.js';

const SIZES = [64, 256, 4096, 64 * 1024, 1024 * 1024] as const;
const ROUNDS = 7;
/** Each round gives every contender this long at every size; a warm-up round is discarded. */
const ROUND_MS = 120;
/** At 1 MiB a slow contender still completes a few round trips per round. */
const MIN_OPS = 3;
const OVERHEAD_SIZES = [64, 4096] as const;
const RESULTS = new URL('./results/', import.meta.url);

const progress = process.stderr.isTTY
  ? (text: string) => process.stderr.write(`\r\x1b[2K${text}`)
  : () => undefined;

/** Seals and opens once, and fails the run unless the same bytes come back. */
async function check(contender: Contender, value: Uint8Array): Promise<number> {
  await contender.verify?.(value);

  const sealed = await contender.seal(value);
  const opened = await sealed.open();
  if (!Buffer.from(opened).equals(value)) {
    throw new Error(`${contender.id} did not round-trip ${value.length} bytes`);
  }

  return sealed.length - value.length;
}

/** Round trips per second over one time slice. */
async function measure(contender: Contender, value: Uint8Array): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS || ops < MIN_OPS) {
    const sealed = await contender.seal(value);
    await sealed.open();
    ops += 1;
    elapsed = performance.now() - start;
  }

  return (ops * 1000) / elapsed;
}

/**
 * Runs every contender at every size, round by round, so that drift in the machine (a noisy
 * neighbour, thermal limits) touches all contenders alike. The order of contenders rotates
 * each round, so none always runs first after a size change.
 */
export async function runSealOpen(): Promise<SealOpenReport> {
  const context = secretContext('tenant-bench', 'bench-secret', 1);
  const contenders = [
    strongroom(context),
    rawAesGcm(context),
    esdk(context, false),
    esdk(context, true),
  ];
  const values = new Map(SIZES.map((size) => [size, randomBytes(size)]));

  const overhead: Record<string, Record<number, number>> = {};
  for (const contender of contenders) {
    overhead[contender.id] = {};
    for (const [size, value] of values) {
      (overhead[contender.id] as Record<number, number>)[size] = await check(contender, value);
    }
  }

  const samples = new Map<string, number[]>();
  for (let round = 0; round <= ROUNDS; round += 1) {
    for (const [size, value] of values) {
      for (let turn = 0; turn < contenders.length; turn += 1) {
        const contender = contenders[(turn + round) % contenders.length] as Contender;
        progress(`seal-open: round ${round}/${ROUNDS} (0 = warm-up), ${size} B, ${contender.id}`);
        const opsPerSecond = await measure(contender, value);
        if (round === 0) {
          continue;
        }
        const key = `${contender.id}/${size}`;
        samples.set(key, [...(samples.get(key) ?? []), opsPerSecond]);
      }
    }
  }
  progress('');

  const results = contenders.flatMap((contender) =>
    SIZES.map((size) => {
      const rounds = samples.get(`${contender.id}/${size}`) ?? [];
      return {
        contender: contender.id,
        size,
        opsPerSecond: {
          median: median(rounds),
          p25: quantile(rounds, 0.25),
          p75: quantile(rounds, 0.75),
          min: Math.min(...rounds),
          max: Math.max(...rounds),
        },
        rounds,
      };
    }),
  );

  const report: SealOpenReport = {
    benchmark: 'seal-open',
    date: new Date().toISOString(),
    machine: describeMachine(),
    config: { sizes: [...SIZES], rounds: ROUNDS, roundMs: ROUND_MS, minOps: MIN_OPS },
    contenders: contenders.map(({ id, label }) => ({ id, label })),
    results,
    overheadBytes: Object.fromEntries(
      Object.entries(overhead).map(([id, bySize]) => [
        id,
        Object.fromEntries(OVERHEAD_SIZES.map((size) => [size, bySize[size] as number])),
      ]),
    ),
  };

  await mkdir(RESULTS, { recursive: true });
  const summary = summarize(report);
  const json = JSON.stringify({ ...report, ...summary }, null, 2);
  await writeFile(new URL('seal-open.json', RESULTS), `${json}\n`);
  const markdown = renderMarkdown(report, summary);
  await writeFile(new URL('seal-open.md', RESULTS), markdown);
  process.stdout.write(markdown);

  return report;
}
