import { InvalidInputError } from '../errors.js';

/** What a month of use looks like: the input of `estimateMonthlyCost`. */
export interface Workload {
  /** Secrets stored, each with one current version. */
  readonly secrets: number;
  /** Reads of a current version (`get`) in a month. */
  readonly readsPerMonth: number;
  /** New versions written (`put`) in a month. */
  readonly writesPerMonth: number;
  /** The mean plaintext length of a value, in bytes. */
  readonly averageValueBytes: number;
  /** Tenants, for per-tenant keys; {@link WORKLOAD_DEFAULTS} when left out. */
  readonly tenants?: number | undefined;
  /** How long a cached tenant key lives, in minutes, for per-tenant keys. */
  readonly cachePeriodMinutes?: number | undefined;
  /** Keys the cache holds, for the key cache and per-tenant keys: the store's default. */
  readonly cacheEntries?: number | undefined;
  /**
   * KMS calls per read with a data key cache, from 0 (every read hits the cache) to 1 (none
   * does), if you have measured yours. Left out, the cache model gives it (cache-model.ts).
   */
  readonly kmsCallsPerRead?: number | undefined;
}

/** A workload with every optional figure filled in but `kmsCallsPerRead`, which may be modelled. */
export type ResolvedWorkload = {
  readonly [K in Exclude<keyof Workload, 'kmsCallsPerRead'>]-?: NonNullable<Workload[K]>;
} & { readonly kmsCallsPerRead?: number | undefined };

/**
 * The figures a workload may leave out: the store's key cache defaults (1,000 keys for 5
 * minutes) and 100 tenants, a starting point; pass your own.
 */
export const WORKLOAD_DEFAULTS = Object.freeze({
  tenants: 100,
  cachePeriodMinutes: 5,
  cacheEntries: 1000,
});

const COUNTS = ['secrets', 'readsPerMonth', 'writesPerMonth', 'averageValueBytes'] as const;

/**
 * Checks a workload and fills in its defaults. Throws `InvalidInputError` naming the field:
 * counts must be non-negative integers, tenants and the cache period positive integers, and
 * `kmsCallsPerRead` a number from 0 to 1.
 */
export function resolveWorkload(workload: Workload): ResolvedWorkload {
  if (typeof workload !== 'object' || workload === null) {
    throw new TypeError('workload must be an object');
  }

  for (const field of COUNTS) {
    checkInteger(field, workload[field], 0);
  }

  const tenants = workload.tenants ?? WORKLOAD_DEFAULTS.tenants;
  const cachePeriodMinutes = workload.cachePeriodMinutes ?? WORKLOAD_DEFAULTS.cachePeriodMinutes;
  const cacheEntries = workload.cacheEntries ?? WORKLOAD_DEFAULTS.cacheEntries;
  const kmsCallsPerRead = workload.kmsCallsPerRead;
  checkInteger('tenants', tenants, 1);
  checkInteger('cachePeriodMinutes', cachePeriodMinutes, 1);
  checkInteger('cacheEntries', cacheEntries, 1);
  const ratio = typeof kmsCallsPerRead === 'number' && kmsCallsPerRead >= 0 && kmsCallsPerRead <= 1;
  if (kmsCallsPerRead !== undefined && !ratio) {
    throw new InvalidInputError('workload.kmsCallsPerRead', 'must be a number from 0 to 1');
  }

  return {
    secrets: workload.secrets,
    readsPerMonth: workload.readsPerMonth,
    writesPerMonth: workload.writesPerMonth,
    averageValueBytes: workload.averageValueBytes,
    tenants,
    cachePeriodMinutes,
    cacheEntries,
    ...(kmsCallsPerRead === undefined ? {} : { kmsCallsPerRead }),
  };
}

function checkInteger(field: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const rule = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new InvalidInputError(`workload.${field}`, `must be ${rule}`);
  }
}
