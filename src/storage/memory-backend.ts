import {
  type CurrentRecords,
  type ListSecretsQuery,
  RevisionConflict,
  type ScanPosition,
  type SecretPage,
  type SecretRecord,
  type StorageBackend,
  type TenantKeyPosition,
  type TenantKeyRecord,
  type VersionRecord,
  type VersionWrite,
} from './storage-backend.js';

interface Row {
  secret: SecretRecord;
  versions: Map<number, VersionRecord>;
}

function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function copyVersion(record: VersionRecord): VersionRecord {
  return { ...record, envelope: Uint8Array.from(record.envelope) };
}

function copyTenantKey(record: TenantKeyRecord): TenantKeyRecord {
  return { ...record, wrapped: Uint8Array.from(record.wrapped) };
}

function copySecret(record: SecretRecord): SecretRecord {
  return {
    ...record,
    versions: [...record.versions],
    labels: { ...record.labels },
    tags: { ...record.tags },
  };
}

/**
 * Keeps everything in this process's memory, for tests and short-lived tools. Records are
 * copied in and out, so a caller holding one cannot change what is stored.
 */
export class MemoryBackend implements StorageBackend {
  readonly kind = 'memory';
  readonly #tenants = new Map<string, Map<string, Row>>();
  readonly #tenantKeys = new Map<string, Map<number, TenantKeyRecord>>();

