import type { KeyProvider } from '../../src/keys/key-provider.js';
import type { StorageBackend } from '../../src/storage/storage-backend.js';
import type { SealMode } from '../../src/store/envelopes.js';
import type { EventHook, StoreEvent } from '../../src/store/events.js';
import { openStore, type SecretStore } from '../../src/store/store.js';
import { type CountingKeys, countKeyCalls } from '../support/counting-keys.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * A key provider and a storage backend, fresh for one test. The contract suite reaches them
 * only through the `KeyProvider` and `StorageBackend` interfaces.
 */
export interface ContractPair {
  readonly keys: KeyProvider;
  readonly storage: StorageBackend;
  /** How the store seals new versions; `envelope` when absent. */
  readonly mode?: SealMode;
  /** Per-tenant keys for new versions (envelope mode only); off when absent. */
  readonly tenantKeys?: boolean;
  /**
   * A provider over the same master key with one newer version, for the rewrap tests; the
   * tests that need it are skipped when a provider cannot rotate.
   */
  readonly rotate?: () => Promise<KeyProvider>;
  /** Closes the backend and removes whatever the pair created. */
  cleanup(): Promise<void>;
}

export type MakePair = () => Promise<ContractPair>;

/** Store options a test may set; keys, storage, mode and the clock come from the fixture. */
export interface StoreTweaks {
  readonly maxVersions?: number;
  readonly recoveryWindowDays?: number;
  /** Replaces the recording hook. */
  readonly onEvent?: EventHook;
}

/** One test's store and what it observes. */
export interface Harness {
  readonly store: SecretStore;
  readonly pair: ContractPair;
  readonly storage: StorageBackend;
  readonly mode: SealMode;
  /** True when the store writes the per-tenant key layer. */
  readonly tenantKeys: boolean;
  readonly clock: FakeClock;
  /** Every event the store reported. */
  readonly events: StoreEvent[];
  /** Every key provider method the store called, by name. */
  readonly keyCalls: string[];
  /** Another store over the same storage and clock, for example with rotated keys. */
  another(options?: { keys?: KeyProvider; mode?: SealMode }): SecretStore;
}

/** Opens a fresh pair per test and cleans every one up after it. */
export class ContractFixture {
  readonly #makePair: MakePair;
  #open: ContractPair[] = [];

  constructor(makePair: MakePair) {
    this.#makePair = makePair;
  }

  async open(tweaks: StoreTweaks = {}): Promise<Harness> {
    const pair = await this.#makePair();
    this.#open.push(pair);
    const counting: CountingKeys = countKeyCalls(pair.keys);
    const clock = new FakeClock();
    const events: StoreEvent[] = [];
    const mode = pair.mode ?? 'envelope';
    const tenantKeys = pair.tenantKeys ?? false;

    const store = openStore({
      ...tweaks,
      keys: counting.keys,
      storage: pair.storage,
      mode,
      tenantKeys,
      now: clock.now,
      onEvent: tweaks.onEvent ?? ((event) => events.push(event)),
    });
    const another = (options: { keys?: KeyProvider; mode?: SealMode } = {}) =>
      openStore({
        keys: options.keys ?? pair.keys,
        storage: pair.storage,
        mode: options.mode ?? mode,
        tenantKeys: tenantKeys && (options.mode ?? mode) === 'envelope',
        now: clock.now,
      });

    return {
      store,
      pair,
      storage: pair.storage,
      mode,
      tenantKeys,
      clock,
      events,
      keyCalls: counting.calls,
      another,
    };
  }

  async cleanup(): Promise<void> {
    const pairs = this.#open;
    this.#open = [];
    await Promise.all(pairs.map((pair) => pair.cleanup()));
  }
}
