import { InvalidInputError } from '../errors.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { StorageBackend } from '../storage/storage-backend.js';
import { checkGetMany, checkGetOptions, checkNames, checkPutOptions } from './checks.js';
import type { SealMode } from './envelopes.js';
import { type EventHook, type EventTarget, observe } from './events.js';
import { KEY_CACHE_DEFAULTS, KeyCache } from './key-cache.js';
import { LayeredKeys } from './layered-keys.js';
import { listPage } from './list-page.js';
import { secretMetadata, versionMetadata } from './metadata.js';
import { migrateAll, migrateLegacyItem } from './migrate.js';
import { SecretRecords } from './records.js';
import { rewrapAll } from './rewrap.js';
import { SecretReader } from './secret-reader.js';
import {
  deleteSecret,
  moveSecretLabel,
  purgeSecret,
  removeSecretLabel,
  restoreSecret,
  rollbackSecret,
  type UpdateParts,
} from './secret-updates.js';
import { resolveStoreOptions } from './store-options.js';
import { describeTenantKey, retireTenantKeys } from './tenant-key-admin.js';
import { TenantKeys } from './tenant-keys.js';
import type {
  DeleteOptions,
  GetManyOptions,
  GetOptions,
  LabelOptions,
  ListOptions,
  MigrateOptions,
  MigrateResult,
  PutOptions,
  RetireResult,
  RewrapOptions,
  RewrapResult,
  SecretBatch,
  SecretDescription,
  SecretList,
  SecretMetadata,
  SecretVersion,
  StoreOptions,
  TenantKeyInfo,
  VersionMetadata,
} from './types.js';
import * as check from './validation.js';
import { ValueCache } from './value-cache.js';
import { type VersionWriter, writeNextVersion } from './write-version.js';

/**
 * Secrets of many tenants, each value sealed in an envelope bound to its tenant, name and
 * version. Open one with {@link openStore}.
 */
export class SecretStore {
  readonly #keys: KeyProvider;
  readonly #storage: StorageBackend;
  readonly #mode: SealMode;
  readonly #maxVersions: number;
  readonly #recoveryDays: number;
  readonly #onEvent: EventHook | undefined;
  readonly #now: () => number;
  readonly #records: SecretRecords;
  readonly #writer: VersionWriter;
  readonly #keyCache: KeyCache | undefined;
  readonly #valueCache: ValueCache | undefined;
  readonly #reader: SecretReader;
  readonly #tenantKeys: TenantKeys;
  readonly #keyCacheMs: number;
  readonly #updates: UpdateParts;

