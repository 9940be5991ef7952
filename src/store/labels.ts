/** Follows the newest version unless moved; what a plain `get` reads. */
export const CURRENT = 'current';

/** Where `current` pointed before it last moved; what `rollback` returns to. */
export const PREVIOUS = 'previous';

type Labels = Readonly<Record<string, number>>;

/** A new version becomes `current`; the version `current` left becomes `previous`. */
export function labelsAfterPut(labels: Labels, version: number): Record<string, number> {
  return moveLabel(labels, CURRENT, version);
}

/** Points `label` at `version`. Moving `current` keeps where it was as `previous`. */
export function moveLabel(labels: Labels, label: string, version: number): Record<string, number> {
  const next = { ...labels, [label]: version };
  const old = labels[CURRENT];
  if (label === CURRENT && old !== undefined && old !== version) {
    next[PREVIOUS] = old;
  }

  return next;
}

/** The labels that point at `version`, in name order. */
export function labelsOf(labels: Labels, version: number): string[] {
  return Object.keys(labels)
    .filter((label) => labels[label] === version)
    .sort();
}

/**
 * Retention: the oldest versions to destroy so that at most `max` remain. Versions a label
 * points at are kept even past the limit, because a reader may still ask for them by label.
 */
export function versionsToDestroy(versions: readonly number[], labels: Labels, max: number) {
  const labelled = new Set(Object.values(labels));
  const destroy: number[] = [];
  let remaining = versions.length;

  for (const version of [...versions].sort((a, b) => a - b)) {
    if (remaining <= max) {
      break;
    }
    if (!labelled.has(version)) {
      destroy.push(version);
      remaining -= 1;
    }
  }

  return destroy;
}
