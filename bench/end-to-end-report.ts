import { formatCount, formatMs, formatRate, formatRatio } from './format.js';
import type { LoadSummary } from './load.js';
import type { Machine } from './machine.js';
import { type LoadAverage, runLine } from './results.js';
import { median, quantile } from './stats.js';
import { renderTargets, type Target, target } from './targets.js';

/** One timed slice: one contender, one operation, one number of callers, one round. */
export interface RoundFigures extends LoadSummary {
  readonly contender: string;
  readonly operation: 'put' | 'get';
  readonly concurrency: number;
  readonly round: number;
}

/** A tally of KMS calls over some operations. */
export interface Tally {
  readonly calls: number;
  readonly ops: number;
}

/** What one contender asked of KMS. */
export interface KmsFigures {
  readonly contender: string;
  /** Gets of the cold pass: a fresh client reading every secret the same number of times. */
  readonly coldGets: number;
  readonly coldCalls: number;
  readonly coldByOperation: Readonly<Record<string, number>>;
  readonly coldGetsPerSecond: number;
  /** Over the timed get rounds, after the cold pass. */
  readonly warm: Tally;
  /** Over the timed put rounds. */
  readonly puts: Tally;
}

/** Everything end-to-end.json holds of a run, before its summary. */
export interface EndToEndReport {
  readonly benchmark: 'end-to-end';
  readonly date: string;
  readonly machine: Machine;
  readonly durationMs: number;
  readonly loadAverage: LoadAverage;
  readonly config: {
    readonly tenants: number;
    readonly secretsPerTenant: number;
    readonly coldGets: number;
    readonly rounds: number;
    readonly sliceMs: number;
    readonly callers: readonly number[];
    readonly valueBytes: number;
    readonly quick: boolean;
  };
  readonly contenders: readonly {
    readonly id: string;
    readonly label: string;
    readonly skipped?: string | undefined;
  }[];
  readonly rounds: readonly RoundFigures[];
  readonly kms: readonly KmsFigures[];
}

