import { parseEnvelope, SUITE_DIRECT } from '../format/envelope.js';
import type { SecretRecord, VersionRecord } from '../storage/storage-backend.js';
import { CURRENT, labelsOf } from './labels.js';
import type { SecretMetadata, VersionMetadata } from './types.js';

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

/** The public view of a secret record. */
export function secretMetadata(record: SecretRecord): SecretMetadata {
  return {
    tenant: record.tenant,
    name: record.name,
    currentVersion: record.labels[CURRENT] ?? 0,
    latestVersion: record.latestVersion,
    versionCount: record.versions.length,
    labels: { ...record.labels },
    description: record.description,
    tags: { ...record.tags },
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    deletedAt: date(record.deletedAt),
    recoverableUntil: date(record.purgeAfter),
  };
}

/**
 * The public view of a version record. Reading the envelope's header decrypts nothing and
 * calls no key provider; a header that does not parse is an IntegrityError.
 */
export function versionMetadata(record: VersionRecord, secret: SecretRecord): VersionMetadata {
  if (record.legacy) {
    return legacyMetadata(record, secret);
  }
  const envelope = parseEnvelope(record.envelope);

  return {
    version: record.version,
    labels: labelsOf(secret.labels, record.version),
    createdAt: new Date(record.createdAt),
    expiresAt: date(record.expiresAt),
    contentType: record.contentType,
    size: record.size,
    storedSize: record.envelope.length,
    mode: envelope.suite === SUITE_DIRECT ? 'direct' : 'envelope',
    key: envelope.keyRef,
  };
}

/** A legacy item has no envelope header: direct mode, key unnamed, context none. */
function legacyMetadata(record: VersionRecord, secret: SecretRecord): VersionMetadata {
  return {
    version: record.version,
    labels: labelsOf(secret.labels, record.version),
    createdAt: new Date(record.createdAt),
    size: record.size,
    storedSize: record.envelope.length,
    mode: 'direct',
    key: LEGACY_KEY,
    legacy: true,
  };
}

/** The key reference shown for legacy items, which name no key of their own. */
export const LEGACY_KEY = Object.freeze({
  provider: 'legacy',
  keyId: '',
  keyVersion: 0,
  layer: 'master' as const,
});
