import type { SecretRecord, VersionWrite } from '../../src/storage/storage-backend.js';

/**
 * The write a store would make for version `version` of `tenant`/`name` on top of `before`
 * (absent for a new secret), for tests that drive a storage backend directly.
 */
export function versionWrite(
  tenant: string,
  name: string,
  version: number,
  before?: SecretRecord,
): VersionWrite {
  const versions = [...(before?.versions ?? []), version];

  return {
    expectedRevision: before?.revision ?? 0,
    destroyVersions: [],
    secret: {
      tenant,
      name,
      revision: (before?.revision ?? 0) + 1,
      latestVersion: version,
      versions,
      labels: { current: version },
      tags: {},
      createdAt: before?.createdAt ?? 1_000,
      updatedAt: 1_000 + version,
    },
    version: {
      tenant,
      name,
      version,
      envelope: Uint8Array.of(version, 0xaa, 0xbb),
      createdAt: 1_000 + version,
      size: 3,
    },
  };
}
