import type Database from 'better-sqlite3';
import type { TenantKeyPosition, TenantKeyRecord } from './storage-backend.js';

/**
 * The tenant key table. `IF NOT EXISTS` lets a database made by a release without tenant keys
 * gain the table on its next open: the table is additive (nothing else changes shape, so the
 * schema version stays 1), and an older release opening the file simply never reads it.
 * Clustered on (tenant, version): TEXT in BINARY collation compares as UTF-8 bytes, the order
 * the storage seam's `scanTenantKeys` asks for.
 */
export const TENANT_KEYS_SCHEMA = `
CREATE TABLE IF NOT EXISTS tenant_keys (
  tenant TEXT NOT NULL,
  version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, version)
) WITHOUT ROWID;
`;

interface TenantKeyRow {
  tenant: string;
  version: number;
  wrapped: Buffer;
  created_at: number;
}

/** Runs one statement, mapping what it throws the way the backend maps every failure. */
export type RunStatement = <T>(what: string, work: () => T) => T;

function toTenantKey(row: TenantKeyRow): TenantKeyRecord {
  return {
    tenant: row.tenant,
    version: row.version,
    // A copy: no caller shares a buffer with another or with the driver.
    wrapped: new Uint8Array(row.wrapped),
    createdAt: row.created_at,
  };
}

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The tenant key statements of a {@link SqliteBackend}. Each write is one statement, which
 * SQLite runs atomically under the write lock, so no explicit transaction is needed: the
 * conditions (not there yet, bytes still `expected`) are tested by the statement that writes.
 */
export class SqliteTenantKeys {
  readonly #run: RunStatement;
  readonly #statements;

  /** Prepares the statements; the table must exist ({@link TENANT_KEYS_SCHEMA}). */
  constructor(db: Database.Database, run: RunStatement) {
    this.#run = run;
    this.#statements = {
      list: db.prepare('SELECT * FROM tenant_keys WHERE tenant = ? ORDER BY version'),
      // DO NOTHING rather than a constraint error: a taken version is told by `changes`.
      add: db.prepare(
        `INSERT INTO tenant_keys VALUES (@tenant, @version, @wrapped, @created_at)
         ON CONFLICT (tenant, version) DO NOTHING`,
      ),
      replace: db.prepare(
        `UPDATE tenant_keys SET wrapped = ?
         WHERE tenant = ? AND version = ? AND wrapped = ?`,
      ),
      delete: db.prepare(
        'DELETE FROM tenant_keys WHERE tenant = ? AND version = ? AND wrapped = ?',
      ),
      first: db.prepare('SELECT * FROM tenant_keys ORDER BY tenant, version LIMIT ?'),
      scan: db.prepare(
        `SELECT * FROM tenant_keys WHERE (tenant, version) > (?, ?)
         ORDER BY tenant, version LIMIT ?`,
      ),
      any: db.prepare('SELECT 1 FROM tenant_keys LIMIT 1'),
    };
  }

  list(tenant: string): TenantKeyRecord[] {
    const rows = this.#run('tenant key read', () => this.#statements.list.all(tenant));
    return (rows as TenantKeyRow[]).map(toTenantKey);
  }

  /** False when the tenant already has that version; nothing is written then. */
  add(record: TenantKeyRecord): boolean {
    const { changes } = this.#run('tenant key write', () =>
      this.#statements.add.run({
        tenant: record.tenant,
        version: record.version,
        wrapped: blob(record.wrapped),
        created_at: record.createdAt,
      }),
    );

    return changes === 1;
  }

  replace(position: TenantKeyPosition, expected: Uint8Array, next: Uint8Array): boolean {
    const { tenant, version } = position;
    const { changes } = this.#run('tenant key rewrap', () =>
      this.#statements.replace.run(blob(next), tenant, version, blob(expected)),
    );

    return changes === 1;
  }

  delete(position: TenantKeyPosition, expected: Uint8Array): boolean {
    const { tenant, version } = position;
    const { changes } = this.#run('tenant key delete', () =>
      this.#statements.delete.run(tenant, version, blob(expected)),
    );

    return changes === 1;
  }

  /** Up to `limit` tenant keys after `from`, by tenant (UTF-8 bytes), then version. */
  scan(from: TenantKeyPosition | undefined, limit: number): TenantKeyRecord[] {
    // LIMIT -1 would mean no limit in SQLite.
    if (limit <= 0) {
      return [];
    }

    const rows = this.#run('tenant key scan', () =>
      from === undefined
        ? this.#statements.first.all(limit)
        : this.#statements.scan.all(from.tenant, from.version, limit),
    );
    return (rows as TenantKeyRow[]).map(toTenantKey);
  }

  any(): boolean {
    return this.#run('read', () => this.#statements.any.get()) !== undefined;
  }
}
