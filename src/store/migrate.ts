import { KeyProviderError, StorageError } from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { LegacyItem, StorageBackend } from '../storage/storage-backend.js';
import { type SealMode, sealValue } from './envelopes.js';
import { CURRENT } from './labels.js';
import type { MigrateOptions, MigrateResult } from './types.js';

const PAGE = 100;

/** Opens a legacy item's bare ciphertext, which no encryption context binds to its row. */
export async function openLegacy(keys: KeyProvider, blob: Uint8Array): Promise<Uint8Array> {
  if (keys.decryptLegacy === undefined) {
    throw new KeyProviderError('this key provider cannot read items written before strongroom');
  }
  return keys.decryptLegacy(blob);
}

/**
 * Upgrades one legacy item to version 1 of the current layout, sealed in the store's mode and
 * bound to its tenant, name and version. Conditional on the item being unchanged: returns false
 * when another writer or migration got there first.
 */
export async function migrateLegacyItem(
  keys: KeyProvider,
  storage: StorageBackend,
  item: LegacyItem,
  mode: SealMode,
  now: number,
): Promise<boolean> {
  if (storage.migrateLegacy === undefined) {
    throw new StorageError(`the ${storage.kind} backend holds no legacy items to migrate`);
  }

  const { tenant, name } = item;
  const plaintext = await openLegacy(keys, item.blob);
  try {
    const envelope = await sealValue(keys, plaintext, secretContext(tenant, name, 1), mode);
    const secret = {
      tenant,
      name,
      revision: 1,
      latestVersion: 1,
      versions: [1],
      labels: { [CURRENT]: 1 },
      tags: {},
      createdAt: item.createdAt,
      updatedAt: now,
    };
    const version = { tenant, name, version: 1, envelope, createdAt: item.createdAt };

    return await storage.migrateLegacy(item, {
      secret,
      version: { ...version, size: plaintext.length },
      expectedRevision: 0,
      destroyVersions: [],
    });
  } finally {
    plaintext.fill(0);
  }
}

/** Upgrades every legacy item, a page at a time. Idempotent: a second run migrates none. */
export async function migrateAll(
  keys: KeyProvider,
  storage: StorageBackend,
  mode: SealMode,
  now: () => number,
  options: MigrateOptions,
): Promise<MigrateResult> {
  if (storage.scanLegacy === undefined) {
    return { scanned: 0, migrated: 0 };
  }

  let scanned = 0;
  let migrated = 0;
  let from: LegacyItem | undefined;
  for (;;) {
    const page = await storage.scanLegacy(from, PAGE);
    for (const item of page) {
      if (await migrateLegacyItem(keys, storage, item, mode, now())) {
        migrated += 1;
      }
    }
    scanned += page.length;
    options.onProgress?.({ scanned, migrated });

    if (page.length < PAGE) {
      return { scanned, migrated };
    }
    from = page[page.length - 1];
  }
}
