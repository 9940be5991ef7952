import {
  type Item,
  ItemReader,
  LEGACY_VALUE,
  malformed,
  PARTITION_KEY,
  SORT_KEY,
} from './dynamodb-items.js';
import type { LegacyItem, SecretRecord, VersionRecord } from './storage-backend.js';

/**
 * Items in the layout strongroom grew from (the article's `storeSecret`): `customerId`,
 * `secretId` (the name), `encryptedValue` (base64 of a KMS ciphertext with no encryption
 * context) and `createdAt` (an ISO 8601 string). Each reads as version 1 of its secret.
 */

/** True for an item in the layout strongroom grew from: a ciphertext and no revision. */
export function isLegacyItem(item: Item): boolean {
  return item.revision === undefined && item[LEGACY_VALUE] !== undefined;
}

// Standard base64, as Buffer.toString('base64') writes it: the only form the article produced.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A legacy item as the seam sees it, and the ciphertext attribute exactly as stored. */
export function toLegacy(item: Item): LegacyItem & { readonly stored: string } {
  const read = new ItemReader(item);
  const stored = read.required(read.string(LEGACY_VALUE), LEGACY_VALUE);
  const createdAt = Date.parse(read.required(read.string('createdAt'), 'createdAt'));
  if (stored.length === 0 || !BASE64.test(stored)) {
    throw malformed(item, LEGACY_VALUE);
  }
  if (!Number.isSafeInteger(createdAt)) {
    throw malformed(item, 'createdAt');
  }

  return {
    tenant: read.required(read.string(PARTITION_KEY), PARTITION_KEY),
    name: read.required(read.string(SORT_KEY), SORT_KEY),
    blob: new Uint8Array(Buffer.from(stored, 'base64')),
    createdAt,
    stored,
  };
}

/** A legacy item's secret record: version 1 only, current, never written by strongroom. */
export function legacySecret(item: LegacyItem): SecretRecord {
  return {
    tenant: item.tenant,
    name: item.name,
    revision: 0,
    latestVersion: 1,
    versions: [1],
    labels: { current: 1 },
    tags: {},
    createdAt: item.createdAt,
    updatedAt: item.createdAt,
    legacy: true,
  };
}

/** A legacy item's version 1: the bare ciphertext, whose plaintext length is not known. */
export function legacyVersion(item: LegacyItem): VersionRecord {
  return {
    tenant: item.tenant,
    name: item.name,
    version: 1,
    envelope: Uint8Array.from(item.blob),
    createdAt: item.createdAt,
    size: 0,
    legacy: true,
  };
}
