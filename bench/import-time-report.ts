import { formatMiB, formatMs } from './format.js';
import type { Machine } from './machine.js';
import { type LoadAverage, runLine } from './results.js';
import { median, quantile } from './stats.js';
import { renderTargets, type Target, target } from './targets.js';

/** One fresh process. */
export interface ImportRun {
  readonly variant: string;
  /** From before the first import to after the last, measured inside the process. */
  readonly importMs: number;
  /** From spawning the process to its exit, measured by the parent: Node's start-up included. */
  readonly processMs: number;
  readonly rssBytes: number;
}

/** Everything import-time.json holds of a run, before its summary. */
export interface ImportTimeReport {
  readonly benchmark: 'import-time';
  readonly date: string;
  readonly machine: Machine;
  readonly durationMs: number;
  readonly loadAverage: LoadAverage;
  readonly config: { readonly runs: number; readonly warmUp: number; readonly quick: boolean };
  /** When dist/ was built, and whether src/ changed after. */
  readonly build: { readonly builtAt: string; readonly stale: boolean };
  readonly variants: readonly { readonly id: string; readonly imports: readonly string[] }[];
  readonly runs: readonly ImportRun[];
}

/** The medians of one variant's runs. */
export interface VariantFigures {
  readonly variant: string;
  readonly importMs: { readonly median: number; readonly p25: number; readonly p75: number };
  readonly processMs: number;
  readonly rssBytes: number;
}

/** What the report concludes: medians, overheads, targets. */
export interface ImportTimeSummary {
  readonly figures: readonly VariantFigures[];
  /** strongroom's median over the SDK's, minus 1: 0.05 is 5% slower. */
  readonly importOverhead: number;
  readonly processOverhead: number;
  /** The same for strongroom/aws alone. */
  readonly awsOnlyImportOverhead: number;
  readonly targets: readonly Target[];
}

function figuresOf(report: ImportTimeReport, variant: string): VariantFigures {
  const runs = report.runs.filter((r) => r.variant === variant);
  const times = runs.map((r) => r.importMs);

  return {
    variant,
    importMs: { median: median(times), p25: quantile(times, 0.25), p75: quantile(times, 0.75) },
    processMs: median(runs.map((r) => r.processMs)),
    rssBytes: median(runs.map((r) => r.rssBytes)),
  };
}

/** Medians per variant and strongroom's overhead over the SDK clients, from a report. */
export function summarizeImportTime(report: ImportTimeReport): ImportTimeSummary {
  const figures = report.variants.map(({ id }) => figuresOf(report, id));
  const of = (variant: string) => figures.find((f) => f.variant === variant) as VariantFigures;
  const sdk = of('aws-sdk');
  const importOverhead = of('strongroom').importMs.median / sdk.importMs.median - 1;
  const processOverhead = of('strongroom').processMs / sdk.processMs - 1;
  const awsOnlyImportOverhead = of('strongroom-aws-only').importMs.median / sdk.importMs.median - 1;
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const under10 = (value: number) => value < 0.1;

  return {
    figures,
    importOverhead,
    processOverhead,
    awsOnlyImportOverhead,
    targets: [
      target(
        'strongroom + strongroom/aws: import time over the SDK clients',
        '< 10%',
        importOverhead,
        under10,
        percent,
      ),
      target(
        'strongroom + strongroom/aws: process time over the SDK clients',
        '< 10%',
        processOverhead,
        under10,
        percent,
        'Node start-up included',
      ),
      target(
        'strongroom/aws alone: import time over the SDK clients',
        '< 10%',
        awsOnlyImportOverhead,
        under10,
        percent,
        'the AWS path alone',
      ),
    ],
  };
}

/** The Markdown report: medians per variant, the overhead, and the target. */
export function renderImportTime(
  report: ImportTimeReport,
  summary = summarizeImportTime(report),
): string {
  const { runs, warmUp, quick } = report.config;
  const lines = [
    '# Import time: strongroom against the AWS SDK clients alone',
    '',
    runLine(report.date, report.machine, report.loadAverage, quick),
    '',
    `Each run is a fresh \`node\` process that imports the modules listed, in order, from this ` +
      `checkout (strongroom from dist/, built ${report.build.builtAt}` +
      `${report.build.stale ? ', OLDER than src/: rebuild for current figures' : ''}). ` +
      `${runs} runs of each, taking turns, after ${warmUp} discarded rounds; medians. Import ` +
      'time is measured inside the process, from before the first import to after the last; ' +
      'process time from spawn to exit, Node’s own start-up included.',
    '',
    ...report.variants.map((v) => `- \`${v.id}\`: ${v.imports.join(' + ')}`),
    '',
    '| variant | import ms (median) | p25 | p75 | process ms (median) | RSS after import |',
    '|---|---:|---:|---:|---:|---:|',
    ...summary.figures.map((f) => {
      const cells = [f.importMs.median, f.importMs.p25, f.importMs.p75, f.processMs].map(formatMs);
      return `| ${f.variant} | ${cells.join(' | ')} | ${formatMiB(f.rssBytes)} |`;
    }),
    '',
    '## Targets',
    '',
    ...renderTargets(summary.targets),
  ];

  return `${lines.join('\n')}\n`;
}
