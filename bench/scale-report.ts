import { formatCount, formatMiB, formatMs, formatRate } from './format.js';
import type { Machine } from './machine.js';
import { type LoadAverage, runLine } from './results.js';
import { HOT_MIX, type ScaleClientPhase } from './scale-protocol.js';
import { renderTargets, type Target, target } from './targets.js';

/** The client's phase figures with the KMS calls the server counted during it. */
export interface ScalePhase extends ScaleClientPhase {
  readonly kmsCalls: number;
  readonly kmsByOperation: Readonly<Record<string, number>>;
}

/** One contender's run of the scale benchmark. */
export interface ScaleResult {
  readonly contender: string;
  /** Why it did not run; undefined when it did. */
  readonly skipped?: string | undefined;
  readonly baselineRssBytes?: number;
  readonly peakRssBytes?: number;
  readonly phases: readonly ScalePhase[];
}

/** Everything scale.json holds of a run, before its summary. */
export interface ScaleReport {
  readonly benchmark: 'scale';
  readonly date: string;
  readonly machine: Machine;
  readonly durationMs: number;
  readonly loadAverage: LoadAverage;
  readonly config: {
    readonly tenants: number;
    readonly hotOps: number;
    readonly putConcurrency: number;
    readonly getConcurrency: number;
    readonly valueBytes: number;
    readonly quick: boolean;
  };
  readonly results: readonly ScaleResult[];
  /**
   * Resident memory of plain Node once it has imported strongroom/aws from dist/, without tsx:
   * what the client's figures would start from outside the harness. Absent without a build.
   */
  readonly plainNodeLoadedRssBytes?: number | undefined;
}

/** What the report concludes: the memory target, per contender. */
export interface ScaleSummary {
  readonly targets: readonly Target[];
}

/** The goal: a service holding 50,000 tenants' secrets fits a small Lambda or container. */
export const MEMORY_TARGET_BYTES = 256 * 1024 * 1024;

/** The memory target of every contender, from a report. */
export function summarizeScale(report: ScaleReport): ScaleSummary {
  return {
    targets: report.results.map((result) =>
      target(
        `${result.contender}: client peak RSS`,
        '< 256 MiB',
        result.peakRssBytes,
        (bytes) => bytes < MEMORY_TARGET_BYTES,
        formatMiB,
        result.skipped,
      ),
    ),
  };
}

const PHASE_LABELS: Record<string, string> = {
  put: 'put, one secret per tenant',
  'cold-read': 'cold read, fresh store, every value checked',
  'hot-mix': 'hot mix',
};

function resultTable(result: ScaleResult): string[] {
  if (result.skipped !== undefined) {
    return [`\`${result.contender}\`: ${result.skipped}.`];
  }

  const lines = [
    `\`${result.contender}\`: resident memory ${formatMiB(result.baselineRssBytes ?? 0)} once ` +
      `loaded, peak ${formatMiB(result.peakRssBytes ?? 0)}.`,
    '',
    '| phase | operations | ops/s | p50 ms | p99 ms | KMS calls | KMS calls per 1,000 ops | ' +
      'peak RSS so far |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const phase of result.phases) {
    const byOperation = Object.entries(phase.kmsByOperation)
      .map(([operation, count]) => `${operation} ${formatCount(count)}`)
      .join(', ');
    const cells = [
      PHASE_LABELS[phase.phase] ?? phase.phase,
      formatCount(phase.ops),
      formatRate(phase.opsPerSecond),
      formatMs(phase.p50Ms),
      formatMs(phase.p99Ms),
      `${formatCount(phase.kmsCalls)}${byOperation === '' ? '' : ` (${byOperation})`}`,
      formatCount((phase.kmsCalls * 1000) / phase.ops),
      formatMiB(phase.maxRssBytes),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }

  return lines;
}

function plainNodeNote(report: ScaleReport): string[] {
  const plain = report.plainNodeLoadedRssBytes;
  const loaded = report.results.find((r) => r.baselineRssBytes !== undefined)?.baselineRssBytes;
  if (plain === undefined || loaded === undefined) {
    return [];
  }

  return [
    '',
    `Plain Node importing strongroom/aws from dist/ holds ${formatMiB(plain)} once loaded, ` +
      `against ${formatMiB(loaded)} for the client under tsx: about ` +
      `${formatMiB(loaded - plain)} of every figure above is tsx's loader, which a service ` +
      'run from its build would not carry.',
  ];
}

/** The Markdown report: each contender's phases, its memory, and the memory target. */
export function renderScale(report: ScaleReport, summary = summarizeScale(report)): string {
  const { config } = report;
  const tenants = formatCount(config.tenants);
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const lines = [
    '# Scale: one secret for each of many tenants',
    '',
    runLine(report.date, report.machine, report.loadAverage, config.quick),
    '',
    `${tenants} tenants with one ${config.valueBytes}-byte secret each, on DynamoDB Local ` +
      'and the KMS test server. The client runs alone in a child process (under tsx), which ' +
      'reports its own peak resident memory (`process.resourceUsage().maxRSS`); the servers and ' +
      'the harness are other processes. ' +
      `Puts run from ${config.putConcurrency} callers; the cold read and the hot mix from ` +
      `${config.getConcurrency}. The cold read opens a new store (no data key cached) and reads ` +
      `every secret once. The hot mix then runs ${formatCount(config.hotOps)} operations on ` +
      `that store: ${percent(HOT_MIX.putShare)} puts, and gets of which ` +
      `${percent(HOT_MIX.hotShare)} go to the hottest ${percent(HOT_MIX.hotFraction)} of ` +
      'tenants (puts go there too) and the rest to any tenant.',
    '',
    ...report.results.flatMap((result) => [...resultTable(result), '']),
    '## Targets',
    '',
    ...renderTargets(summary.targets),
    '',
    'Resident memory once loaded counts Node, tsx, the two AWS SDK clients and strongroom before ' +
      'any store exists; the rest of the peak is the store at work, its SDK clients and their ' +
      'sockets, and the load loop (one latency figure per operation).',
    ...plainNodeNote(report),
  ];

  return `${lines.join('\n')}\n`;
}
