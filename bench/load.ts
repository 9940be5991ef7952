import { performance } from 'node:perf_hooks';
import { quantile } from './stats.js';

/** One operation of a load: `at` counts operations from 0 across all callers. */
export type Operation = (at: number) => Promise<void>;

/** What a load measured. */
export interface LoadResult {
  readonly ops: number;
  readonly elapsedMs: number;
  /** The latency of every operation, in milliseconds, in the order they finished. */
  readonly latenciesMs: readonly number[];
}

/** The figures a report keeps of one load. */
export interface LoadSummary {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** When a load stops: after a time, after a count of operations, or at the first of both. */
export interface LoadLimit {
  readonly concurrency: number;
  readonly durationMs?: number;
  readonly ops?: number;
}

/**
 * Runs `operation` from `concurrency` callers at once, each starting its next operation as
 * soon as its last one settles (a closed loop, as a service's request handlers do), until the
 * limit. The first failure stops every caller and is thrown once they have all settled, so a
 * broken contender fails the run instead of being measured.
 */
export async function runLoad(operation: Operation, limit: LoadLimit): Promise<LoadResult> {
  const {
    concurrency,
    durationMs = Number.POSITIVE_INFINITY,
    ops = Number.POSITIVE_INFINITY,
  } = limit;
  if (!Number.isFinite(durationMs) && !Number.isFinite(ops)) {
    throw new RangeError('a load needs durationMs or ops');
  }

  const latenciesMs: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  let next = 0;
  let failure: { error: unknown } | undefined;

  const caller = async () => {
    while (failure === undefined && next < ops && performance.now() < deadline) {
      const at = next;
      next += 1;
      const begun = performance.now();
      try {
        await operation(at);
      } catch (error) {
        failure ??= { error };
        return;
      }
      latenciesMs.push(performance.now() - begun);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsedMs = performance.now() - start;

  if (failure !== undefined) {
    throw failure.error;
  }

  return { ops: latenciesMs.length, elapsedMs, latenciesMs };
}

/** Throughput and latency quantiles of one load. */
export function summarizeLoad(result: LoadResult): LoadSummary {
  if (result.ops === 0) {
    throw new RangeError('a load completed no operation');
  }

  return {
    opsPerSecond: (result.ops * 1000) / result.elapsedMs,
    p50Ms: quantile(result.latenciesMs, 0.5),
    p99Ms: quantile(result.latenciesMs, 0.99),
  };
}
