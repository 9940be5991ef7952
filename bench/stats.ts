/**
 * Order statistics for benchmark rounds. Quantiles interpolate linearly between the two nearest
 * ranks (the "R-7" definition, the default of R and NumPy), so the median of an even count is
 * the mean of the middle two.
 */
export function quantile(samples: readonly number[], p: number): number {
  if (samples.length === 0) {
    throw new RangeError('samples must not be empty');
  }
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError('p must be between 0 and 1');
  }

  const sorted = [...samples].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const below = sorted[low] as number;
  const above = sorted[high] as number;

  return below + (above - below) * (rank - low);
}

/** The middle of the samples: {@link quantile} at 0.5. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}
