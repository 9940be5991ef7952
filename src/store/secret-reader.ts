import { SecretExpiredError } from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type {
  CurrentRecords,
  SecretRecord,
  StorageBackend,
  VersionRecord,
} from '../storage/storage-backend.js';
import { openValue } from './envelopes.js';
import type { KeyCache } from './key-cache.js';
import { versionMetadata } from './metadata.js';
import { openLegacy } from './migrate.js';
import type { SecretRecords } from './records.js';
import { SecretValue } from './secret-value.js';
import type { GetManyOptions, GetOptions, SecretBatch, SecretVersion } from './types.js';
import type { ValueCache, VersionRequest } from './value-cache.js';

// How many secrets a getMany reads (without a batch read) or opens at a time: enough to hide
// round trips, few enough not to spend the KMS request quota in one burst.
const CONCURRENCY = 16;

const CURRENT_REQUEST: VersionRequest = {};

/** What a {@link SecretReader} reads and decrypts with. */
export interface ReaderParts {
  readonly keys: KeyProvider;
  readonly storage: StorageBackend;
  readonly records: SecretRecords;
  readonly now: () => number;
  readonly keyCache?: KeyCache | undefined;
  readonly valueCache?: ValueCache | undefined;
}

/**
 * The store's reads of values: `get` and `getMany`, through the value cache when there is one,
 * opening envelopes through the data key cache when there is one. Arguments come checked.
 */
export class SecretReader {
  readonly #parts: ReaderParts;

  constructor(parts: ReaderParts) {
    this.#parts = parts;
  }

  /** One version: `current`, or the version or label `options` names. */
  async get(tenant: string, name: string, options: GetOptions): Promise<SecretVersion> {
    const values = this.#parts.valueCache;
    const cached = options.fresh === true ? undefined : values?.get(tenant, name, options);
    if (cached !== undefined) {
      return cached;
    }

    const ticket = values?.ticket() ?? 0;
    const { secret, record } = await this.#parts.records.version(tenant, name, options);
    const version = await this.#open(tenant, name, secret, record);
    values?.set(ticket, options, version);

    return version;
  }

  /**
   * The current versions of `names` (distinct), in one batch read where the backend has one.
   * A name with nothing to read is missing rather than an error; a version that fails its
   * integrity check fails the whole call, and the values opened so far are wiped.
   */
  async getMany(
    tenant: string,
    names: readonly string[],
    options: GetManyOptions,
  ): Promise<SecretBatch> {
    const values = this.#parts.valueCache;
    const found = new Map<string, SecretVersion>();
    for (const name of options.fresh === true ? [] : names) {
      const cached = values?.get(tenant, name, CURRENT_REQUEST);
      if (cached !== undefined) {
        found.set(name, cached);
      }
    }

    const wanted = names.filter((name) => !found.has(name));
    const ticket = values?.ticket() ?? 0;
    const records = await this.#currentMany(tenant, wanted);
    const opened = await settleLimited(wanted, (name) =>
      this.#openCurrent(tenant, name, records.get(name)),
    );

    const read: SecretVersion[] = [];
    for (const result of opened) {
      if (result.status === 'fulfilled' && result.value !== undefined) {
        read.push(result.value);
      }
    }
    const failure = opened.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      for (const version of [...found.values(), ...read]) {
        version.value.wipe();
      }
      throw failure.reason;
    }

    // Only what was read now goes into the cache: a hit re-stored would outlive its maxAge.
    for (const version of read) {
      found.set(version.name, version);
      values?.set(ticket, CURRENT_REQUEST, version);
    }
    return {
      found: names.flatMap((name) => found.get(name) ?? []),
      missing: names.filter((name) => !found.has(name)),
    };
  }

  async #currentMany(tenant: string, names: readonly string[]) {
    const { storage } = this.#parts;
    if (names.length === 0) {
      return new Map<string, CurrentRecords>();
    }
    if (storage.getCurrentMany !== undefined) {
      return storage.getCurrentMany(tenant, names);
    }

    // A backend without a batch read: one getCurrent per name, a few at a time.
    const results = await settleLimited(names, (name) => storage.getCurrent(tenant, name));
    const records = new Map<string, CurrentRecords>();
    for (const [at, result] of results.entries()) {
      if (result.status === 'rejected') {
        throw result.reason;
      }
      if (result.value !== undefined) {
        records.set(names[at] as string, result.value);
      }
    }

    return records;
  }

  /**
   * A current version getMany can return, or undefined: a deleted secret (in its recovery
   * window or past it; getMany leaves purging to the next get or put), an expired version, or
   * a `current` whose version row is gone.
   */
  async #openCurrent(tenant: string, name: string, current: CurrentRecords | undefined) {
    const record = current?.version;
    if (current === undefined || record === undefined || current.secret.deletedAt !== undefined) {
      return undefined;
    }
    if (record.expiresAt !== undefined && record.expiresAt <= this.#parts.now()) {
      return undefined;
    }

    return this.#open(tenant, name, current.secret, record);
  }

  /** Decrypts one version after checking its expiry. */
  async #open(
    tenant: string,
    name: string,
    secret: SecretRecord,
    record: VersionRecord,
  ): Promise<SecretVersion> {
    const { keys, keyCache, now } = this.#parts;
    const expiresAt = record.expiresAt;
    if (expiresAt !== undefined && expiresAt <= now()) {
      throw new SecretExpiredError(tenant, name, record.version, new Date(expiresAt));
    }

    const context = secretContext(tenant, name, record.version);
    const plaintext = record.legacy
      ? await openLegacy(keys, record.envelope)
      : await openValue(keys, record.envelope, context, keyCache);

    return {
      ...versionMetadata(record, secret),
      size: plaintext.length,
      tenant,
      name,
      value: new SecretValue(plaintext),
    };
  }
}

/**
 * Runs `work` over `items`, {@link CONCURRENCY} at a time, and waits for every one to settle:
 * nothing is left running (or holding a value) when the caller sees a failure.
 */
async function settleLimited<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < items.length; at = next++) {
      try {
        results[at] = { status: 'fulfilled', value: await work(items[at] as T) };
      } catch (reason) {
        results[at] = { status: 'rejected', reason };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
