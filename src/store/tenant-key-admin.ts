import { ConflictError } from '../errors.js';
import { parseEnvelope } from '../format/envelope.js';
import { TENANT_PROVIDER_ID } from '../keys/tenant/tenant-key-wrap.js';
import type { StorageBackend, TenantKeyRecord } from '../storage/storage-backend.js';
import { tenantVersions } from './rewrap.js';
import type { TenantKeys } from './tenant-keys.js';
import type { RetireResult, TenantKeyInfo } from './types.js';

/** What a tenant key version is, without its key: for `keys list --tenant`. */
export function describeTenantKey(record: TenantKeyRecord): TenantKeyInfo {
  const { keyRef } = parseEnvelope(record.wrapped);

  return {
    tenant: record.tenant,
    version: record.version,
    createdAt: new Date(record.createdAt),
    masterKey: { provider: keyRef.provider, keyId: keyRef.keyId, keyVersion: keyRef.keyVersion },
  };
}

/** The tenant key versions that some stored version of the tenant's secrets still names. */
async function versionsInUse(storage: StorageBackend, tenant: string): Promise<Set<number>> {
  const inUse = new Set<number>();
  for await (const versions of tenantVersions(storage, tenant)) {
    for (const version of versions) {
      const keyRef = tenantKeyRefOf(version.envelope, version.legacy === true);
      if (keyRef !== undefined) {
        inUse.add(keyRef);
      }
    }
  }

  return inUse;
}

/** The tenant key version an envelope's data key is wrapped under, if it is one. */
function tenantKeyRefOf(envelope: Uint8Array, legacy: boolean): number | undefined {
  if (legacy) {
    return undefined;
  }
  try {
    const { keyRef } = parseEnvelope(envelope);
    return keyRef.layer === 'tenant' && keyRef.provider === TENANT_PROVIDER_ID
      ? keyRef.keyVersion
      : undefined;
  } catch {
    // A damaged envelope names nothing reliably; rewrap reports it. Keep every version then.
    return Number.NaN;
  }
}

/**
 * Destroys the tenant's tenant key versions that no stored version names any more, keeping the
 * newest. Losing a tenant key loses what it wraps, so this refuses (ConflictError) while any
 * other process may still write under an older version: until the newest version is older than
 * `writerCacheMs` (the key cache's age, after which every writer has seen it). A damaged
 * envelope of the tenant keeps every version.
 */
export async function retireTenantKeys(
  parts: { storage: StorageBackend; tenantKeys: TenantKeys; now: () => number },
  tenant: string,
  writerCacheMs: number,
): Promise<RetireResult> {
  const records = await parts.tenantKeys.records(tenant, true);
  const newest = records.at(-1);
  if (newest === undefined) {
    return { retired: [], kept: [] };
  }
  const waitMs = newest.createdAt + writerCacheMs - parts.now();
  if (waitMs > 0) {
    throw new ConflictError(
      `tenant key version ${newest.version} of tenant ${tenant} is newer than the key cache ` +
        `age: writers may still use older versions; retry in ${Math.ceil(waitMs / 1000)} s`,
    );
  }

  const inUse = await versionsInUse(parts.storage, tenant);
  const damaged = [...inUse].some(Number.isNaN);
  const retired: number[] = [];
  const kept: number[] = [];
  for (const record of records) {
    const keep = record === newest || damaged || inUse.has(record.version);
    if (!keep && (await parts.tenantKeys.delete(record))) {
      retired.push(record.version);
    } else {
      kept.push(record.version);
    }
  }

  return { retired, kept };
}
