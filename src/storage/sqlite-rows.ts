import type { SecretRecord, VersionRecord } from './storage-backend.js';

/** The SQLite backend's schema and the mapping between its rows and the seam's records. */

export const SCHEMA_VERSION = '1';

// BINARY collation (the default) compares TEXT as UTF-8 bytes: the same order as every other
// backend. WITHOUT ROWID keeps each table clustered on its key.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS strongroom_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  latest_version INTEGER NOT NULL,
  versions TEXT NOT NULL,
  labels TEXT NOT NULL,
  description TEXT,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  purge_after INTEGER,
  PRIMARY KEY (tenant, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  envelope BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  content_type TEXT,
  size INTEGER NOT NULL,
  PRIMARY KEY (tenant, name, version)
) WITHOUT ROWID;
`;

export interface SecretRow {
  tenant: string;
  name: string;
  revision: number;
  latest_version: number;
  versions: string;
  labels: string;
  description: string | null;
  tags: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  purge_after: number | null;
}

export interface VersionRow {
  tenant: string;
  name: string;
  version: number;
  envelope: Buffer;
  created_at: number;
  expires_at: number | null;
  content_type: string | null;
  size: number;
}

export function toSecret(row: SecretRow): SecretRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    revision: row.revision,
    latestVersion: row.latest_version,
    versions: JSON.parse(row.versions),
    labels: JSON.parse(row.labels),
    description: row.description ?? undefined,
    tags: JSON.parse(row.tags),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at ?? undefined,
    purgeAfter: row.purge_after ?? undefined,
  };
}

export function toVersion(row: VersionRow): VersionRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    version: row.version,
    envelope: new Uint8Array(row.envelope),
    createdAt: row.created_at,
    expiresAt: row.expires_at ?? undefined,
    contentType: row.content_type ?? undefined,
    size: row.size,
  };
}

export function secretParams(secret: SecretRecord) {
  return {
    tenant: secret.tenant,
    name: secret.name,
    revision: secret.revision,
    latest_version: secret.latestVersion,
    versions: JSON.stringify(secret.versions),
    labels: JSON.stringify(secret.labels),
    description: secret.description ?? null,
    tags: JSON.stringify(secret.tags),
    created_at: secret.createdAt,
    updated_at: secret.updatedAt,
    deleted_at: secret.deletedAt ?? null,
    purge_after: secret.purgeAfter ?? null,
  };
}