  #row(tenant: string, name: string): Row | undefined {
    return this.#tenants.get(tenant)?.get(name);
  }

  #check(tenant: string, name: string, expectedRevision: number): Row | undefined {
    const row = this.#row(tenant, name);
    if ((row?.secret.revision ?? 0) !== expectedRevision) {
      throw new RevisionConflict();
    }
    return row;
  }

  async getSecret(tenant: string, name: string): Promise<SecretRecord | undefined> {
    const row = this.#row(tenant, name);
    return row && copySecret(row.secret);
  }

  async getVersion(tenant: string, name: string, version: number) {
    const record = this.#row(tenant, name)?.versions.get(version);
    return record && copyVersion(record);
  }

  async getCurrent(tenant: string, name: string) {
    const row = this.#row(tenant, name);
    if (row === undefined) {
      return undefined;
    }
    const current = row.versions.get(row.secret.labels.current ?? 0);

    return { secret: copySecret(row.secret), version: current && copyVersion(current) };
  }

  async getCurrentMany(tenant: string, names: readonly string[]) {
    const found = new Map<string, CurrentRecords>();
    for (const name of names) {
      const current = await this.getCurrent(tenant, name);
      if (current !== undefined) {
        found.set(name, current);
      }
    }

    return found;
  }

  async listVersions(tenant: string, name: string): Promise<VersionRecord[]> {
    const versions = [...(this.#row(tenant, name)?.versions.values() ?? [])];
    return versions.sort((a, b) => b.version - a.version).map(copyVersion);
  }

  async listSecrets(tenant: string, query: ListSecretsQuery): Promise<SecretPage> {
    const names = [...(this.#tenants.get(tenant)?.keys() ?? [])]
      .filter((name) => query.prefix === undefined || name.startsWith(query.prefix))
      .filter((name) => query.after === undefined || compareText(name, query.after) > 0)
      .sort(compareText);
    const page = names.slice(0, query.limit);
    const secrets = page.map((name) => copySecret((this.#row(tenant, name) as Row).secret));

    return { secrets, more: names.length > page.length };
  }

  async writeVersion(write: VersionWrite): Promise<void> {
    const { tenant, name } = write.secret;
    const existing = this.#check(tenant, name, write.expectedRevision);
    if (existing?.versions.has(write.version.version)) {
      throw new RevisionConflict();
    }

    const row = existing ?? { secret: write.secret, versions: new Map() };
    row.secret = copySecret(write.secret);
    row.versions.set(write.version.version, copyVersion(write.version));
    for (const version of write.destroyVersions) {
      row.versions.delete(version);
    }
    const rows = this.#tenants.get(tenant) ?? new Map<string, Row>();
    rows.set(name, row);
    this.#tenants.set(tenant, rows);
  }

  async updateSecret(secret: SecretRecord, expectedRevision: number): Promise<void> {
    const row = this.#check(secret.tenant, secret.name, expectedRevision);
    if (row === undefined) {
      throw new RevisionConflict();
    }
    row.secret = copySecret(secret);
  }

  async purgeSecret(tenant: string, name: string, expectedRevision: number): Promise<number> {
    const row = this.#check(tenant, name, expectedRevision);
    if (row === undefined) {
      return 0;
    }
    this.#tenants.get(tenant)?.delete(name);
    return row.versions.size;
  }

  async scanVersions(from: ScanPosition | undefined, limit: number): Promise<VersionRecord[]> {
    const all: VersionRecord[] = [];
    for (const rows of this.#tenants.values()) {
      for (const row of rows.values()) {
        all.push(...row.versions.values());
      }
    }
    const ordered = all.sort(comparePosition).filter((v) => !from || comparePosition(v, from) > 0);

    return ordered.slice(0, limit).map(copyVersion);
  }

  async replaceEnvelope(position: ScanPosition, expected: Uint8Array, next: Uint8Array) {
    const row = this.#row(position.tenant, position.name);
    const record = row?.versions.get(position.version);
    if (row === undefined || record === undefined) {
      return false;
    }
    if (!Buffer.from(record.envelope).equals(expected)) {
      return false;
    }
    row.versions.set(position.version, { ...record, envelope: Uint8Array.from(next) });
    return true;
  }

  async listTenantKeys(tenant: string): Promise<TenantKeyRecord[]> {
    const records = [...(this.#tenantKeys.get(tenant)?.values() ?? [])];
    return records.sort((a, b) => a.version - b.version).map(copyTenantKey);
  }

  async addTenantKey(record: TenantKeyRecord): Promise<void> {
    const versions = this.#tenantKeys.get(record.tenant) ?? new Map<number, TenantKeyRecord>();
    if (versions.has(record.version)) {
      throw new RevisionConflict();
    }

    versions.set(record.version, copyTenantKey(record));
    this.#tenantKeys.set(record.tenant, versions);
  }

  async replaceTenantKey(position: TenantKeyPosition, expected: Uint8Array, next: Uint8Array) {
    const record = this.#tenantKeyStill(position, expected);
    if (record === undefined) {
      return false;
    }

    this.#tenantKeys.get(position.tenant)?.set(position.version, {
      ...record,
      wrapped: Uint8Array.from(next),
    });
    return true;
  }

  async deleteTenantKey(position: TenantKeyPosition, expected: Uint8Array) {
    const record = this.#tenantKeyStill(position, expected);

    return (
      record !== undefined &&
      this.#tenantKeys.get(position.tenant)?.delete(position.version) === true
    );
  }

  /** The stored tenant key at `position`, only if its bytes are still `expected`. */
  #tenantKeyStill(position: TenantKeyPosition, expected: Uint8Array) {
    const record = this.#tenantKeys.get(position.tenant)?.get(position.version);

    return record !== undefined && Buffer.from(record.wrapped).equals(expected)
      ? record
      : undefined;
  }

  async scanTenantKeys(from: TenantKeyPosition | undefined, limit: number) {
    const all = [...this.#tenantKeys.values()].flatMap((versions) => [...versions.values()]);
    const ordered = all
      .sort(compareTenantKeys)
      .filter((record) => from === undefined || compareTenantKeys(record, from) > 0);

    return ordered.slice(0, limit).map(copyTenantKey);
  }

  async hasData(): Promise<boolean> {
    for (const versions of this.#tenantKeys.values()) {
      if (versions.size > 0) {
        return true;
      }
    }
    for (const rows of this.#tenants.values()) {
      for (const row of rows.values()) {
        if (row.versions.size > 0) {
          return true;
        }
      }
    }
    return false;
  }

  async close(): Promise<void> {}
}

/** Order of tenant keys: tenant (UTF-8 bytes), then version number. */
export function compareTenantKeys(a: TenantKeyPosition, b: TenantKeyPosition): number {
  return compareText(a.tenant, b.tenant) || a.version - b.version;
}

/** Key order of versions: tenant, then name (UTF-8 bytes), then version number. */
export function comparePosition(a: ScanPosition, b: ScanPosition): number {
  return compareText(a.tenant, b.tenant) || compareText(a.name, b.name) || a.version - b.version;
}
