/** A goal of the performance work and how a run measured against it. */
export interface Target {
  readonly name: string;
  /** The goal, as a person reads it: `≤ 100`, `≥ 0.8×`. */
  readonly goal: string;
  /** The figure measured, formatted; absent when the contender did not run. */
  readonly measured?: string | undefined;
  readonly status: 'met' | 'missed' | 'not run';
  /** What the figure is relative to, or why it did not run. */
  readonly note?: string | undefined;
}

/** A target whose figure is `value` (undefined: not run), met when `met(value)` holds. */
export function target(
  name: string,
  goal: string,
  value: number | undefined,
  met: (value: number) => boolean,
  format: (value: number) => string,
  note?: string,
): Target {
  if (value === undefined || Number.isNaN(value)) {
    return { name, goal, status: 'not run', note };
  }

  return { name, goal, measured: format(value), status: met(value) ? 'met' : 'missed', note };
}

/** The Markdown table of targets. */
export function renderTargets(targets: readonly Target[]): string[] {
  return [
    '| target | goal | measured | status | |',
    '|---|---:|---:|---|---|',
    ...targets.map(
      (t) => `| ${t.name} | ${t.goal} | ${t.measured ?? '–'} | ${t.status} | ${t.note ?? ''} |`,
    ),
  ];
}
