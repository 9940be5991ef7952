import { IntegrityError } from '../errors.js';
import type { EncryptionContext } from '../format/context.js';
import {
  encodeDirect,
  type KeyReference,
  parseEnvelope,
  SUITE_DIRECT,
} from '../format/envelope.js';
import type { KeyProvider, WrappedBlob } from '../keys/key-provider.js';
import {
  TENANT_KEY_BYTES,
  tenantKeyContext,
  tenantKeyRef,
  tenantKeyVersion,
  unwrapWithTenantKey,
  wrapWithTenantKey,
} from '../keys/tenant/tenant-key-wrap.js';
import {
  RevisionConflict,
  type StorageBackend,
  type TenantKeyRecord,
} from '../storage/storage-backend.js';
import { ExpiringLru } from './expiring-lru.js';
import { KeyCache, type WrappedDataKey } from './key-cache.js';

/** What {@link TenantKeys} works with. */
export interface TenantKeysParts {
  /** Wraps the tenant keys: the store's master key provider. */
  readonly master: KeyProvider;
  readonly storage: StorageBackend;
  /** Bounds of the caches of unwrapped tenant keys and of tenant key records; none if absent. */
  readonly cache: { readonly maxEntries: number; readonly maxAgeMs: number } | undefined;
  readonly now: () => number;
}

// Two writers that each add a tenant's next key version race; the loser reads and tries again.
const ADD_ATTEMPTS = 5;

/**
 * The per-tenant key layer: finds, creates and caches each tenant's tenant keys, and wraps and
 * unwraps data keys under them. A tenant key is unwrapped by the master key once per cache
 * period, so reads of a tenant's secrets then cost the master key provider nothing.
 *
 * The records (not secret: wrapped keys) are cached as well, for the same period, so a warm read
 * is one storage request. A write uses the newest version this process has seen: after another
 * process rotates a tenant's key, writes here move to the new version within one cache period,
 * and reads of envelopes under it find it at once (a version missing from the cache is read).
 */
export class TenantKeys {
  readonly #master: KeyProvider;
  readonly #storage: StorageBackend;
  readonly #keys: KeyCache | undefined;
  readonly #records: ExpiringLru<readonly TenantKeyRecord[]> | undefined;
  readonly #now: () => number;

  constructor(parts: TenantKeysParts) {
    this.#master = parts.master;
    this.#storage = parts.storage;
    this.#now = parts.now;
    if (parts.cache !== undefined) {
      this.#keys = new KeyCache(parts.cache, parts.now);
      this.#records = new ExpiringLru({ ...parts.cache, now: parts.now, onRemove: () => {} });
    }
  }

  /** The tenant's key versions, oldest first: from the cache unless `fresh`. */
  async records(tenant: string, fresh = false): Promise<readonly TenantKeyRecord[]> {
    const cached = fresh ? undefined : this.#records?.get(tenant);
    if (cached !== undefined) {
      return cached;
    }

    const records = Object.freeze(await this.#storage.listTenantKeys(tenant));
    this.#records?.set(tenant, records);

    return records;
  }

  /** Wraps a data key under the tenant's newest tenant key, creating version 1 if none exists. */
  async wrapDataKey(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedBlob> {
    const tenant = tenantOf(context);
    const record = (await this.records(tenant)).at(-1) ?? (await this.#add(tenant, 1));

    const blob = await this.#withKey(record, (key) => wrapWithTenantKey(key, dataKey, context));

    return { blob, keyRef: tenantKeyRef(record.version) };
  }

  /** Opens a data key that {@link wrapDataKey} wrapped; every failure is an IntegrityError. */
  async unwrapDataKey(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
  ): Promise<Uint8Array> {
    const record = await this.#record(tenantOf(context), tenantKeyVersion(keyRef));

    return this.#withKey(record, (key) => unwrapWithTenantKey(key, blob, context));
  }

  /**
   * Re-wraps a data key under the tenant's newest tenant key, or returns undefined when it is
   * already there. A rewrap calls {@link forget} first (through the store's refresh), so the
   * newest version is one read per tenant at its start, seeing a rotation made a moment ago in
   * another process, and not one read per version.
   */
  async rewrapDataKey(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
  ): Promise<WrappedBlob | undefined> {
    const newest = (await this.records(tenantOf(context))).at(-1);
    if (newest !== undefined && newest.version === tenantKeyVersion(keyRef)) {
      return undefined;
    }

    const dataKey = await this.unwrapDataKey(blob, keyRef, context);
    try {
      return await this.wrapDataKey(dataKey, context);
    } finally {
      dataKey.fill(0);
    }
  }

  /** Adds the tenant's next tenant key version, used by every write from now on; its number. */
  async rotate(tenant: string): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      const newest = (await this.records(tenant, true)).at(-1)?.version ?? 0;
      try {
        return (await this.#create(tenant, newest + 1)).version;
      } catch (error) {
        if (!(error instanceof RevisionConflict) || attempt === ADD_ATTEMPTS) {
          throw error;
        }
      }
    }
  }

  /**
   * Moves one tenant key version under the master provider's newest master key. True when it
   * moved; false when it was there already or another process changed it meanwhile.
   */
  async rewrapRecord(record: TenantKeyRecord): Promise<boolean> {
    const { keyRef, blob } = parseRecord(record);
    const context = tenantKeyContext(record.tenant, record.version);

    const next = await this.#master.rewrap(blob, keyRef, context, 'tenant-key');
    if (next === undefined) {
      return false;
    }
    const moved = await this.#storage.replaceTenantKey(
      record,
      record.wrapped,
      encodeDirect(next.keyRef, next.blob),
    );
    this.forget(record.tenant);

    return moved;
  }

  /** Destroys a tenant key version if it is still as read; true when it went. */
  async delete(record: TenantKeyRecord): Promise<boolean> {
    const deleted = await this.#storage.deleteTenantKey(record, record.wrapped);
    this.forget(record.tenant);

    return deleted;
  }

  /** Drops the cached records of one tenant, or of all: the next use reads storage. */
  forget(tenant?: string): void {
    if (tenant === undefined) {
      this.#records?.clear();
    } else {
      this.#records?.delete(tenant);
    }
  }

  /** Wipes every cached tenant key and drops every cached record. */
  clear(): void {
    this.#keys?.clear();
    this.#records?.clear();
  }

  async #record(tenant: string, version: number): Promise<TenantKeyRecord> {
    const find = (records: readonly TenantKeyRecord[]) =>
      records.find((record) => record.version === version);

    // A version this process has not seen yet was added by another one: read once more.
    const record = find(await this.records(tenant)) ?? find(await this.records(tenant, true));
    if (record === undefined) {
      throw new IntegrityError();
    }

    return record;
  }

