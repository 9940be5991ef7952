import { openStore, type SecretStore } from '../../src/store/store.js';
import type { StoreOptions } from '../../src/store/types.js';
import { countKeyCalls } from '../support/counting-keys.js';
import { countStorageCalls } from '../support/counting-storage.js';
import type { ContractFixture, Harness } from './fixture.js';

export type CacheOptions = Pick<StoreOptions, 'keyCache' | 'valueCache'>;

/** A harness whose store has `options`, and counts its storage calls as well as its key calls. */
export interface CachedHarness extends Harness {
  readonly storageCalls: string[];
  /** Another store over the same storage, clock and keys, with no value cache: another process. */
  readonly other: SecretStore;
  /** True when the store has the pair's rotated key provider (and `other` the original). */
  readonly rotated: boolean;
  /** Forgets the calls counted so far. */
  reset(): void;
}

/**
 * Opens a pair and a store over it with `options`, counting the store's storage and key
 * provider calls; with `rotated`, the store has the pair's rotated key provider when it can
 * rotate. The contract cases of the caches and of batch reads use it.
 */
export async function openCached(
  fixture: ContractFixture,
  options: CacheOptions,
  { rotated = false } = {},
): Promise<CachedHarness> {
  const harness = await fixture.open();
  const rotatedKeys = rotated ? await harness.pair.rotate?.() : undefined;
  const counting = countKeyCalls(rotatedKeys ?? harness.pair.keys);
  const storage = countStorageCalls(harness.storage);
  const store = openStore({
    ...options,
    keys: counting.keys,
    storage: storage.storage,
    mode: harness.mode,
    now: harness.clock.now,
  });

  return {
    ...harness,
    store,
    keyCalls: counting.calls,
    storageCalls: storage.calls,
    other: harness.another(),
    rotated: rotatedKeys !== undefined,
    reset() {
      counting.calls.length = 0;
      storage.calls.length = 0;
    },
  };
}

/** How many times `method` was called. */
export function count(calls: readonly string[], method: string): number {
  return calls.filter((call) => call === method).length;
}
