import { InvalidInputError } from '../errors.js';
import { checkWindow } from './checks.js';
import type { SealMode } from './envelopes.js';
import { keyCacheBounds } from './key-cache.js';
import type { StoreOptions } from './types.js';

/** The store's options, checked, with their defaults filled in. */
export interface ResolvedOptions {
  readonly mode: SealMode;
  readonly maxVersions: number;
  readonly recoveryDays: number;
  /** Whether new versions' data keys go under tenant keys. */
  readonly tenantLayer: boolean;
  /** The key cache's bounds (data keys and tenant keys alike); undefined when it is off. */
  readonly cacheBounds: { maxEntries: number; maxAgeMs: number } | undefined;
}

/** Checks what `openStore` was given; a bad option is an InvalidInputError naming it. */
export function resolveStoreOptions(options: StoreOptions): ResolvedOptions {
  const mode = options.mode ?? 'envelope';
  if (mode !== 'envelope' && mode !== 'direct') {
    throw new InvalidInputError('options.mode', "must be 'envelope' or 'direct'");
  }

  const maxVersions = options.maxVersions ?? Number.POSITIVE_INFINITY;
  const finite = Number.isSafeInteger(maxVersions) && maxVersions >= 1;
  if (maxVersions !== Number.POSITIVE_INFINITY && !finite) {
    throw new InvalidInputError('options.maxVersions', 'must be an integer >= 1');
  }

  const tenantLayer = options.tenantKeys ?? false;
  if (typeof tenantLayer !== 'boolean') {
    throw new InvalidInputError('options.tenantKeys', 'must be true or false');
  }
  // A direct value is the master key provider's ciphertext: no data key to put under a layer.
  if (tenantLayer && mode === 'direct') {
    throw new InvalidInputError('options.tenantKeys', "needs mode 'envelope'");
  }

  return {
    mode,
    maxVersions,
    recoveryDays: checkWindow(options.recoveryWindowDays ?? 7, 'options.recoveryWindowDays'),
    tenantLayer,
    cacheBounds: keyCacheBounds(options.keyCache),
  };
}
