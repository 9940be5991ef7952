import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { IntegrityError } from '../errors.js';
import type { SecretRecord, VersionRecord } from './storage-backend.js';

/**
 * The item layout of docs/DYNAMODB.md. One partition per tenant; in it, one head item per
 * secret (sort key = the name) holding the secret record and a copy of its current version,
 * one item per version (sort key `#v#<name>#<version, 10 digits>`), and one per tenant key
 * version (sort key `#k#<version, 10 digits>`, in dynamodb-tenant-keys.ts).
 */

export type Item = Record<string, AttributeValue>;

/** The article's key names, so that its table (and its items) can be used as they are. */
export const PARTITION_KEY = 'customerId';
export const SORT_KEY = 'secretId';

/** The legacy layout's ciphertext attribute (base64 of a KMS ciphertext blob). */
export const LEGACY_VALUE = 'encryptedValue';

const VERSION_PREFIX = '#v#';
const VERSION_DIGITS = 10;

/** The largest version number the 10-digit sort key holds. */
export const MAX_VERSION = 10 ** VERSION_DIGITS - 1;

/**
 * Heads sort at or above `0`, the lowest character a name may start with. Version and tenant
 * keys start with `#`, which sorts below every such character, so no head range ever meets one.
 */
export const FIRST_HEAD_KEY = '0';

/** Every version key lies in [VERSIONS_FROM, VERSIONS_TO]: `$` is the character after `#`. */
export const VERSIONS_FROM = VERSION_PREFIX;
export const VERSIONS_TO = '#v$';

/** The attributes of a secret record, read without the current version's envelope. */
export const RECORD_ATTRIBUTES = [
  PARTITION_KEY,
  SORT_KEY,
  'revision',
  'latestVersion',
  'versions',
  'labels',
  'description',
  'tags',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'purgeAfter',
  LEGACY_VALUE,
] as const;

const VERSION_KEY = /^#v#([^#]+)#(\d{10})$/;

/** The sort key of one version. */
export function versionKey(name: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new RangeError(`version must be an integer from 1 to ${MAX_VERSION}`);
  }
  return `${VERSION_PREFIX}${name}#${String(version).padStart(VERSION_DIGITS, '0')}`;
}

/** What every version key of `name` starts with; the closing `#` keeps `a` from matching `ab`. */
export function versionPrefix(name: string): string {
  return `${VERSION_PREFIX}${name}#`;
}

/** The lowest possible version key after `name`/`version`, to resume a range there. */
export function versionKeyAfter(name: string, version: number): string {
  return version >= MAX_VERSION ? `${VERSION_PREFIX}${name}$` : versionKey(name, version + 1);
}

/** The primary key of an item. */
export function itemKey(tenant: string, sortKey: string): Item {
  return { [PARTITION_KEY]: { S: tenant }, [SORT_KEY]: { S: sortKey } };
}

const number = (value: number): AttributeValue => ({ N: String(value) });
const string = (value: string): AttributeValue => ({ S: value });

function optional<T>(value: T | undefined, encode: (value: T) => AttributeValue) {
  return value === undefined ? undefined : encode(value);
}

function mapOf<T>(record: Readonly<Record<string, T>>, encode: (value: T) => AttributeValue) {
  return { M: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, encode(v)])) };
}

/** A head's secret record attributes; `undefined` marks one to remove. */
export function recordAttributes(secret: SecretRecord): Record<string, AttributeValue | undefined> {
  return {
    revision: number(secret.revision),
    latestVersion: number(secret.latestVersion),
    versions: { L: secret.versions.map(number) },
    labels: mapOf(secret.labels, number),
    description: optional(secret.description, string),
    tags: mapOf(secret.tags, string),
    createdAt: number(secret.createdAt),
    updatedAt: number(secret.updatedAt),
    deletedAt: optional(secret.deletedAt, number),
    purgeAfter: optional(secret.purgeAfter, number),
  };
}

/** A head's copy of its current version; all `undefined` (removed) when there is none. */
export function copyAttributes(version: VersionRecord | undefined) {
  return {
    currentVersion: optional(version?.version, number),
    envelope: optional(version?.envelope, (envelope) => ({ B: envelope })),
    versionCreatedAt: optional(version?.createdAt, number),
    expiresAt: optional(version?.expiresAt, number),
    contentType: optional(version?.contentType, string),
    size: optional(version?.size, number),
  };
}

function defined(attributes: Record<string, AttributeValue | undefined>): Item {
  return Object.fromEntries(
    Object.entries(attributes).filter((entry): entry is [string, AttributeValue] => !!entry[1]),
  );
}

/** The head item: the secret record and a copy of `current`, its current version. */
export function headItem(secret: SecretRecord, current: VersionRecord | undefined): Item {
  return {
    ...itemKey(secret.tenant, secret.name),
    ...defined(recordAttributes(secret)),
    ...defined(copyAttributes(current)),
  };
}

