import { type Machine, machineLine } from './machine.js';

export interface SealOpenResult {
  readonly contender: string;
  readonly size: number;
  readonly opsPerSecond: {
    readonly median: number;
    readonly p25: number;
    readonly p75: number;
    readonly min: number;
    readonly max: number;
  };
  /** Round trips per second in each timed round, in the order they ran. */
  readonly rounds: readonly number[];
}

export interface SealOpenReport {
  readonly benchmark: 'seal-open';
  readonly date: string;
  readonly machine: Machine;
  readonly config: {
    readonly sizes: readonly number[];
    readonly rounds: number;
    readonly roundMs: number;
    readonly minOps: number;
  };
  readonly contenders: readonly { readonly id: string; readonly label: string }[];
  readonly results: readonly SealOpenResult[];
  /** Sealed length minus value length, by contender id, then value size. */
  readonly overheadBytes: Readonly<Record<string, Readonly<Record<number, number>>>>;
}

export interface SealOpenSummary {
  /** strongroom's median ops/s over another contender's, by size. */
  readonly ratios: readonly { size: number; toRaw: number; toEsdkCommitting: number }[];
  /** Plaintext megabytes (10^6 bytes) sealed and opened per second at 1 MiB, by contender. */
  readonly megabytesPerSecond1MiB: Readonly<Record<string, number>>;
}

const MIB = 1024 * 1024;

function medianOf(report: SealOpenReport, contender: string, size: number): number {
  const result = report.results.find((r) => r.contender === contender && r.size === size);
  if (result === undefined) {
    throw new RangeError(`no result for ${contender} at ${size} bytes`);
  }

  return result.opsPerSecond.median;
}

export function summarize(report: SealOpenReport): SealOpenSummary {
  const ratios = report.config.sizes.map((size) => ({
    size,
    toRaw: medianOf(report, 'strongroom', size) / medianOf(report, 'raw', size),
    toEsdkCommitting:
      medianOf(report, 'strongroom', size) / medianOf(report, 'esdk-committing', size),
  }));
  const megabytesPerSecond1MiB = Object.fromEntries(
    report.contenders.map(({ id }) => [id, (medianOf(report, id, MIB) * MIB) / 1e6]),
  );

  return { ratios, megabytesPerSecond1MiB };
}

function sizeLabel(size: number): string {
  if (size >= MIB) return `${size / MIB} MiB`;
  if (size >= 1024) return `${size / 1024} KiB`;
  return `${size} B`;
}

function ops(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** The Markdown report: ops/s medians with ratios, throughput at 1 MiB, overhead bytes. */
export function renderMarkdown(report: SealOpenReport, summary = summarize(report)): string {
  const ids = report.contenders.map((c) => c.id);
  const { rounds, roundMs } = report.config;
  const lines = [
    '# seal + open round trips, in process',
    '',
    `${report.date} · ${machineLine(report.machine)}`,
    '',
    `Median round trips per second over ${rounds} interleaved rounds of ${roundMs} ms per ` +
      'contender and size (after one discarded warm-up round). Ratios are strongroom’s median ' +
      'over the other’s: below 1 means strongroom is slower.',
    '',
    ...report.contenders.map((c) => `- \`${c.id}\`: ${c.label}`),
    '',
    'Quartiles and every round’s figure are in seal-open.json. The ESDK message carries the ' +
      'encryption context in its header; a strongroom envelope does not (the row supplies it), ' +
      'which is part of the difference in bytes added.',
    '',
    `| size | ${ids.join(' | ')} | strongroom / raw | strongroom / esdk-committing |`,
    `|---:|${ids.map(() => '---:|').join('')}---:|---:|`,
  ];
  for (const { size, toRaw, toEsdkCommitting } of summary.ratios) {
    const cells = ids.map((id) => ops(medianOf(report, id, size)));
    const ratios = [toRaw, toEsdkCommitting].map((ratio) => ratio.toFixed(2));
    lines.push(`| ${sizeLabel(size)} | ${[...cells, ...ratios].join(' | ')} |`);
  }

  lines.push('', 'Throughput at 1 MiB (plaintext MB/s, 1 MB = 10^6 bytes, seal and open):', '');
  lines.push(`| ${ids.join(' | ')} |`, `|${ids.map(() => '---:|').join('')}`);
  lines.push(
    `| ${ids.map((id) => (summary.megabytesPerSecond1MiB[id] ?? 0).toFixed(0)).join(' | ')} |`,
  );

  const overheadSizes = Object.keys(report.overheadBytes[ids[0] ?? ''] ?? {}).map(Number);
  lines.push('', 'Bytes added to a value (sealed length − value length):', '');
  lines.push(`| value | ${ids.join(' | ')} |`, `|---:|${ids.map(() => '---:|').join('')}`);
  for (const size of overheadSizes) {
    const cells = ids.map((id) => String(report.overheadBytes[id]?.[size] ?? ''));
    lines.push(`| ${sizeLabel(size)} | ${cells.join(' | ')} |`);
  }

  return `${lines.join('\n')}\n`;
}
