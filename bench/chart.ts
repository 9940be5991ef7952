import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { barPanel, escapeXml, PANEL_WIDTH, type PanelSpec } from './bar-panel.js';
import type { EndToEndReport, EndToEndSummary } from './end-to-end-report.js';
import { formatCount, formatMiB, formatMs, formatRate, formatRatio } from './format.js';
import type { ImportTimeReport, ImportTimeSummary } from './import-time-report.js';
import { type Machine, machineLine } from './machine.js';
import { RESULTS } from './results.js';
import { MEMORY_TARGET_BYTES, type ScaleReport } from './scale-report.js';
import type { SealOpenReport, SealOpenSummary } from './seal-open-report.js';

const CHART = 'summary.svg';
const MARGIN = 24;
const LIGHT = '#9ecae1';
const DARK = '#2171b5';
const ACCENT = '#e6550d';

function load<T>(name: string): T | undefined {
  const url = new URL(name, RESULTS);
  return existsSync(url) ? (JSON.parse(readFileSync(url, 'utf8')) as T) : undefined;
}

function source(name: string, report: { date: string; config?: { quick?: boolean } }): string {
  const quick = report.config?.quick === true ? ' · QUICK RUN, not results' : '';
  return `${name}, ${report.date.slice(0, 16).replace('T', ' ')} UTC${quick}`;
}

/** Scale to the next 1, 2 or 5 times a power of ten above the largest value. */
function roundUp(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return ([1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= value) ?? value) as number;
}

function gets(report: EndToEndReport & EndToEndSummary): PanelSpec {
  const callers = report.config.callers;
  const rows = report.contenders
    .filter((c) => c.skipped === undefined)
    .map(({ id }) => ({
      label: id,
      bars: callers.flatMap((concurrency, series) => {
        const cell = report.cells.find(
          (c) => c.contender === id && c.operation === 'get' && c.concurrency === concurrency,
        );
        return cell === undefined
          ? []
          : [{ series, value: cell.opsPerSecond, label: `${formatRate(cell.opsPerSecond)}/s` }];
      }),
    }));
  const max = Math.max(...rows.flatMap((r) => r.bars.map((b) => b.value)));

  return {
    title: 'Warm gets per second, end to end (DynamoDB Local + KMS test server)',
    subtitle: `median of rounds · ${source('end-to-end.json', report)}`,
    series: callers.map((c, at) => ({
      name: `${c} caller${c === 1 ? '' : 's'}`,
      color: at === 0 ? LIGHT : DARK,
    })),
    rows,
    scale: 'linear',
    max: roundUp(max),
    tick: formatCount,
  };
}

function kmsCalls(report: EndToEndReport & EndToEndSummary): PanelSpec {
  const rows = Object.entries(report.kmsPer10kColdGets).map(([id, calls]) => ({
    label: id,
    bars: [{ series: 0, value: calls, label: formatCount(calls) }],
  }));

  return {
    title: 'KMS calls per 10,000 gets, cold client (log scale)',
    subtitle: `counted at the KMS server · ${source('end-to-end.json', report)}`,
    series: [{ name: 'KMS calls', color: ACCENT }],
    rows,
    scale: 'log',
    min: 1,
    max: 10_000,
    tick: formatCount,
  };
}

function sealOpen(report: SealOpenReport & SealOpenSummary): PanelSpec {
  const size = (bytes: number) =>
    bytes >= 1024 * 1024
      ? `${bytes / 1024 / 1024} MiB`
      : bytes >= 1024
        ? `${bytes / 1024} KiB`
        : `${bytes} B`;
  const rows = report.ratios.map((r) => ({
    label: `${size(r.size)} value`,
    bars: [
      { series: 0, value: r.toRaw, label: formatRatio(r.toRaw) },
      { series: 1, value: r.toEsdkCommitting, label: formatRatio(r.toEsdkCommitting) },
    ],
  }));

  return {
    title: 'seal + open in process: strongroom’s round trips per second relative to…',
    subtitle: `log scale, right of 1× is faster · seal-open.json, ${report.date.slice(0, 10)}`,
    series: [
      { name: 'raw AES-256-GCM (floor)', color: LIGHT },
      { name: 'AWS Encryption SDK, committing', color: DARK },
    ],
    rows,
    scale: 'log',
    min: 0.01,
    max: 100,
    reference: { value: 1, label: '1×' },
    tick: (value) => `${value}×`,
  };
}

