import { chmodSync, closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { StorageError } from '../errors.js';
import {
  SCHEMA,
  SCHEMA_VERSION,
  type SecretRow,
  secretParams,
  toSecret,
  toVersion,
  type VersionRow,
} from './sqlite-rows.js';
import { SqliteTenantKeys, TENANT_KEYS_SCHEMA } from './sqlite-tenant-keys.js';
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

// better-sqlite3 is a native addon that takes tens of milliseconds to load: it is loaded when
// the first SQLite store opens, so that importing strongroom (for `strongroom/aws`, in a Lambda
// cold start, say) never pays for it.
const require = createRequire(import.meta.url);
let sqlite: typeof Database | undefined;

function loadSqlite(): typeof Database {
  sqlite ??= require('better-sqlite3') as typeof Database;
  return sqlite;
}

/**
 * The embedded default: one SQLite file in WAL mode through better-sqlite3. Each version write,
 * its label moves and its retention deletes run in one IMMEDIATE transaction, which takes the
 * write lock first and tests the revision inside it, so writers in other processes serialize.
 */
export class SqliteBackend implements StorageBackend {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #statements;
  readonly #tenantKeys: SqliteTenantKeys;

  /** Opens (or creates, with mode 0600) the database at `path`; `:memory:` for a scratch one. */
  constructor(path: string) {
    try {
      if (path !== ':memory:') {
        // Created 0600 before SQLite opens it, so there is no moment at the umask's mode; the
        // chmod covers a file an older version or another tool created.
        closeSync(openSync(path, 'a', 0o600));
        chmodSync(path, 0o600);
      }
      this.#db = new (loadSqlite())(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.pragma('synchronous = FULL');
      this.#db.exec(SCHEMA + TENANT_KEYS_SCHEMA);
      this.#migrate();
    } catch (error) {
      throw new StorageError(`cannot open the SQLite database at ${path}`, { cause: error });
    }

    const db = this.#db;
    this.#statements = {
      secret: db.prepare('SELECT * FROM secrets WHERE tenant = ? AND name = ?'),
      revision: db.prepare('SELECT revision FROM secrets WHERE tenant = ? AND name = ?'),
      version: db.prepare('SELECT * FROM versions WHERE tenant = ? AND name = ? AND version = ?'),
      versions: db.prepare(
        'SELECT * FROM versions WHERE tenant = ? AND name = ? ORDER BY version DESC',
      ),
      list: db.prepare(
        `SELECT * FROM secrets WHERE tenant = @tenant
           AND (@prefix IS NULL OR substr(name, 1, length(@prefix)) = @prefix)
           AND (@after IS NULL OR name > @after)
         ORDER BY name LIMIT @limit`,
      ),
      upsert: db.prepare(
        `INSERT INTO secrets VALUES (@tenant, @name, @revision, @latest_version, @versions, @labels,
           @description, @tags, @created_at, @updated_at, @deleted_at, @purge_after)
         ON CONFLICT (tenant, name) DO UPDATE SET revision = excluded.revision,
           latest_version = excluded.latest_version, versions = excluded.versions,
           labels = excluded.labels,
           description = excluded.description, tags = excluded.tags,
           updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
           purge_after = excluded.purge_after`,
      ),
      insertVersion: db.prepare(
        `INSERT INTO versions VALUES (@tenant, @name, @version, @envelope, @created_at,
           @expires_at, @content_type, @size)`,
      ),
      deleteVersion: db.prepare(
        'DELETE FROM versions WHERE tenant = ? AND name = ? AND version = ?',
      ),
      deleteVersions: db.prepare('DELETE FROM versions WHERE tenant = ? AND name = ?'),
      deleteSecret: db.prepare('DELETE FROM secrets WHERE tenant = ? AND name = ?'),
      scan: db.prepare(
        `SELECT * FROM versions WHERE (tenant, name, version) > (?, ?, ?)
         ORDER BY tenant, name, version LIMIT ?`,
      ),
      replace: db.prepare(
        `UPDATE versions SET envelope = ?
         WHERE tenant = ? AND name = ? AND version = ? AND envelope = ?`,
      ),
      any: db.prepare('SELECT 1 FROM versions LIMIT 1'),
    };
    this.#tenantKeys = new SqliteTenantKeys(db, (what, work) => this.#run(what, work));
  }

  #migrate(): void {
    const row = this.#db.prepare("SELECT value FROM strongroom_meta WHERE key = 'schema'").get() as
      | { value: string }
      | undefined;
    if (row === undefined) {
      this.#db.prepare("INSERT INTO strongroom_meta VALUES ('schema', ?)").run(SCHEMA_VERSION);
    } else if (row.value !== SCHEMA_VERSION) {
      throw new Error(`schema version ${row.value} is not supported by this strongroom`);
    }
  }

  #run<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof RevisionConflict) {
        throw error;
      }
      throw new StorageError(`SQLite ${what} failed`, { cause: error });
    }
  }

  #expectRevision(tenant: string, name: string, expected: number): void {
    const row = this.#statements.revision.get(tenant, name) as { revision: number } | undefined;
    if ((row?.revision ?? 0) !== expected) {
      throw new RevisionConflict();
    }
  }

  /**
   * Binds this database to one keyring: the first id given is kept (unless `replace`), and
   * every later call returns it. Not part of the storage seam; the embedded default uses it so
   * that a database never ends up holding data under two keyrings.
   */
  bindKeyring(keyringId: string, { replace = false } = {}): string {
    const conflict = replace ? 'DO UPDATE SET value = excluded.value' : 'DO NOTHING';
    const bind = this.#db.transaction(() => {
      this.#db
        .prepare(`INSERT INTO strongroom_meta VALUES ('keyring', ?) ON CONFLICT (key) ${conflict}`)
        .run(keyringId);
      const row = this.#db.prepare("SELECT value FROM strongroom_meta WHERE key = 'keyring'").get();
      return (row as { value: string }).value;
    });

    return this.#run('write', () => bind.immediate());
  }

  async getSecret(tenant: string, name: string): Promise<SecretRecord | undefined> {
    const row = this.#run('read', () => this.#statements.secret.get(tenant, name));
    return row === undefined ? undefined : toSecret(row as SecretRow);
  }

  async getVersion(tenant: string, name: string, version: number) {
    const row = this.#run('read', () => this.#statements.version.get(tenant, name, version));
    return row === undefined ? undefined : toVersion(row as VersionRow);
  }

  /** The secret and its current version; inside a transaction, so the two agree. */
  #current(tenant: string, name: string): CurrentRecords | undefined {
    const row = this.#statements.secret.get(tenant, name) as SecretRow | undefined;
    if (row === undefined) {
      return undefined;
    }
    const secret = toSecret(row);
    const version = this.#statements.version.get(tenant, name, secret.labels.current ?? 0);

    return {
      secret,
      version: version === undefined ? undefined : toVersion(version as VersionRow),
    };
  }

  async getCurrent(tenant: string, name: string) {
    const read = this.#db.transaction(() => this.#current(tenant, name));
    return this.#run('read', () => read());
  }

  /** One read transaction for all the names: one snapshot, and two indexed lookups per name. */
  async getCurrentMany(tenant: string, names: readonly string[]) {
    const read = this.#db.transaction(() => {
      const found = new Map<string, CurrentRecords>();
      for (const name of names) {
        const current = this.#current(tenant, name);
        if (current !== undefined) {
          found.set(name, current);
        }
      }
      return found;
    });

    return this.#run('read', () => read());
  }

  async listVersions(tenant: string, name: string): Promise<VersionRecord[]> {
    const rows = this.#run('read', () => this.#statements.versions.all(tenant, name));
    return (rows as VersionRow[]).map(toVersion);
  }

  async listSecrets(tenant: string, query: ListSecretsQuery): Promise<SecretPage> {
    const rows = this.#run('list', () =>
      this.#statements.list.all({
        tenant,
        prefix: query.prefix ?? null,
        after: query.after ?? null,
        limit: query.limit + 1,
      }),
    ) as SecretRow[];

    return { secrets: rows.slice(0, query.limit).map(toSecret), more: rows.length > query.limit };
  }

  async writeVersion(write: VersionWrite): Promise<void> {
    const { secret, version } = write;
    const commit = this.#db.transaction(() => {
      this.#expectRevision(secret.tenant, secret.name, write.expectedRevision);
      this.#statements.insertVersion.run({
        tenant: version.tenant,
        name: version.name,
        version: version.version,
        envelope: Buffer.from(
          version.envelope.buffer,
          version.envelope.byteOffset,
          version.envelope.byteLength,
        ),
        created_at: version.createdAt,
        expires_at: version.expiresAt ?? null,
        content_type: version.contentType ?? null,
        size: version.size,
      });
      this.#statements.upsert.run(secretParams(secret));
      for (const destroyed of write.destroyVersions) {
        this.#statements.deleteVersion.run(secret.tenant, secret.name, destroyed);
      }
    });

    this.#run('write', () => commit.immediate());
  }

  async updateSecret(secret: SecretRecord, expectedRevision: number): Promise<void> {
    const commit = this.#db.transaction(() => {
      this.#expectRevision(secret.tenant, secret.name, expectedRevision);
      this.#statements.upsert.run(secretParams(secret));
    });

    this.#run('write', () => commit.immediate());
  }

  async purgeSecret(tenant: string, name: string, expectedRevision: number): Promise<number> {
    const commit = this.#db.transaction(() => {
      this.#expectRevision(tenant, name, expectedRevision);
      const { changes } = this.#statements.deleteVersions.run(tenant, name);
      this.#statements.deleteSecret.run(tenant, name);
      return changes;
    });

    return this.#run('purge', () => commit.immediate());
  }

  async scanVersions(from: ScanPosition | undefined, limit: number): Promise<VersionRecord[]> {
    const start = from ?? { tenant: '', name: '', version: -1 };
    const rows = this.#run('scan', () =>
      this.#statements.scan.all(start.tenant, start.name, start.version, limit),
    );
    return (rows as VersionRow[]).map(toVersion);
  }

  async replaceEnvelope(position: ScanPosition, expected: Uint8Array, next: Uint8Array) {
    const { changes } = this.#run('rewrap', () =>
      this.#statements.replace.run(
        Buffer.from(next),
        position.tenant,
        position.name,
        position.version,
        Buffer.from(expected),
      ),
    );
    return changes === 1;
  }

  async listTenantKeys(tenant: string): Promise<TenantKeyRecord[]> {
    return this.#tenantKeys.list(tenant);
  }

  async addTenantKey(record: TenantKeyRecord): Promise<void> {
    if (!this.#tenantKeys.add(record)) {
      throw new RevisionConflict();
    }
  }

  async replaceTenantKey(position: TenantKeyPosition, expected: Uint8Array, next: Uint8Array) {
    return this.#tenantKeys.replace(position, expected, next);
  }

  async deleteTenantKey(position: TenantKeyPosition, expected: Uint8Array) {
    return this.#tenantKeys.delete(position, expected);
  }

  async scanTenantKeys(from: TenantKeyPosition | undefined, limit: number) {
    return this.#tenantKeys.scan(from, limit);
  }

  async hasData(): Promise<boolean> {
    const versions = this.#run('read', () => this.#statements.any.get()) !== undefined;

    return versions || this.#tenantKeys.any();
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
