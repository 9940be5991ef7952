import assert from 'node:assert/strict';
import type { ScanPosition, StorageBackend } from '../../src/storage/storage-backend.js';

/**
 * What an attacker with write access to the table can do, done only through the
 * `StorageBackend` seam so that it works on every backend.
 */

/** Copies the envelope stored at `from` over the one stored at `to`. Both rows must exist. */
export async function copyEnvelope(
  storage: StorageBackend,
  from: ScanPosition,
  to: ScanPosition,
): Promise<void> {
  const source = await storage.getVersion(from.tenant, from.name, from.version);
  const target = await storage.getVersion(to.tenant, to.name, to.version);
  assert.ok(source && target, 'both rows must exist before an envelope is copied');

  const swapped = await storage.replaceEnvelope(to, target.envelope, source.envelope);
  assert.ok(swapped, 'the storage backend refused the copy');
}

/** Replaces the envelope stored at `at` with `change(envelope)`. */
export async function alterEnvelope(
  storage: StorageBackend,
  at: ScanPosition,
  change: (envelope: Uint8Array) => Uint8Array,
): Promise<void> {
  const record = await storage.getVersion(at.tenant, at.name, at.version);
  assert.ok(record, 'the row must exist before it is altered');

  const swapped = await storage.replaceEnvelope(at, record.envelope, change(record.envelope));
  assert.ok(swapped, 'the storage backend refused the change');
}

/**
 * Writes a version row the store never sealed: `envelope` stored as the next version of the
 * secret at `at.tenant`/`at.name`, with `current` pointing at it. Returns its number.
 */
export async function forgeVersion(
  storage: StorageBackend,
  at: { readonly tenant: string; readonly name: string },
  envelope: Uint8Array,
): Promise<number> {
  const secret = await storage.getSecret(at.tenant, at.name);
  assert.ok(secret, 'the secret must exist before a version is forged');
  const version = secret.latestVersion + 1;

  await storage.writeVersion({
    expectedRevision: secret.revision,
    destroyVersions: [],
    secret: {
      ...secret,
      revision: secret.revision + 1,
      latestVersion: version,
      versions: [...secret.versions, version],
      labels: { ...secret.labels, current: version },
    },
    version: {
      tenant: at.tenant,
      name: at.name,
      version,
      envelope,
      createdAt: secret.updatedAt,
      size: envelope.length,
    },
  });

  return version;
}
