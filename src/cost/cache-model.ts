/**
 * How many KMS unwraps a key cache leaves in a month: the model behind the `key cache` and
 * `per-tenant keys` rows of `strongroom cost` (docs/COST.md, "The model").
 *
 * Reads are taken as arriving at random (a Poisson process), spread evenly over `keys` distinct
 * keys (data keys of versions, or tenant keys). Within one cache period a key costs one unwrap
 * if it is read at all: `1 - e^(-r)` unwraps for `r` reads of it per period. A cache smaller than
 * the number of keys keeps only `entries / keys` of them, so it loses that share of the hits.
 * The benchmark checks the model at its own point: 10,000 gets over 1,000 versions in one
 * period make 1,000 unwraps with the data key cache, and over 100 tenants 100 with tenant keys.
 */
export interface CacheTraffic {
  /** Reads (and, for tenant keys, writes) a month that need a key. */
  readonly uses: number;
  /** Distinct keys those uses spread over. */
  readonly keys: number;
  /** Cache periods in a month: a cached key is unwrapped again once per period. */
  readonly periods: number;
  /** The cache's capacity in keys. */
  readonly entries: number;
}

/** KMS unwraps a month, at most `uses`; per process (each process has a cache of its own). */
export function unwrapsPerMonth({ uses, keys, periods, entries }: CacheTraffic): number {
  if (uses === 0 || keys === 0) {
    return 0;
  }

  const slots = keys * periods;
  // -expm1(-x) is 1 - e^(-x) without the rounding loss of a small x.
  const unbounded = slots * -Math.expm1(-uses / slots);
  const hits = (uses - unbounded) * Math.min(1, entries / keys);

  return Math.min(uses, Math.ceil(uses - hits));
}
