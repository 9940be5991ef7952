import { createHash } from 'node:crypto';
import { type EncryptionContext, encodeContext } from '../format/context.js';
import type { KeyReference } from '../format/envelope.js';
import { checkCacheBounds, ExpiringLru } from './expiring-lru.js';
import type { KeyCacheOptions } from './types.js';

/**
 * The defaults: 1,000 data keys (about 0.5 MB) for at most 5 minutes each. Five minutes
 * spares KMS all but one `Decrypt` per version per process in that time, and bounds how long a
 * revoked grant or a disabled key goes unnoticed by reads of versions already cached.
 */
export const KEY_CACHE_DEFAULTS = Object.freeze({ maxEntries: 1000, maxAgeMs: 5 * 60 * 1000 });

/** The key cache's bounds from the store's `keyCache` option; undefined when it is off. */
export function keyCacheBounds(
  options: KeyCacheOptions | false | undefined,
): { maxEntries: number; maxAgeMs: number } | undefined {
  return options === false
    ? undefined
    : checkCacheBounds(options ?? {}, KEY_CACHE_DEFAULTS, 'options.keyCache');
}

/** What a data key was wrapped as: the wrapped bytes are only valid with the other two. */
export interface WrappedDataKey {
  readonly wrapped: Uint8Array;
  readonly keyRef: KeyReference;
  readonly context: EncryptionContext;
}

const encoder = new TextEncoder();

/**
 * The cache's name for a wrapped data key: SHA-256 over the key reference, the canonical
 * encryption context and the wrapped bytes, each length-prefixed so that no two different
 * requests share an encoding. A blob moved to another row has another context, so it never
 * meets the key unwrapped for its old row, and goes to the provider, which refuses it.
 */
export function dataKeyId({ wrapped, keyRef, context }: WrappedDataKey): string {
  const version = Buffer.alloc(8);
  version.writeBigUInt64BE(BigInt(keyRef.keyVersion));
  const parts = [
    encoder.encode(keyRef.provider),
    encoder.encode(keyRef.keyId),
    version,
    encoder.encode(keyRef.layer),
    encodeContext(context),
    wrapped,
  ];

  const hash = createHash('sha256');
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }

  return hash.digest('base64');
}

/**
 * Unwrapped data keys of suite 0x01 envelopes, for reads only: a write always asks the provider
 * for a fresh data key. Keys are used inside a callback, on a copy wiped as soon as it returns,
 * so no caller keeps one; the cache's own copies are wiped when evicted, expired or cleared.
 *
 * A hit spares only the unwrap. The envelope is still read from storage, and its commitment and
 * tag are still checked on every read, so a cached key never lets a tampered envelope through.
 * Concurrent misses of one key share a single unwrap.
 *
 * @example
 * const cache = new KeyCache();
 * const plaintext = await cache.withDataKey(
 *   { wrapped: envelope.wrappedKey, keyRef: envelope.keyRef, context },
 *   () => keys.unwrapDataKey(envelope.wrappedKey, envelope.keyRef, context),
 *   (dataKey) => openEnvelope(envelope, dataKey, context),
 * );
 */
export class KeyCache {
  readonly #keys: ExpiringLru<Uint8Array>;
  readonly #flights = new Map<string, Promise<void>>();
  // Bumped by clear(): an unwrap that was in flight then must not refill the cache.
  #generation = 0;

  constructor(options: KeyCacheOptions = {}, now: () => number = Date.now) {
    const bounds = checkCacheBounds(options, KEY_CACHE_DEFAULTS, 'options.keyCache');
    this.#keys = new ExpiringLru({ ...bounds, now, onRemove: (key) => key.fill(0) });
  }

  /** How many data keys the cache holds. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Runs `use` with the data key of `request`: a copy of the cached key, or else the key
   * `unwrap` returns. `use` runs synchronously; the key it was given is wiped when it returns.
   */
  async withDataKey<T>(
    request: WrappedDataKey,
    unwrap: () => Promise<Uint8Array>,
    use: (dataKey: Uint8Array) => T,
  ): Promise<T> {
    const id = dataKeyId(request);

    const cached = this.#copy(id);
    if (cached !== undefined) {
      return useOnce(cached, use);
    }

    const flight = this.#flights.get(id);
    if (flight !== undefined) {
      await flight;
      const shared = this.#copy(id);
      if (shared !== undefined) {
        return useOnce(shared, use);
      }
    }

    return useOnce(await this.#unwrap(id, unwrap), use);
  }

  /**
   * Keeps a copy of a key the caller holds in clear because it just made it (a new tenant key),
   * as though `request` had been unwrapped to it: the first use spares the provider a call.
   */
  remember(request: WrappedDataKey, key: Uint8Array): void {
    this.#keys.set(dataKeyId(request), Uint8Array.from(key));
  }

  /** Wipes and drops every data key. */
  clear(): void {
    this.#generation += 1;
    this.#keys.clear();
  }

  #copy(id: string): Uint8Array | undefined {
    const key = this.#keys.get(id);
    return key && Uint8Array.from(key);
  }

  /**
   * Unwraps once for every caller waiting on `id`. The cache keeps the buffer `unwrap` returned
   * (the provider hands over one nobody else holds); the caller gets a copy.
   */
  async #unwrap(id: string, unwrap: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const generation = this.#generation;
    const unwrapped = unwrap().then((key) => {
      const copy = Uint8Array.from(key);
      if (generation === this.#generation) {
        this.#keys.set(id, key);
      } else {
        key.fill(0);
      }
      return copy;
    });

    // Waiters see the same failure; the no-op handler keeps a failure nobody waits for from
    // being reported as unhandled.
    const flight = unwrapped.then(() => undefined);
    flight.catch(() => {});
    this.#flights.set(id, flight);
    try {
      return await unwrapped;
    } finally {
      if (this.#flights.get(id) === flight) {
        this.#flights.delete(id);
      }
    }
  }
}

function useOnce<T>(dataKey: Uint8Array, use: (dataKey: Uint8Array) => T): T {
  try {
    return use(dataKey);
  } finally {
    dataKey.fill(0);
  }
}
