import type { KeyReference } from '../format/envelope.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { StorageBackend } from '../storage/storage-backend.js';
import type { SealMode } from './envelopes.js';
import type { EventHook } from './events.js';
import type { SecretValue } from './secret-value.js';

export interface StoreOptions {
  /** Wraps data keys (and, in direct mode, values): the local keyring or AWS KMS. */
  readonly keys: KeyProvider;
  /** Holds the envelopes and metadata: memory, SQLite or DynamoDB. */
  readonly storage: StorageBackend;
  /** How new versions are sealed; both modes read back whatever this says now. */
  readonly mode?: SealMode;
  /** Retention: keep at most this many versions per secret (labelled ones are kept). */
  readonly maxVersions?: number;
  /** Days a deleted secret can be restored; 7 by default, 1 to 365. */
  readonly recoveryWindowDays?: number;
  /** Called after every operation; never given a value or a key. */
  readonly onEvent?: EventHook;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  readonly now?: () => number;
  /**
   * Unwrapped data keys kept in memory, so that reads of a version already read skip the key
   * provider: on by default ({@link KeyCacheOptions}); `false` turns it off. Every read still
   * reads the envelope from storage and checks it in full.
   */
  readonly keyCache?: KeyCacheOptions | false;
  /**
   * Per-tenant keys: `true` wraps the data keys of new versions under a tenant key of their
   * tenant (created on its first write, wrapped by `keys`, kept in `storage`) rather than under
   * the master key, so that reads cost the master key provider one call per tenant per key
   * cache period instead of one per version. Off by default. Envelope mode only. A store reads
   * envelopes of both layers either way.
   */
  readonly tenantKeys?: boolean;
  /** Decrypted values kept in memory for `maxAgeMs` ({@link ValueCacheOptions}); off by default. */
  readonly valueCache?: ValueCacheOptions;
}

/**
 * The data key cache. A data key belongs to one version, so hits come from reads of a version
 * already read. An entry is keyed on the wrapped key's bytes, its key reference and its
 * encryption context together, so it serves only the envelope it was unwrapped for.
 */
export interface KeyCacheOptions {
  /** 1,000 by default: about 0.5 MB of memory. */
  readonly maxEntries?: number;
  /**
   * 5 minutes by default: how long a data key stays usable after the key provider last gave it
   * out, and so how long a revoked `kms:Decrypt` grant or a disabled key goes unnoticed by reads
   * of versions already cached.
   */
  readonly maxAgeMs?: number;
}

/**
 * The value cache: a `get` served from memory skips storage and the key provider. A write through
 * the same store drops the secret's entries before it returns; a write by another process is
 * seen at most `maxAgeMs` late. `get(..., { fresh: true })` always reads storage.
 */
export interface ValueCacheOptions {
  /** Required: how stale a value may be, in milliseconds. */
  readonly maxAgeMs: number;
  /** 1,000 by default. */
  readonly maxEntries?: number;
}

export interface PutOptions {
  /**
   * Check-and-set: the write happens only if the newest version is this one (0: only if the
   * secret does not exist yet). Otherwise a ConflictError, and nothing is written.
   */
  readonly expectedVersion?: number;
  /** Kept on the secret; a later put without it keeps the old one. */
  readonly description?: string;
  /** Kept on the secret; a later put without them keeps the old ones. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Of this version, for example `application/json`. */
  readonly contentType?: string;
  /** After this instant the version no longer reads. */
  readonly expiresAt?: Date;
}

export interface GetOptions {
  readonly version?: number;
  readonly label?: string;
  /**
   * Read storage even when the value cache holds the version; the result refreshes the cache.
   * For a read right after another process rotated the secret. The data key cache still applies:
   * it never makes a read stale.
   */
  readonly fresh?: boolean;
}

export interface GetManyOptions {
  /** As {@link GetOptions.fresh}: read every name from storage, refreshing the value cache. */
  readonly fresh?: boolean;
}

/** `getMany`: the current versions found, and the names that have none to read. */
export interface SecretBatch {
  /** In the order the names were given, each name once. */
  readonly found: readonly SecretVersion[];
  /**
   * Names with nothing to read: never written, purged, soft-deleted, or whose current version has
   * expired. `get` says which.
   */
  readonly missing: readonly string[];
}

export interface ListOptions {
  readonly prefix?: string;
  /** 1 to 1,000; 100 by default. */
  readonly limit?: number;
  /** From the previous page's `cursor`. */
  readonly cursor?: string;
  /** Include soft-deleted secrets. */
  readonly includeDeleted?: boolean;
}

