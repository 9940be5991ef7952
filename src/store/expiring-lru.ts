import { InvalidInputError } from '../errors.js';

/** What an {@link ExpiringLru} is built from. */
export interface ExpiringLruOptions<V> {
  /** At most this many entries; the least recently used one goes first. */
  readonly maxEntries: number;
  /** No entry is served longer than this after it was stored. */
  readonly maxAgeMs: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  readonly now: () => number;
  /**
   * Called once for every value that leaves the cache, however it leaves (eviction, expiry,
   * deletion, `clear`): the place to wipe it.
   */
  readonly onRemove: (value: V, key: string) => void;
}

interface Slot<V> {
  readonly value: V;
  readonly expiresAt: number;
}

// setTimeout takes at most a signed 32-bit delay; a longer one fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A map bounded by entries and by age, in least-recently-used order, that hands every value it
 * drops to `onRemove`. The caches of data keys and of values build on it, so that key material
 * and plaintexts are wiped the moment they stop being served.
 *
 * Expired entries are dropped when they are next looked up, and by a sweep that runs when the
 * oldest entry is due, so a process that stops reading does not keep expired material around.
 * The sweep's timer is unref'd: it never keeps a process alive.
 */
export class ExpiringLru<V> {
  readonly #options: ExpiringLruOptions<V>;
  // A Map iterates in insertion order; re-inserting on every hit makes that recency order.
  readonly #slots = new Map<string, Slot<V>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ExpiringLruOptions<V>) {
    this.#options = options;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The value, now the most recently used; undefined when absent or expired. */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      return undefined;
    }

    this.#slots.delete(key);
    if (slot.expiresAt <= this.#options.now()) {
      this.#options.onRemove(slot.value, key);
      return undefined;
    }
    this.#slots.set(key, slot);

    return slot.value;
  }

  /**
   * Stores `value` as the most recently used entry, replacing (and removing) any under `key`.
   * It expires after `maxAgeMs`, or at `expiresAt` when that comes sooner.
   */
  set(key: string, value: V, expiresAt = Number.POSITIVE_INFINITY): void {
    this.delete(key);
    const limit = this.#options.now() + this.#options.maxAgeMs;
    this.#slots.set(key, { value, expiresAt: Math.min(expiresAt, limit) });

    for (const [oldest, slot] of this.#slots) {
      if (this.#slots.size <= this.#options.maxEntries) {
        break;
      }
      this.#slots.delete(oldest);
      this.#options.onRemove(slot.value, oldest);
    }

    this.#arm();
  }

  /** Removes one entry; true when there was one. */
  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      return false;
    }

    this.#slots.delete(key);
    this.#options.onRemove(slot.value, key);

    return true;
  }

  /** Removes every entry and stops the sweep. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;

    const slots = [...this.#slots];
    this.#slots.clear();
    for (const [key, slot] of slots) {
      this.#options.onRemove(slot.value, key);
    }
  }

  /** Drops every expired entry now. */
  sweep(): void {
    const now = this.#options.now();
    for (const [key, slot] of this.#slots) {
      if (slot.expiresAt <= now) {
        this.#slots.delete(key);
        this.#options.onRemove(slot.value, key);
      }
    }
  }

  /** Schedules a sweep for when the soonest entry expires, unless one is scheduled already. */
  #arm(): void {
    if (this.#timer !== undefined || this.#slots.size === 0) {
      return;
    }

    let soonest = Number.POSITIVE_INFINITY;
    for (const slot of this.#slots.values()) {
      soonest = Math.min(soonest, slot.expiresAt);
    }
    // At least 1 ms: after a sweep every entry left expires after now, so this never spins.
    const delay = Math.min(Math.max(soonest - this.#options.now(), 1), MAX_TIMER_MS);

    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.sweep();
      this.#arm();
    }, delay);
    this.#timer.unref();
  }
}

function checkCount(value: unknown, field: string): number {
  if (!(Number.isSafeInteger(value) && (value as number) >= 1)) {
    throw new InvalidInputError(field, 'must be an integer >= 1');
  }
  return value as number;
}

/** Checks a cache's `maxEntries` and `maxAgeMs` store options, filling in `defaults`. */
export function checkCacheBounds(
  options: { readonly maxEntries?: number | undefined; readonly maxAgeMs?: number | undefined },
  defaults: { readonly maxEntries: number; readonly maxAgeMs?: number },
  field: string,
): { maxEntries: number; maxAgeMs: number } {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError(field, 'must be an object');
  }

  return {
    maxEntries: checkCount(options.maxEntries ?? defaults.maxEntries, `${field}.maxEntries`),
    maxAgeMs: checkCount(options.maxAgeMs ?? defaults.maxAgeMs, `${field}.maxAgeMs`),
  };
}
