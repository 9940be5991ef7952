import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { type Machine, machineLine } from './machine.js';

/** bench/results/: every report lands here, beside the chart. */
export const RESULTS = new URL('./results/', import.meta.url);

/**
 * Writes `<name>.json` and `<name>.md` to bench/results/ and prints the Markdown on stdout, the
 * one place a run's figures go for a person (progress goes to stderr).
 */
export async function writeResults(name: string, json: unknown, markdown: string): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(new URL(`${name}.json`, RESULTS), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(new URL(`${name}.md`, RESULTS), markdown);
  process.stdout.write(`${markdown}\n`);
}

/** The 1-minute load average at the start and the end of a run. */
export interface LoadAverage {
  readonly start: number;
  readonly end: number;
}

/** The 1-minute load average now: above the core count, other work shared the machine. */
export function loadNow(): number {
  return loadavg()[0] ?? 0;
}

/** The line under a report's title: when, on what, how busy, and whether it was a quick run. */
export function runLine(date: string, machine: Machine, load: LoadAverage, quick: boolean): string {
  const busy = `load average ${load.start.toFixed(1)} → ${load.end.toFixed(1)}`;
  const mark = quick ? ' · QUICK RUN, not results' : '';
  return `${date} · ${machineLine(machine)} · ${busy}${mark}`;
}
