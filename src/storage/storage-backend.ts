/**
 * The seam between the store and where its rows live. A backend stores opaque envelopes and
 * plain metadata; it never sees a key or a plaintext. Every write is conditional on the secret
 * record's `revision`, the optimistic lock that keeps concurrent writers from losing updates.
 */

/** One row per secret: its labels, state and the newest version number. */
export interface SecretRecord {
  readonly tenant: string;
  readonly name: string;
  /** Bumped by every write; a write names the revision it read. */
  readonly revision: number;
  /** The highest version number ever written; never reused, even after versions are destroyed. */
  readonly latestVersion: number;
  /** The numbers of the versions still stored, ascending. */
  readonly versions: readonly number[];
  /** Label name to version number. `current` is always present once a version exists. */
  readonly labels: Readonly<Record<string, number>>;
  readonly description?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, as every time in this module. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt?: number | undefined;
  /** With `deletedAt`: the end of the recovery window, after which the secret may be purged. */
  readonly purgeAfter?: number | undefined;
  /**
   * True for an item written before strongroom (see {@link LegacyItem}): version 1 only, no
   * labels of its own; the store migrates it before any write.
   */
  readonly legacy?: boolean | undefined;
}

/** One row per version: the envelope and what may be known without decrypting it. */
export interface VersionRecord {
  readonly tenant: string;
  readonly name: string;
  readonly version: number;
  readonly envelope: Uint8Array;
  readonly createdAt: number;
  readonly expiresAt?: number | undefined;
  readonly contentType?: string | undefined;
  /** The plaintext's length in bytes (the envelope shows it to within a few bytes anyway). */
  readonly size: number;
  /** True when `envelope` is a legacy item's bare key provider ciphertext, not an envelope. */
  readonly legacy?: boolean | undefined;
}

/**
 * An item written before strongroom by the pattern it grew from: one KMS ciphertext of the
 * whole value, encrypted with no encryption context. It reads as version 1 in direct mode, with
 * a weaker guarantee (it could be moved between rows unnoticed) until `migrate` upgrades it.
 */
export interface LegacyItem {
  readonly tenant: string;
  readonly name: string;
  readonly blob: Uint8Array;
  readonly createdAt: number;
}

export interface CurrentRecords {
  readonly secret: SecretRecord;
  /** Absent only if the version `current` names is missing (a damaged store). */
  readonly version?: VersionRecord | undefined;
}

/** A new version and the secret record that points at it, committed together or not at all. */
export interface VersionWrite {
  readonly secret: SecretRecord;
  readonly version: VersionRecord;
  /** The revision the writer read; 0 means the secret must not exist yet. */
  readonly expectedRevision: number;
  /** Version numbers destroyed in the same commit (retention). */
  readonly destroyVersions: readonly number[];
}

export interface ListSecretsQuery {
  readonly prefix?: string | undefined;
  /** Only names strictly after this one (the last name of the previous page). */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface SecretPage {
  /** Ordered by name, UTF-8 byte order. */
  readonly secrets: readonly SecretRecord[];
  /** True when names after the last one returned remain. */
  readonly more: boolean;
}

/** Where {@link StorageBackend.scanVersions} resumes: the last row it returned. */
export interface ScanPosition {
  readonly tenant: string;
  readonly name: string;
  readonly version: number;
}

/**
 * One version of a tenant's tenant key (the per-tenant key layer), never in clear: `wrapped` is
 * the tenant key wrapped under a master key, laid out as docs/FORMAT.md "Tenant keys" says.
 * Written once; only a rewrap under a newer master key changes `wrapped`.
 */
export interface TenantKeyRecord {
  readonly tenant: string;
  /** 1, 2, ...: `keys rotate --tenant` adds the next one. */
  readonly version: number;
  readonly wrapped: Uint8Array;
  readonly createdAt: number;
}

/** Names one tenant key version; where {@link StorageBackend.scanTenantKeys} resumes. */
export interface TenantKeyPosition {
  readonly tenant: string;
  readonly version: number;
}

export interface StorageBackend {
  /** For diagnostics, for example `sqlite` or `memory`. */
  readonly kind: string;

  getSecret(tenant: string, name: string): Promise<SecretRecord | undefined>;