export interface LabelOptions {
  /** Check-and-set: where the label must point now (0: it must not exist yet). */
  readonly expectedVersion?: number;
}

/** A secret as a whole, without any value. */
export interface SecretMetadata {
  readonly tenant: string;
  readonly name: string;
  /** The version `current` points at. */
  readonly currentVersion: number;
  /** The highest version number written. */
  readonly latestVersion: number;
  readonly versionCount: number;
  readonly labels: Readonly<Record<string, number>>;
  readonly description?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt?: Date | undefined;
  /** For a deleted secret: until when `restore` brings it back. */
  readonly recoverableUntil?: Date | undefined;
}

/** One version, without its value. */
export interface VersionMetadata {
  readonly version: number;
  readonly labels: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt?: Date | undefined;
  readonly contentType?: string | undefined;
  /** The value's length in bytes. */
  readonly size: number;
  /** The stored envelope's length in bytes. */
  readonly storedSize: number;
  readonly mode: SealMode;
  /** The key that unwraps it. */
  readonly key: KeyReference;
  /**
   * A legacy item (written before strongroom, not yet migrated): no encryption context binds
   * it to its row until `migrate` upgrades it.
   */
  readonly legacy?: boolean | undefined;
}

/** `describe`: the secret and its current version. */
export interface SecretDescription extends SecretMetadata {
  readonly current: VersionMetadata;
}

/** `get`: a decrypted version. */
export interface SecretVersion extends VersionMetadata {
  readonly tenant: string;
  readonly name: string;
  readonly value: SecretValue;
}

export interface SecretList {
  readonly secrets: readonly SecretMetadata[];
  /** Present when more secrets follow; pass it back as `options.cursor`. */
  readonly cursor?: string | undefined;
}

export interface DeleteOptions {
  /** Overrides the store's recovery window for this secret, in days (1 to 365). */
  readonly recoveryWindowDays?: number;
}

export interface RewrapProgress {
  readonly scanned: number;
  readonly rewrapped: number;
}

export interface RewrapOptions {
  /**
   * Only this tenant's versions and tenant keys, read with requests that name the tenant (no
   * table scan), for example after `rotateTenantKey`.
   */
  readonly tenant?: string;
  /** Called after every page of versions. */
  readonly onProgress?: (progress: RewrapProgress) => void;
}

/** A tenant key version rewrap could not open. */
export interface TenantKeyFailure {
  readonly tenant: string;
  readonly version: number;
  /** `ERR_INTEGRITY` or `ERR_WRONG_KEYRING`. */
  readonly code: string;
}

/** What a rewrap did to the tenant keys (per-tenant key layer). */
export interface TenantKeysRewrapped {
  /** Tenant key versions read. */
  readonly scanned: number;
  /** Tenant key versions moved under the newest master key. */
  readonly rewrapped: number;
  readonly failed: readonly TenantKeyFailure[];
}

/** A version rewrap could not open: where it is, never what it holds. */
export interface RewrapFailure {
  readonly tenant: string;
  readonly name: string;
  readonly version: number;
  /** `ERR_INTEGRITY` or `ERR_WRONG_KEYRING`. */
  readonly code: string;
}

export interface RewrapResult {
  /** Versions read. */
  readonly scanned: number;
  /**
   * Versions whose data key (or direct ciphertext) moved to the key new writes use: the newest
   * master key, or with tenant keys the tenant's newest tenant key.
   */
  readonly rewrapped: number;
  /** Versions left as they were because they failed their integrity check. */
  readonly failed: readonly RewrapFailure[];
  readonly tenantKeys: TenantKeysRewrapped;
}

export interface MigrateOptions {
  /** Called after every page of legacy items. */
  readonly onProgress?: (progress: MigrateResult) => void;
}

export interface MigrateResult {
  /** Legacy items found. */
  readonly scanned: number;
  /** Legacy items upgraded to version 1 of the current layout. */
  readonly migrated: number;
}

/** One version of a tenant's tenant key, as `listTenantKeys` describes it: never the key. */
export interface TenantKeyInfo {
  readonly tenant: string;
  readonly version: number;
  readonly createdAt: Date;
  /** The master key that wraps it. */
  readonly masterKey: {
    readonly provider: string;
    readonly keyId: string;
    readonly keyVersion: number;
  };
}

/** What `retireTenantKeys` did. */
export interface RetireResult {
  /** Tenant key versions destroyed: no stored version named them. */
  readonly retired: readonly number[];
  /** Tenant key versions kept: the newest, and those still in use. */
  readonly kept: readonly number[];
}