  /** Creates `version`, or, when another writer created it first, takes theirs. */
  async #add(tenant: string, version: number): Promise<TenantKeyRecord> {
    try {
      return await this.#create(tenant, version);
    } catch (error) {
      if (!(error instanceof RevisionConflict)) {
        throw error;
      }
    }

    const theirs = (await this.records(tenant, true)).find((r) => r.version === version);
    if (theirs === undefined) {
      throw new IntegrityError();
    }

    return theirs;
  }

  async #create(tenant: string, version: number): Promise<TenantKeyRecord> {
    const context = tenantKeyContext(tenant, version);
    const generated = await this.#master.generateDataKey(context, 'tenant-key');
    try {
      const record: TenantKeyRecord = {
        tenant,
        version,
        wrapped: encodeDirect(generated.keyRef, generated.wrapped),
        createdAt: this.#now(),
      };
      await this.#storage.addTenantKey(record);
      this.forget(tenant);

      // The key is in hand: the first use need not ask the master key provider for it again.
      this.#keys?.remember(this.#request(record), generated.plaintext);

      return record;
    } finally {
      generated.plaintext.fill(0);
    }
  }

  #request(record: TenantKeyRecord): WrappedDataKey {
    const { keyRef, blob } = parseRecord(record);

    return { wrapped: blob, keyRef, context: tenantKeyContext(record.tenant, record.version) };
  }

  /** Runs `use` with the unwrapped tenant key of `record`, wiped when `use` returns. */
  async #withKey<T>(record: TenantKeyRecord, use: (tenantKey: Uint8Array) => T): Promise<T> {
    const request = this.#request(record);
    const unwrap = async () => {
      const key = await this.#master.unwrapDataKey(
        request.wrapped,
        request.keyRef,
        request.context,
        'tenant-key',
      );
      if (key.length !== TENANT_KEY_BYTES) {
        key.fill(0);
        throw new IntegrityError();
      }
      return key;
    };
    if (this.#keys !== undefined) {
      return this.#keys.withDataKey(request, unwrap, use);
    }

    const key = await unwrap();
    try {
      return use(key);
    } finally {
      key.fill(0);
    }
  }
}

/** A record's master key reference and wrapped tenant key; a malformed one is an IntegrityError. */
function parseRecord(record: TenantKeyRecord): { keyRef: KeyReference; blob: Uint8Array } {
  const envelope = parseEnvelope(record.wrapped);
  if (envelope.suite !== SUITE_DIRECT || envelope.keyRef.layer !== 'master') {
    throw new IntegrityError();
  }

  return { keyRef: envelope.keyRef, blob: envelope.ciphertext };
}

function tenantOf(context: EncryptionContext): string {
  const tenant = context.tenant;
  if (tenant === undefined) {
    throw new IntegrityError();
  }

  return tenant;
}
