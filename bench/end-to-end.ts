import { performance } from 'node:perf_hooks';
import {
  type EndToEndContender,
  endToEndContenders,
  type Session,
} from './end-to-end-contenders.js';
import {
  type EndToEndReport,
  type KmsFigures,
  type RoundFigures,
  renderEndToEnd,
  summarizeEndToEnd,
} from './end-to-end-report.js';
import { countsSince, totalCalls } from './kms-counts.js';
import { runLoad, summarizeLoad } from './load.js';
import { type BenchServers, withServers } from './local-servers.js';
import { describeMachine } from './machine.js';
import { progress } from './progress.js';
import { loadNow, writeResults } from './results.js';
import { isQuick, seededRandom, shuffled, VALUE_BYTES, valuePool } from './workload.js';

const CONFIG = isQuick()
  ? { tenants: 10, secretsPerTenant: 10, coldGets: 1_000, rounds: 2, sliceMs: 300 }
  : { tenants: 100, secretsPerTenant: 10, coldGets: 10_000, rounds: 5, sliceMs: 1_000 };
const CALLERS = [1, 16] as const;
/** Seeding and the cold pass are set-up and counting, not timed figures: run them wide. */
const WIDE = 16;

interface Secret {
  readonly tenant: string;
  readonly name: string;
}

/** A contender while it runs: its open session and what it last wrote to each secret. */
interface Running {
  readonly contender: EndToEndContender;
  session: Session;
  readonly latest: string[];
  /** Where its next put or get starts in the order, so every slice goes on from the last. */
  cursor: number;
}

const secrets: readonly Secret[] = Array.from(
  { length: CONFIG.tenants * CONFIG.secretsPerTenant },
  (_, at) => ({
    tenant: `tenant-${String(Math.floor(at / CONFIG.secretsPerTenant)).padStart(5, '0')}`,
    name: `service-${at % CONFIG.secretsPerTenant}/api-key`,
  }),
);

function secretAt(at: number): Secret {
  return secrets[at % secrets.length] as Secret;
}

/** Every round, the contenders start from another one, so none always runs first. */
function rotation<T>(items: readonly T[], round: number): T[] {
  return items.map((_, turn) => items[(turn + round) % items.length] as T);
}

function checkRead(running: Running, at: number, read: string | undefined): void {
  const expected = running.latest[at % secrets.length];
  if (read !== undefined && read !== expected) {
    const { tenant, name } = secretAt(at);
    throw new Error(`${running.contender.id} read a wrong value for ${tenant}/${name}`);
  }
}

/** Writes every secret once and reads one back: a contender that cannot round-trip fails here. */
async function seed(running: Running, values: readonly string[]): Promise<void> {
  await runLoad(
    async (at) => {
      const value = values[at % values.length] as string;
      await running.session.put(secretAt(at).tenant, secretAt(at).name, value);
      running.latest[at] = value;
    },
    { concurrency: WIDE, ops: secrets.length },
  );

  checkRead(running, 0, await running.session.get(secretAt(0).tenant, secretAt(0).name));
}

/** KMS calls per operation since `before`, and their total. */
async function kmsSince(servers: BenchServers, before: Record<string, number>) {
  const byOperation = countsSince(before, await servers.kmsCounts());

  return { byOperation, calls: totalCalls(byOperation) };
}

/**
 * Timed slices of puts (each a new version of the next secret, so that no two callers write one
 * secret at once) or of gets (in the shared shuffled order), round by round. Round 0 warms up
 * and is discarded. KMS calls are counted over the timed slices.
 */
async function rounds(
  all: readonly Running[],
  operation: 'put' | 'get',
  servers: BenchServers,
  order: readonly number[],
  values: readonly string[],
) {
  const figures: RoundFigures[] = [];
  const kms = new Map(all.map((r) => [r.contender.id, { calls: 0, ops: 0 }]));

  for (let round = 0; round <= CONFIG.rounds; round += 1) {
    for (const concurrency of CALLERS) {
      for (const running of rotation(all, round)) {
        const { id } = running.contender;
        progress(
          `end-to-end ${operation}s: round ${round}/${CONFIG.rounds}, ×${concurrency}, ${id}`,
        );
        const before = await servers.kmsCounts();
        const result = await runLoad(
          async (step) => {
            const at = order[(running.cursor + step) % order.length] as number;
            const { tenant, name } = secretAt(at);
            if (operation === 'get') {
              await running.session.get(tenant, name);
              return;
            }
            const value = values[(running.cursor + step) % values.length] as string;
            await running.session.put(tenant, name, value);
            running.latest[at] = value;
          },
          { concurrency, durationMs: CONFIG.sliceMs },
        );
        running.cursor += result.ops;
        if (round === 0) {
          continue;
        }

        const tally = kms.get(id) as { calls: number; ops: number };
        tally.calls += (await kmsSince(servers, before)).calls;
        tally.ops += result.ops;
        figures.push({ contender: id, operation, concurrency, round, ...summarizeLoad(result) });
      }
    }
  }

  return { figures, kms };
}

