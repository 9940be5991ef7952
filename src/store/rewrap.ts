import { IntegrityError } from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { StorageBackend, TenantKeyRecord, VersionRecord } from '../storage/storage-backend.js';
import { rewrapValue } from './envelopes.js';
import type { TenantKeys } from './tenant-keys.js';
import type {
  RewrapFailure,
  RewrapOptions,
  RewrapResult,
  TenantKeyFailure,
  TenantKeysRewrapped,
} from './types.js';

const PAGE = 100;

/** What a rewrap works through: the store's layered keys and its tenant key layer. */
export interface RewrapParts {
  readonly keys: KeyProvider;
  readonly tenantKeys: TenantKeys;
  readonly storage: StorageBackend;
}

/**
 * Moves every tenant key under the newest master key, then walks every version (of one tenant,
 * or of all in key order) and swaps each envelope for one under the key new writes use. Each
 * swap is conditional on what was read, so a concurrent write, purge or rewrap is never
 * overwritten. An integrity failure is recorded and skipped: one damaged row must not keep
 * every other row on a key that is being retired.
 *
 * The key provider is refreshed first: a long-lived process would otherwise compare with the
 * newest master key it loaded at start-up, and after a rotation by another process find every
 * version already "newest" and move none.
 */
export async function rewrapAll(parts: RewrapParts, options: RewrapOptions): Promise<RewrapResult> {
  const { keys, storage } = parts;
  await keys.refresh?.();

  const tenantKeys = await rewrapTenantKeys(parts, options.tenant);

  let scanned = 0;
  let rewrapped = 0;
  const failed: RewrapFailure[] = [];
  const pages =
    options.tenant === undefined ? allVersions(storage) : tenantVersions(storage, options.tenant);
  for await (const page of pages) {
    for (const record of page) {
      const { tenant, name, version } = record;
      let next: Uint8Array | undefined;
      try {
        next = await rewrapValue(keys, record.envelope, secretContext(tenant, name, version));
      } catch (error) {
        if (!(error instanceof IntegrityError)) {
          throw error;
        }
        failed.push({ tenant, name, version, code: error.code });
        continue;
      }

      if (next !== undefined && (await storage.replaceEnvelope(record, record.envelope, next))) {
        rewrapped += 1;
      }
    }
    scanned += page.length;
    options.onProgress?.({ scanned, rewrapped });
  }

  return { scanned, rewrapped, failed, tenantKeys };
}

/** Every tenant key (of one tenant, or of all) moved under the newest master key. */
async function rewrapTenantKeys(
  parts: RewrapParts,
  tenant: string | undefined,
): Promise<TenantKeysRewrapped> {
  let scanned = 0;
  let rewrapped = 0;
  const failed: TenantKeyFailure[] = [];
  const pages = tenant === undefined ? allTenantKeys(parts.storage) : oneTenantsKeys(parts, tenant);

  for await (const page of pages) {
    for (const record of page) {
      try {
        rewrapped += (await parts.tenantKeys.rewrapRecord(record)) ? 1 : 0;
      } catch (error) {
        if (!(error instanceof IntegrityError)) {
          throw error;
        }
        failed.push({ tenant: record.tenant, version: record.version, code: error.code });
      }
    }
    scanned += page.length;
  }

  return { scanned, rewrapped, failed };
}

async function* allVersions(storage: StorageBackend): AsyncGenerator<VersionRecord[]> {
  let from: VersionRecord | undefined;
  for (;;) {
    const page = await storage.scanVersions(from, PAGE);
    yield page;
    if (page.length < PAGE) {
      return;
    }
    from = page[page.length - 1];
  }
}

/**
 * One tenant's versions, secret by secret: only requests that name the tenant (a Query each on
 * DynamoDB, never a Scan), so a principal confined to one tenant can rewrap it.
 */
export async function* tenantVersions(
  storage: StorageBackend,
  tenant: string,
): AsyncGenerator<VersionRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await storage.listSecrets(tenant, { after, limit: PAGE });
    for (const secret of page.secrets) {
      yield await storage.listVersions(tenant, secret.name);
    }
    if (!page.more || page.secrets.length === 0) {
      return;
    }
    after = page.secrets[page.secrets.length - 1]?.name;
  }
}

async function* allTenantKeys(storage: StorageBackend): AsyncGenerator<TenantKeyRecord[]> {
  let from: TenantKeyRecord | undefined;
  for (;;) {
    const page = await storage.scanTenantKeys(from, PAGE);
    yield page;
    if (page.length < PAGE) {
      return;
    }
    from = page[page.length - 1];
  }
}

async function* oneTenantsKeys(
  parts: RewrapParts,
  tenant: string,
): AsyncGenerator<readonly TenantKeyRecord[]> {
  yield await parts.tenantKeys.records(tenant, true);
}
