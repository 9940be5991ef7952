import { ConflictError } from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { SecretRecord, StorageBackend } from '../storage/storage-backend.js';
import { type SealMode, sealValue } from './envelopes.js';
import { labelsAfterPut, versionsToDestroy } from './labels.js';
import type { PutOptions } from './types.js';

/** What writing a version needs of the store. */
export interface VersionWriter {
  readonly keys: KeyProvider;
  readonly storage: StorageBackend;
  readonly mode: SealMode;
  readonly maxVersions: number;
  readonly now: () => number;
}

/**
 * One attempt at writing the version after `secret`'s newest: the check-and-set, the seal under
 * a fresh data key bound to the new version's context, the label moves and retention, all in
 * one conditional backend write. A RevisionConflict from the backend sends the caller round its
 * retry loop; a failed expectation is a ConflictError and writes nothing.
 */
export async function writeNextVersion(
  writer: VersionWriter,
  secret: SecretRecord | undefined,
  tenant: string,
  name: string,
  bytes: Uint8Array,
  options: PutOptions,
): Promise<number> {
  const latest = secret?.latestVersion ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== latest) {
    throw new ConflictError(
      `secret ${name} of tenant ${tenant} is at version ${latest}, ` +
        `not the expected ${options.expectedVersion}; nothing was written`,
    );
  }

  const version = latest + 1;
  const envelope = await sealValue(
    writer.keys,
    bytes,
    secretContext(tenant, name, version),
    writer.mode,
  );
  const now = writer.now();
  const labels = labelsAfterPut(secret?.labels ?? {}, version);
  const versions = [...(secret?.versions ?? []), version];
  const destroy = versionsToDestroy(versions, labels, writer.maxVersions);

  await writer.storage.writeVersion({
    expectedRevision: secret?.revision ?? 0,
    destroyVersions: destroy,
    secret: {
      tenant,
      name,
      revision: (secret?.revision ?? 0) + 1,
      latestVersion: version,
      versions: versions.filter((v) => !destroy.includes(v)),
      labels,
      description: options.description ?? secret?.description,
      tags: options.tags ? { ...options.tags } : (secret?.tags ?? {}),
      createdAt: secret?.createdAt ?? now,
      updatedAt: now,
    },
    version: {
      tenant,
      name,
      version,
      envelope,
      createdAt: now,
      expiresAt: options.expiresAt?.getTime(),
      contentType: options.contentType,
      size: bytes.length,
    },
  });

  return version;
}