/**
 * The KMS figure: a fresh client (empty caches) reads `order` (every secret the same number of
 * times, shuffled) and every value is checked. The session stays open, warm, for the get rounds.
 */
async function coldPass(
  running: Running,
  servers: BenchServers,
  order: readonly number[],
): Promise<Omit<KmsFigures, 'warm' | 'puts'>> {
  progress(`end-to-end: cold pass, ${running.contender.id}`);
  await running.session.close();
  running.session = await running.contender.open();

  const before = await servers.kmsCounts();
  const result = await runLoad(
    async (step) => {
      const at = order[step] as number;
      const { tenant, name } = secretAt(at);
      checkRead(running, at, await running.session.get(tenant, name));
    },
    { concurrency: WIDE, ops: order.length },
  );
  const { calls, byOperation } = await kmsSince(servers, before);

  return {
    contender: running.contender.id,
    coldGets: result.ops,
    coldCalls: calls,
    coldByOperation: byOperation,
    coldGetsPerSecond: summarizeLoad(result).opsPerSecond,
  };
}

/** Sets variables for the run and returns how to put them back. */
function setEnvironment(variables: Record<string, string>): () => void {
  const saved = Object.keys(variables).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, variables);

  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

async function measure(servers: BenchServers, contenders: readonly EndToEndContender[]) {
  const values = valuePool();
  const random = seededRandom(20261203);
  const readOrder = shuffled(
    Array.from({ length: CONFIG.coldGets }, (_, at) => at % secrets.length),
    random,
  );
  const writeOrder = secrets.map((_, at) => at);

  const all: Running[] = [];
  try {
    for (const contender of contenders) {
      progress(`end-to-end: setting up ${contender.id}`);
      await contender.setup();
      const running: Running = {
        contender,
        session: await contender.open(),
        latest: [],
        cursor: 0,
      };
      all.push(running);
      await seed(running, values);
    }

    const puts = await rounds(all, 'put', servers, writeOrder, values);
    const cold = [];
    for (const running of all) {
      cold.push(await coldPass(running, servers, readOrder));
      running.cursor = 0;
    }
    const gets = await rounds(all, 'get', servers, readOrder, values);
    progress('');

    const kms: KmsFigures[] = cold.map((figures) => ({
      ...figures,
      warm: gets.kms.get(figures.contender) as { calls: number; ops: number },
      puts: puts.kms.get(figures.contender) as { calls: number; ops: number },
    }));
    return { figures: [...puts.figures, ...gets.figures], kms };
  } finally {
    for (const running of all) {
      await running.session.close();
    }
  }
}

/**
 * Benchmark 2: strongroom's modes, nodecredstash and a bare GetItem, on one DynamoDB Local and
 * one KMS test server, at 1 and 16 concurrent callers. Puts, then a cold pass of gets that
 * counts KMS calls, then warm gets; each phase in interleaved rounds whose medians are reported.
 */
export async function runEndToEnd(): Promise<EndToEndReport> {
  const started = performance.now();
  const loadAtStart = loadNow();

  return withServers(async (servers) => {
    const contenders = endToEndContenders(servers);
    const measured = contenders.filter((contender) => contender.skipped === undefined);
    const restore = setEnvironment(
      Object.assign({}, ...measured.map((contender) => contender.environment ?? {})),
    );

    let results: Awaited<ReturnType<typeof measure>>;
    try {
      results = await measure(servers, measured);
    } finally {
      restore();
    }

    const report: EndToEndReport = {
      benchmark: 'end-to-end',
      date: new Date().toISOString(),
      machine: describeMachine(),
      durationMs: performance.now() - started,
      loadAverage: { start: loadAtStart, end: loadNow() },
      config: { ...CONFIG, callers: [...CALLERS], valueBytes: VALUE_BYTES, quick: isQuick() },
      contenders: contenders.map(({ id, label, skipped }) => ({ id, label, skipped })),
      rounds: results.figures,
      kms: results.kms,
    };
    const summary = summarizeEndToEnd(report);
    await writeResults('end-to-end', { ...report, ...summary }, renderEndToEnd(report, summary));

    return report;
  });
}