function memory(report: ScaleReport): PanelSpec {
  const mib = (bytes: number | undefined) => (bytes ?? 0) / (1024 * 1024);
  const rows = report.results
    .filter((r) => r.peakRssBytes !== undefined)
    .map((r) => ({
      label: r.contender,
      bars: [
        { series: 0, value: mib(r.baselineRssBytes), label: formatMiB(r.baselineRssBytes ?? 0) },
        { series: 1, value: mib(r.peakRssBytes), label: formatMiB(r.peakRssBytes ?? 0) },
      ],
    }));
  const tenants = formatCount(report.config.tenants);

  return {
    title: `Client resident memory, ${tenants} tenants put, read cold, hot mix`,
    subtitle: `MiB, target < 256 MiB · ${source('scale.json', report)}`,
    series: [
      { name: 'once loaded (Node, tsx, SDK, strongroom)', color: LIGHT },
      { name: 'peak', color: DARK },
    ],
    rows,
    scale: 'linear',
    max: 300,
    reference: { value: mib(MEMORY_TARGET_BYTES), label: '256 MiB' },
    tick: formatCount,
  };
}

function importTime(report: ImportTimeReport & ImportTimeSummary): PanelSpec {
  const labels: Record<string, string> = {
    strongroom: 'strongroom + /aws',
    'aws-sdk': 'SDK clients alone',
    'strongroom-aws-only': 'strongroom/aws',
  };
  const rows = report.figures.map((f) => ({
    label: labels[f.variant] ?? f.variant,
    bars: [{ series: 0, value: f.importMs.median, label: `${formatMs(f.importMs.median)} ms` }],
  }));
  const max = Math.max(...report.figures.map((f) => f.importMs.median));

  return {
    title: 'Cold import time, fresh node process (median ms)',
    subtitle: `${source('import-time.json', report)}`,
    series: [{ name: 'import ms', color: DARK }],
    rows,
    scale: 'linear',
    max: roundUp(max),
    tick: formatCount,
  };
}

const STYLE = [
  'text { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }',
  '.heading { font-size: 18px; font-weight: 600; fill: #111; }',
  '.title { font-size: 14px; font-weight: 600; fill: #222; }',
  '.note, .tick, .ref-label { font-size: 11px; fill: #555; }',
  '.label { font-size: 12px; fill: #222; }',
  '.value { font-size: 11px; fill: #222; }',
  '.tick { text-anchor: middle; }',
  '.grid { stroke: #e5e5e5; stroke-width: 1; }',
  '.ref { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 4 3; }',
  '.ref-label { fill: #d62728; }',
].join('\n');

/**
 * Draws bench/results/summary.svg from whichever results bench/results/ holds: the headline
 * figures of every benchmark, each panel naming its source file and date, and the machine.
 */
export async function drawChart(): Promise<string | undefined> {
  const endToEnd = load<EndToEndReport & EndToEndSummary>('end-to-end.json');
  const seal = load<SealOpenReport & SealOpenSummary>('seal-open.json');
  const scale = load<ScaleReport>('scale.json');
  const imports = load<ImportTimeReport & ImportTimeSummary>('import-time.json');
  const panels: PanelSpec[] = [
    ...(endToEnd === undefined ? [] : [gets(endToEnd), kmsCalls(endToEnd)]),
    ...(seal === undefined ? [] : [sealOpen(seal)]),
    ...(scale === undefined || scale.results.every((r) => r.peakRssBytes === undefined)
      ? []
      : [memory(scale)]),
    ...(imports === undefined ? [] : [importTime(imports)]),
  ];
  if (panels.length === 0) {
    return undefined;
  }

  const machines = [endToEnd, seal, scale, imports].flatMap((r) => (r ? [r.machine] : []));
  const distinct = [...new Set(machines.map((m: Machine) => machineLine(m)))];
  const parts = [
    `<text x="${MARGIN}" y="${MARGIN + 14}" class="heading">strongroom benchmarks</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 32}" class="note">` +
      `${escapeXml(distinct.join(' | '))} · ` +
      'servers on the same machine as the client: read ratios, not absolutes</text>',
  ];
  let y = MARGIN + 52;
  for (const spec of panels) {
    const panel = barPanel(spec, MARGIN, y);
    parts.push(panel.svg);
    y += panel.height + 12;
  }

  const width = PANEL_WIDTH + 2 * MARGIN;
  const height = Math.ceil(y + MARGIN);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}">`,
    `<style>\n${STYLE}\n</style>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
  const url = new URL(CHART, RESULTS);
  await writeFile(url, `${svg}\n`);

  return url.pathname;
}