  getVersion(tenant: string, name: string, version: number): Promise<VersionRecord | undefined>;

  /**
   * The secret record and the version its `current` label points at, in one read where the
   * backend can (DynamoDB keeps a copy of the current version in the secret's item): the hot
   * path of every plain `get`.
   */
  getCurrent(tenant: string, name: string): Promise<CurrentRecords | undefined>;

  /**
   * Optional: {@link getCurrent} of many secrets of one tenant, in as few reads as the backend
   * can (DynamoDB: one BatchGetItem per 100 names). `names` are distinct valid names, at most
   * 1,000; the backend splits them to suit its own limits. A secret that does not exist is not
   * in the map. Without it, the store calls `getCurrent` once per name.
   */
  getCurrentMany?(tenant: string, names: readonly string[]): Promise<Map<string, CurrentRecords>>;

  /** Every stored version of a secret, newest first. */
  listVersions(tenant: string, name: string): Promise<VersionRecord[]>;

  listSecrets(tenant: string, query: ListSecretsQuery): Promise<SecretPage>;

  /** Throws {@link RevisionConflict} when the secret's revision is not `expectedRevision`. */
  writeVersion(write: VersionWrite): Promise<void>;

  /** Replaces the secret record (labels, state); throws {@link RevisionConflict} likewise. */
  updateSecret(secret: SecretRecord, expectedRevision: number): Promise<void>;

  /** Destroys the secret and every version; returns how many versions went. */
  purgeSecret(tenant: string, name: string, expectedRevision: number): Promise<number>;

  /** A page of every version of every tenant, in key order, after `from`. */
  scanVersions(from: ScanPosition | undefined, limit: number): Promise<VersionRecord[]>;

  /**
   * Swaps one version's envelope for another (rewrap). Returns false, writing nothing, when the
   * stored envelope is no longer `expected`.
   */
  replaceEnvelope(position: ScanPosition, expected: Uint8Array, next: Uint8Array): Promise<boolean>;

  /** Optional, for backends that can hold legacy items: a page of them after `from`. */
  scanLegacy?(
    from: { readonly tenant: string; readonly name: string } | undefined,
    limit: number,
  ): Promise<LegacyItem[]>;

  /**
   * Optional: replaces a legacy item with `write` (its version 1 in the current layout), only
   * if the item is still exactly `item`. Returns false, writing nothing, otherwise.
   */
  migrateLegacy?(item: LegacyItem, write: VersionWrite): Promise<boolean>;

  /** Every stored tenant key version of a tenant, oldest first; one read. */
  listTenantKeys(tenant: string): Promise<TenantKeyRecord[]>;

  /**
   * Adds a tenant key version. Throws {@link RevisionConflict}, writing nothing, when the tenant
   * already has that version: two writers creating a tenant's first key race, and one wins.
   */
  addTenantKey(record: TenantKeyRecord): Promise<void>;

  /**
   * Swaps a tenant key version's wrapped bytes (a rewrap under a newer master key). Returns
   * false, writing nothing, when the stored bytes are no longer `expected` or the version is gone.
   */
  replaceTenantKey(
    position: TenantKeyPosition,
    expected: Uint8Array,
    next: Uint8Array,
  ): Promise<boolean>;

  /**
   * Destroys a tenant key version (retire), only if its stored bytes are still `expected`.
   * Returns false, writing nothing, otherwise.
   */
  deleteTenantKey(position: TenantKeyPosition, expected: Uint8Array): Promise<boolean>;

  /** A page of the tenant keys of every tenant, ordered by tenant then version, after `from`. */
  scanTenantKeys(from: TenantKeyPosition | undefined, limit: number): Promise<TenantKeyRecord[]>;

  /**
   * True when any version or tenant key is stored: a keyring must then never be created afresh.
   */
  hasData(): Promise<boolean>;

  close(): Promise<void>;
}

/**
 * Thrown by a backend when a conditional write finds another revision. The store retries or
 * turns it into a ConflictError; it never reaches a caller.
 */
export class RevisionConflict extends Error {
  constructor() {
    super('the secret was changed by another writer');
    this.name = 'RevisionConflict';
  }
}