  constructor(options: StoreOptions) {
    const { mode, maxVersions, recoveryDays, tenantLayer, cacheBounds } =
      resolveStoreOptions(options);

    this.#now = options.now ?? Date.now;
    this.#storage = options.storage;
    this.#tenantKeys = new TenantKeys({
      master: options.keys,
      storage: options.storage,
      cache: cacheBounds,
      now: this.#now,
    });
    this.#keyCacheMs = cacheBounds?.maxAgeMs ?? KEY_CACHE_DEFAULTS.maxAgeMs;
    this.#keys = new LayeredKeys(options.keys, this.#tenantKeys, tenantLayer ? 'tenant' : 'master');
    this.#mode = mode;
    this.#maxVersions = maxVersions;
    this.#recoveryDays = recoveryDays;
    this.#onEvent = options.onEvent;
    this.#writer = {
      keys: this.#keys,
      storage: this.#storage,
      mode: this.#mode,
      maxVersions: this.#maxVersions,
      now: this.#now,
    };
    this.#records = new SecretRecords(this.#storage, this.#now, (item) =>
      migrateLegacyItem(this.#keys, this.#storage, item, this.#mode, this.#now()),
    );
    // The data key cache is on unless turned off: it never makes a read stale. The value cache
    // trades freshness for speed, so only a caller who says how stale is acceptable gets one.
    this.#keyCache =
      options.keyCache === false ? undefined : new KeyCache(options.keyCache, this.#now);
    this.#valueCache =
      options.valueCache === undefined ? undefined : new ValueCache(options.valueCache, this.#now);
    this.#updates = { records: this.#records, storage: this.#storage, now: this.#now };
    this.#reader = new SecretReader({
      keys: this.#keys,
      storage: this.#storage,
      records: this.#records,
      now: this.#now,
      keyCache: this.#keyCache,
      valueCache: this.#valueCache,
    });
  }

  /**
   * Writes a new version and returns its number. The version and its label moves commit
   * together; concurrent writers each get their own number, and none is lost.
   */
  async put(
    tenant: string,
    name: string,
    value: string | Uint8Array,
    options: PutOptions = {},
  ): Promise<number> {
    return this.#observeWrite(
      { operation: 'put', tenant, name },
      async () => {
        checkNames(tenant, name);
        const bytes = check.valueBytes(value);
        // A string's bytes are this call's own copy: wiped once written. A caller's bytes are
        // the caller's to wipe.
        const ownsBytes = typeof value === 'string';
        checkPutOptions(options, this.#now());

        return this.#records
          .retry(async () => {
            const secret = await this.#records.live(tenant, name, { forWrite: true });
            await this.#records.upgradeForWrite(secret);

            return writeNextVersion(this.#writer, secret, tenant, name, bytes, options);
          })
          .finally(() => {
            if (ownsBytes) {
              bytes.fill(0);
            }
          });
      },
      (version) => version,
    );
  }

  /**
   * Decrypts one version: `current` unless a version or a label is given. Served from the value
   * cache when there is one and it holds the version, unless `fresh` is set.
   */
  async get(tenant: string, name: string, options: GetOptions = {}): Promise<SecretVersion> {
    return this.#observe(
      { operation: 'get', tenant, name },
      async () => {
        checkNames(tenant, name);
        checkGetOptions(options);

        return this.#reader.get(tenant, name, options);
      },
      (result) => result.version,
    );
  }

  /**
   * Decrypts the current versions of up to 1,000 secrets of one tenant, in one batch read where
   * the backend has one (DynamoDB: one BatchGetItem per 100 names). Each name counts once.
   * Names with nothing to read (never written, deleted, or expired) come back in `missing`.
   *
   * @example
   * const { found, missing } = await store.getMany('customer-123', ['stripe/key', 'slack/hook']);
   */
  async getMany(
    tenant: string,
    names: readonly string[],
    options: GetManyOptions = {},
  ): Promise<SecretBatch> {
    return this.#observe({ operation: 'getMany', tenant }, async () => {
      checkGetMany(tenant, names, options);

      return this.#reader.getMany(tenant, [...new Set(names)], options);
    });
  }

  /** The secret and its current version's metadata. Decrypts nothing. */
  async describe(tenant: string, name: string): Promise<SecretDescription> {
    return this.#observe({ operation: 'describe', tenant, name }, async () => {
      checkNames(tenant, name);
      const { secret, record } = await this.#records.version(tenant, name, {});

      return { ...secretMetadata(secret), current: versionMetadata(record, secret) };
    });
  }

  /** A tenant's secrets in name order, a page at a time. */
  async list(tenant: string, options: ListOptions = {}): Promise<SecretList> {
    return this.#observe({ operation: 'list', tenant }, async () => {
      check.checkTenant(tenant);
      const limit = options.limit ?? 100;
      check.checkLimit(limit, 1000);
      if (options.prefix !== undefined && typeof options.prefix !== 'string') {
        throw new InvalidInputError('options.prefix', 'must be a string');
      }

      return listPage(this.#storage, tenant, options, limit, this.#now());
    });
  }

  /** Every stored version's metadata, newest first. */
  async versions(tenant: string, name: string): Promise<VersionMetadata[]> {
    return this.#observe({ operation: 'versions', tenant, name }, async () => {
      checkNames(tenant, name);
      const secret = await this.#records.readable(tenant, name);
      const records = await this.#storage.listVersions(tenant, name);

      return records.map((record) => versionMetadata(record, secret));
    });
  }

  /**
   * Points a label at a version. Moving `current` keeps where it was as `previous`. With
   * `expectedVersion`, the move happens only if the label points there now.
   */
  async moveLabel(
    tenant: string,
    name: string,
    label: string,
    version: number,
    options: LabelOptions = {},
  ): Promise<SecretMetadata> {
    return this.#observeWrite({ operation: 'moveLabel', tenant, name }, async () =>
      moveSecretLabel(this.#updates, { tenant, name, label, version }, options),
    );
  }

  /** Removes a custom label (or `previous`); `current` cannot be removed. */
  async removeLabel(
    tenant: string,
    name: string,
    label: string,
    options: LabelOptions = {},
  ): Promise<SecretMetadata> {
    return this.#observeWrite({ operation: 'removeLabel', tenant, name }, async () =>
      removeSecretLabel(this.#updates, { tenant, name, label }, options),
    );
  }

  /** Moves `current` back to `previous`, or to the version given. Returns the new current. */
  async rollback(tenant: string, name: string, options: { version?: number } = {}) {
    return this.#observeWrite(
      { operation: 'rollback', tenant, name },
      async () => rollbackSecret(this.#updates, tenant, name, options.version),
      (version) => version,
    );
  }

  /**
   * Soft delete: the secret stops reading until `restore`, and may be purged once the recovery
   * window ends. Deleting a deleted secret changes nothing.
   */
  async delete(tenant: string, name: string, options: DeleteOptions = {}) {
    return this.#observeWrite({ operation: 'delete', tenant, name }, async () =>
      deleteSecret(this.#updates, tenant, name, options.recoveryWindowDays ?? this.#recoveryDays),
    );
  }

  /** Undoes a delete within the recovery window. Restoring a live secret changes nothing. */
  async restore(tenant: string, name: string): Promise<SecretMetadata> {
    return this.#observeWrite({ operation: 'restore', tenant, name }, async () =>
      restoreSecret(this.#updates, tenant, name),
    );
  }

  /** Destroys the secret and every version now, deleted or not. Returns how many versions. */
  async purge(tenant: string, name: string): Promise<number> {
    return this.#observeWrite({ operation: 'purge', tenant, name }, async () =>
      purgeSecret(this.#updates, tenant, name),
    );
  }

  /**
   * Moves every stored data key (and direct ciphertext) to the key provider's newest master
   * key without re-encrypting values. Safe while the store is in use: each swap is conditional
   * on the envelope it read. Run twice, the second run rewraps nothing. A version that fails
   * its integrity check is left as it is and reported in `failed`; the rest go on.
   */
  async rewrap(options: RewrapOptions = {}): Promise<RewrapResult> {
    return this.#observe({ operation: 'rewrap', tenant: options.tenant }, () => {
      if (options.tenant !== undefined) {
        check.checkTenant(options.tenant);
      }
      const parts = { keys: this.#keys, tenantKeys: this.#tenantKeys, storage: this.#storage };

      return this.#clearingValues(() => rewrapAll(parts, options));
    });
  }

  /**
   * Per-tenant keys: adds the tenant's next tenant key version, which every new version then
   * uses (in other processes within one key cache period). Older versions keep opening what
   * they wrap; `rewrap({ tenant })` moves that, and `retireTenantKeys` then destroys them.
   * Returns the new version's number.
   */
  async rotateTenantKey(tenant: string): Promise<number> {
    return this.#observe(
      { operation: 'rotateTenantKey', tenant },
      async () => {
        check.checkTenant(tenant);
        return this.#tenantKeys.rotate(tenant);
      },
      (version) => version,
    );
  }

  /** The tenant's tenant key versions, oldest first, and the master key wrapping each. */
  async listTenantKeys(tenant: string): Promise<TenantKeyInfo[]> {
    return this.#observe({ operation: 'listTenantKeys', tenant }, async () => {
      check.checkTenant(tenant);
      return (await this.#tenantKeys.records(tenant, true)).map(describeTenantKey);
    });
  }

  /**
   * Destroys the tenant key versions of `tenant` that no stored version uses any more, always
   * keeping the newest; run after `rewrap({ tenant })`. Refuses with a ConflictError while the
   * newest version is younger than the key cache's age, since until then another process may
   * still write under an older one.
   */
  async retireTenantKeys(tenant: string): Promise<RetireResult> {
    return this.#observe({ operation: 'retireTenantKeys', tenant }, async () => {
      check.checkTenant(tenant);
      const parts = { storage: this.#storage, tenantKeys: this.#tenantKeys, now: this.#now };

      return retireTenantKeys(parts, tenant, this.#keyCacheMs);
    });
  }

  /**
   * Upgrades every item written before strongroom (a bare KMS ciphertext with no encryption
   * context) to version 1 of the current layout, bound to its tenant, name and version. Safe
   * while the store is in use; run twice, the second run migrates nothing.
   */
  async migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
    return this.#observe({ operation: 'migrate' }, () =>
      this.#clearingValues(() =>
        migrateAll(this.#keys, this.#storage, this.#mode, this.#now, options),
      ),
    );
  }

  /** Wipes the caches and closes the storage backend and the key provider. */
  async close(): Promise<void> {
    this.#keyCache?.clear();
    this.#valueCache?.clear();
    this.#tenantKeys.clear();
    try {
      await this.#storage.close();
    } finally {
      await this.#keys.close?.();
    }
  }

  #observe<T>(
    target: EventTarget,
    work: () => Promise<T>,
    versionOf?: (result: T) => number | undefined,
  ): Promise<T> {
    return observe(this.#onEvent, target, work, versionOf);
  }

  /**
   * {@link #observe} for a write to one secret: its cached values go before the write returns,
   * and also when it fails, since a failed write may still have committed.
   */
  #observeWrite<T>(
    target: EventTarget & { tenant: string; name: string },
    work: () => Promise<T>,
    versionOf?: (result: T) => number | undefined,
  ): Promise<T> {
    const invalidating = async () => {
      try {
        return await work();
      } finally {
        this.#valueCache?.invalidate(target.tenant, target.name);
      }
    };

    return this.#observe(target, invalidating, versionOf);
  }

  /** Rewrap and migrate change the key references (and layout) of many versions at once. */
  async #clearingValues<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.#valueCache?.clear();
    }
  }
}

/** Opens a store over a key provider and a storage backend. */
export function openStore(options: StoreOptions): SecretStore {
  return new SecretStore(options);
}