/** The medians over rounds of one contender, operation and number of callers. */
export interface Cell {
  readonly contender: string;
  readonly operation: 'put' | 'get';
  readonly concurrency: number;
  readonly opsPerSecond: number;
  readonly opsPerSecondP25: number;
  readonly opsPerSecondP75: number;
  /** The median over rounds of each round's p50 and p99. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What the report concludes: medians, KMS calls, targets. */
export interface EndToEndSummary {
  readonly cells: readonly Cell[];
  /** KMS calls per 10,000 gets of the cold pass, by contender. */
  readonly kmsPer10kColdGets: Readonly<Record<string, number>>;
  readonly targets: readonly Target[];
}

const CACHED = ['envelope-key-cache', 'tenant-keys'] as const;

function cellsOf(report: EndToEndReport): Cell[] {
  const cells: Cell[] = [];
  for (const { id } of report.contenders) {
    for (const operation of ['get', 'put'] as const) {
      for (const concurrency of report.config.callers) {
        const rounds = report.rounds.filter(
          (r) => r.contender === id && r.operation === operation && r.concurrency === concurrency,
        );
        if (rounds.length === 0) {
          continue;
        }
        const rates = rounds.map((r) => r.opsPerSecond);
        cells.push({
          contender: id,
          operation,
          concurrency,
          opsPerSecond: median(rates),
          opsPerSecondP25: quantile(rates, 0.25),
          opsPerSecondP75: quantile(rates, 0.75),
          p50Ms: median(rounds.map((r) => r.p50Ms)),
          p99Ms: median(rounds.map((r) => r.p99Ms)),
        });
      }
    }
  }

  return cells;
}

function rate(cells: readonly Cell[], contender: string, operation: string, concurrency: number) {
  return cells.find(
    (c) => c.contender === contender && c.operation === operation && c.concurrency === concurrency,
  )?.opsPerSecond;
}

function targetsOf(report: EndToEndReport, cells: readonly Cell[], per10k: Record<string, number>) {
  const skipped = (id: string) => report.contenders.find((c) => c.id === id)?.skipped;
  const targets: Target[] = [
    target(
      'per-tenant keys: KMS calls per 10,000 gets',
      '≤ 100',
      per10k['tenant-keys'],
      (v) => v <= 100,
      formatCount,
      skipped('tenant-keys'),
    ),
    target(
      'key cache: KMS calls per 10,000 gets',
      '≤ 1,000',
      per10k['envelope-key-cache'],
      (v) => v <= 1000,
      formatCount,
    ),
  ];

  for (const id of CACHED) {
    for (const concurrency of report.config.callers) {
      const gets = rate(cells, id, 'get', concurrency);
      const bare = rate(cells, 'bare-getitem', 'get', concurrency);
      const peer = rate(cells, 'nodecredstash', 'get', concurrency);
      const ratio = (other: number | undefined) =>
        gets === undefined || other === undefined ? undefined : gets / other;
      const note = skipped(id);
      targets.push(
        target(
          `${id}: warm gets/s ×${concurrency} / bare GetItem`,
          '≥ 0.8×',
          ratio(bare),
          (v) => v >= 0.8,
          formatRatio,
          note,
        ),
        target(
          `${id}: warm gets/s ×${concurrency} / nodecredstash`,
          '≥ 2×',
          ratio(peer),
          (v) => v >= 2,
          formatRatio,
          note,
        ),
      );
    }
  }

  return targets;
}

/** Medians over rounds, KMS calls per 10,000 cold gets and the targets, from a report. */
export function summarizeEndToEnd(report: EndToEndReport): EndToEndSummary {
  const cells = cellsOf(report);
  const kmsPer10kColdGets = Object.fromEntries(
    report.kms.map((k) => [k.contender, (k.coldCalls * 10_000) / k.coldGets]),
  );

  return { cells, kmsPer10kColdGets, targets: targetsOf(report, cells, kmsPer10kColdGets) };
}

function perThousand({ calls, ops }: Tally): string {
  return ops === 0 ? '–' : formatCount((calls * 1000) / ops);
}

function operationTable(
  report: EndToEndReport,
  summary: EndToEndSummary,
  operation: 'get' | 'put',
): string[] {
  const callers = report.config.callers;
  const noun = `${operation}s`;
  const head = callers.map((c) => `${noun}/s ×${c} | p50 ms | p99 ms`).join(' | ');
  const kmsHead =
    operation === 'get'
      ? 'KMS calls per 1,000 gets: cold pass | warm rounds'
      : 'KMS calls per 1,000 puts';
  const kmsCells = (id: string) => {
    const kms = report.kms.find((k) => k.contender === id);
    if (kms === undefined) return operation === 'get' ? ['–', '–'] : ['–'];
    if (operation === 'put') return [perThousand(kms.puts)];
    return [perThousand({ calls: kms.coldCalls, ops: kms.coldGets }), perThousand(kms.warm)];
  };
  const columns = callers.length * 3 + (operation === 'get' ? 2 : 1);

  const lines = [`| contender | ${head} | ${kmsHead} |`, `|---|${'---:|'.repeat(columns)}`];
  for (const { id, skipped } of report.contenders) {
    if (skipped !== undefined) {
      lines.push(`| ${id} | ${skipped} |${' |'.repeat(columns - 1)}`);
      continue;
    }
    const cells = callers.flatMap((concurrency) => {
      const cell = summary.cells.find(
        (c) => c.contender === id && c.operation === operation && c.concurrency === concurrency,
      );
      return cell === undefined
        ? ['–', '–', '–']
        : [formatRate(cell.opsPerSecond), formatMs(cell.p50Ms), formatMs(cell.p99Ms)];
    });
    lines.push(`| ${id} | ${[...cells, ...kmsCells(id)].join(' | ')} |`);
  }

  return lines;
}

/** The Markdown report: gets and puts per contender, KMS calls, and the targets. */
export function renderEndToEnd(
  report: EndToEndReport,
  summary = summarizeEndToEnd(report),
): string {
  const { config } = report;
  const secrets = config.tenants * config.secretsPerTenant;
  const lines = [
    '# End to end: DynamoDB Local and the KMS test server',
    '',
    runLine(report.date, report.machine, report.loadAverage, config.quick),
    '',
    `${secrets.toLocaleString('en-US')} secrets (${config.tenants} tenants × ` +
      `${config.secretsPerTenant}), values of ${config.valueBytes} bytes, every contender on the ` +
      'same DynamoDB Local (in memory) and the same KMS test server (its own process, no added ' +
      'latency), one after another. Figures are medians over ' +
      `${config.rounds} interleaved rounds of ${config.sliceMs} ms per contender and number of ` +
      'callers (after one discarded warm-up round); p50 and p99 are the medians of each ' +
      "round's. Callers run closed loops: each starts its next call when its last one returns.",
    '',
    'Puts write a new version of the next secret. Then each contender opens a fresh client ' +
      `(empty caches) and reads ${config.coldGets.toLocaleString('en-US')} gets, every secret ` +
      'the same number of times in a shuffled order, checking every value: the cold pass, ' +
      'whose KMS calls are counted at the server. The warm get rounds follow on that client.',
    '',
    ...report.contenders.map((c) => `- \`${c.id}\`: ${c.label}`),
    '',
    '## Gets',
    '',
    ...operationTable(report, summary, 'get'),
    '',
    '## Puts',
    '',
    ...operationTable(report, summary, 'put'),
    '',
    '## Targets',
    '',
    ...renderTargets(summary.targets),
    '',
    'Every figure of every round is in end-to-end.json. Both servers run on the same two cores ' +
      'as the client, and neither adds network latency: against AWS, where a round trip takes ' +
      'milliseconds, the calls a contender saves count for more than they do here.',
  ];

  return `${lines.join('\n')}\n`;
}
