import { InvalidInputError } from '../errors.js';
import { checkCacheBounds, ExpiringLru } from './expiring-lru.js';
import { SecretValue } from './secret-value.js';
import type { GetOptions, SecretVersion, ValueCacheOptions } from './types.js';

/** Entries the value cache holds unless told otherwise. */
export const VALUE_CACHE_MAX_ENTRIES = 1000;

/** What a read asked for: `current`, a version number or a label. */
export type VersionRequest = Pick<GetOptions, 'version' | 'label'>;

interface CachedVersion {
  /** The secret's key in the index, to drop the entry when the secret is written. */
  readonly secret: string;
  readonly version: VersionWithoutValue;
  readonly bytes: Uint8Array;
}

// Tenants and names never hold a space (validation.ts), so these keys cannot run together.
function secretKey(tenant: string, name: string): string {
  return `${tenant} ${name}`;
}

function requestKey(request: VersionRequest): string {
  if (request.version !== undefined) {
    return `version ${request.version}`;
  }
  return request.label === undefined ? 'current' : `label ${request.label}`;
}

type VersionWithoutValue = Omit<SecretVersion, 'value'>;

/** A copy of the metadata, whose dates, labels and key reference a caller could change. */
function copyMetadata(version: VersionWithoutValue): VersionWithoutValue {
  const expiresAt = version.expiresAt && new Date(version.expiresAt.getTime());

  return {
    ...version,
    labels: [...version.labels],
    createdAt: new Date(version.createdAt.getTime()),
    expiresAt,
    key: { ...version.key },
  };
}

/**
 * Decrypted versions, by tenant, name and what the read asked for (`current`, a version, a
 * label), each for at most `maxAgeMs` and never past the version's own `expiresAt`. Values are
 * held as copies, wiped when they leave, and handed out as fresh copies.
 *
 * Freshness: the store drops a secret's entries after every write to it (successful or not)
 * before the write returns. A read that started before a write and ends after it is not
 * stored, so no value older than the store's own last write is ever served. Writes by other
 * processes are seen once the entry expires.
 */
export class ValueCache {
  readonly #entries: ExpiringLru<CachedVersion>;
  readonly #bySecret = new Map<string, Set<string>>();
  // Counts invalidations. A read takes the count before it starts; any write in between keeps
  // its result out. Counting all secrets at once costs a few missed fills, never a stale hit.
  #writes = 0;

  constructor(options: ValueCacheOptions, now: () => number = Date.now) {
    if (options?.maxAgeMs === undefined) {
      throw new InvalidInputError('options.valueCache.maxAgeMs', 'is required, in milliseconds');
    }
    const bounds = checkCacheBounds(
      options,
      { maxEntries: VALUE_CACHE_MAX_ENTRIES },
      'options.valueCache',
    );

    this.#entries = new ExpiringLru({
      ...bounds,
      now,
      onRemove: (entry, key) => this.#forget(entry, key),
    });
  }

  /** How many versions the cache holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** Taken before a read of storage, and handed back to {@link set}. */
  ticket(): number {
    return this.#writes;
  }

  /** A copy of the cached version, or undefined. */
  get(tenant: string, name: string, request: VersionRequest): SecretVersion | undefined {
    const entry = this.#entries.get(`${secretKey(tenant, name)} ${requestKey(request)}`);
    if (entry === undefined) {
      return undefined;
    }

    // A fresh copy each time: a caller wiping its value must not wipe the cache's.
    return { ...copyMetadata(entry.version), value: new SecretValue(Uint8Array.from(entry.bytes)) };
  }

  /** Keeps a copy of `version`, unless a write happened since `ticket` was taken. */
  set(ticket: number, request: VersionRequest, version: SecretVersion): void {
    if (ticket !== this.#writes) {
      return;
    }

    const secret = secretKey(version.tenant, version.name);
    const key = `${secret} ${requestKey(request)}`;
    const { value, ...metadata } = version;
    const entry = { secret, version: copyMetadata(metadata), bytes: value.bytes() };

    this.#entries.set(key, entry, version.expiresAt?.getTime());
    const keys = this.#bySecret.get(secret) ?? new Set<string>();
    keys.add(key);
    this.#bySecret.set(secret, keys);
  }

  /** Drops every entry of one secret: after any write to it. */
  invalidate(tenant: string, name: string): void {
    this.#writes += 1;

    for (const key of [...(this.#bySecret.get(secretKey(tenant, name)) ?? [])]) {
      this.#entries.delete(key);
    }
  }

  /** Drops and wipes every entry. */
  clear(): void {
    this.#writes += 1;
    this.#entries.clear();
  }

  #forget(entry: CachedVersion, key: string): void {
    entry.bytes.fill(0);

    const keys = this.#bySecret.get(entry.secret);
    keys?.delete(key);
    if (keys?.size === 0) {
      this.#bySecret.delete(entry.secret);
    }
  }
}