/** A version item. The key alone says which version it is. */
export function versionItem(version: VersionRecord): Item {
  return defined({
    ...itemKey(version.tenant, versionKey(version.name, version.version)),
    envelope: { B: version.envelope },
    createdAt: number(version.createdAt),
    expiresAt: optional(version.expiresAt, number),
    contentType: optional(version.contentType, string),
    size: number(version.size),
  });
}

/** An item a strongroom of this layout did not write, or one since edited out of shape. */
export function malformed(item: Item, attribute: string): IntegrityError {
  const where = `${item[PARTITION_KEY]?.S ?? '?'}/${item[SORT_KEY]?.S ?? '?'}`;
  const cause = new Error(`DynamoDB item ${where} is malformed: attribute ${attribute}`);

  return new IntegrityError({ cause });
}

/** Reads one item's attributes, each checked for its type. */
export class ItemReader {
  constructor(readonly item: Item) {}

  string(attribute: string): string | undefined {
    const value = this.item[attribute];
    if (value !== undefined && typeof value.S !== 'string') {
      throw malformed(this.item, attribute);
    }
    return value?.S;
  }

  number(attribute: string): number | undefined {
    const value = this.item[attribute];
    return value === undefined ? undefined : this.integer(value, attribute);
  }

  bytes(attribute: string): Uint8Array | undefined {
    const value = this.item[attribute];
    if (value !== undefined && !(value.B instanceof Uint8Array)) {
      throw malformed(this.item, attribute);
    }
    return value?.B;
  }

  numbers(attribute: string): number[] {
    const list = this.item[attribute]?.L;
    if (list === undefined) {
      throw malformed(this.item, attribute);
    }
    return list.map((value) => this.integer(value, attribute));
  }

  map<T>(attribute: string, read: (value: AttributeValue) => T): Record<string, T> {
    const map = this.item[attribute]?.M;
    if (map === undefined) {
      throw malformed(this.item, attribute);
    }
    return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, read(value)]));
  }

  required<T>(value: T | undefined, attribute: string): T {
    if (value === undefined) {
      throw malformed(this.item, attribute);
    }
    return value;
  }

  integer(value: AttributeValue, attribute: string): number {
    const parsed = value.N === undefined ? Number.NaN : Number(value.N);
    if (!Number.isSafeInteger(parsed)) {
      throw malformed(this.item, attribute);
    }
    return parsed;
  }
}

/** The secret record of a head item (not a legacy one). */
export function toSecret(item: Item): SecretRecord {
  const read = new ItemReader(item);

  return {
    tenant: read.required(read.string(PARTITION_KEY), PARTITION_KEY),
    name: read.required(read.string(SORT_KEY), SORT_KEY),
    revision: read.required(read.number('revision'), 'revision'),
    latestVersion: read.required(read.number('latestVersion'), 'latestVersion'),
    versions: read.numbers('versions'),
    labels: read.map('labels', (value) => read.integer(value, 'labels')),
    description: read.string('description'),
    tags: read.map('tags', (value) => read.required(value.S, 'tags')),
    createdAt: read.required(read.number('createdAt'), 'createdAt'),
    updatedAt: read.required(read.number('updatedAt'), 'updatedAt'),
    deletedAt: read.number('deletedAt'),
    purgeAfter: read.number('purgeAfter'),
  };
}

/** A head's copy of its current version, or undefined when the head holds none. */
export function toCurrentCopy(item: Item): VersionRecord | undefined {
  const read = new ItemReader(item);
  const version = read.number('currentVersion');
  const envelope = read.bytes('envelope');
  if (version === undefined || envelope === undefined) {
    return undefined;
  }

  return {
    tenant: read.required(read.string(PARTITION_KEY), PARTITION_KEY),
    name: read.required(read.string(SORT_KEY), SORT_KEY),
    version,
    envelope,
    createdAt: read.required(read.number('versionCreatedAt'), 'versionCreatedAt'),
    expiresAt: read.number('expiresAt'),
    contentType: read.string('contentType'),
    size: read.required(read.number('size'), 'size'),
  };
}

/** The version record of a version item. */
export function toVersion(item: Item): VersionRecord {
  const read = new ItemReader(item);
  const key = VERSION_KEY.exec(read.string(SORT_KEY) ?? '');
  if (key === null || Number(key[2]) < 1) {
    throw malformed(item, SORT_KEY);
  }

  return {
    tenant: read.required(read.string(PARTITION_KEY), PARTITION_KEY),
    name: key[1] as string,
    version: Number(key[2]),
    envelope: read.required(read.bytes('envelope'), 'envelope'),
    createdAt: read.required(read.number('createdAt'), 'createdAt'),
    expiresAt: read.number('expiresAt'),
    contentType: read.string('contentType'),
    size: read.required(read.number('size'), 'size'),
  };
}
