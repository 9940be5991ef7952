import { Expression } from './dynamodb-expression.js';
import {
  headItem,
  type Item,
  LEGACY_VALUE,
  PARTITION_KEY,
  SORT_KEY,
  versionItem,
} from './dynamodb-items.js';
import { isLegacyItem } from './dynamodb-legacy.js';
import type { TableRequests } from './dynamodb-requests.js';
import type { LegacyItem, VersionWrite } from './storage-backend.js';

/** Transactions retried when they clash with another in flight, before giving the item up. */
const ATTEMPTS = 3;

type ReadLegacy = (item: Item) => LegacyItem & { readonly stored: string };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * Replaces a legacy item with the head `write` describes and puts its version 1, in one
 * transaction conditional on the ciphertext attribute being exactly as stored (read here, so
 * that the condition compares the string itself, not a re-encoding of its bytes). Returns false,
 * writing nothing, when the item is gone, changed, or already migrated.
 */
export async function migrateLegacy(
  requests: TableRequests,
  readLegacy: ReadLegacy,
  item: LegacyItem,
  write: VersionWrite,
): Promise<boolean> {
  const attributes = [PARTITION_KEY, SORT_KEY, 'revision', LEGACY_VALUE, 'createdAt'];
  const found = await requests.get('migrate', item.tenant, item.name, attributes);
  if (found === undefined || !isLegacyItem(found)) {
    return false;
  }
  const stored = readLegacy(found);
  if (!sameBytes(stored.blob, item.blob)) {
    return false;
  }

  const { secret, version } = write;
  const current = secret.labels.current === version.version ? version : undefined;
  const head = new Expression();
  const unchanged =
    `${head.equals(LEGACY_VALUE, { S: stored.stored })} AND ` +
    `attribute_not_exists(${head.name('revision')})`;
  const fresh = new Expression();
  const actions = [
    {
      Put: {
        TableName: requests.table,
        Item: headItem(secret, current),
        ConditionExpression: unchanged,
        ...head.params(),
      },
    },
    {
      Put: {
        TableName: requests.table,
        Item: versionItem(version),
        ConditionExpression: `attribute_not_exists(${fresh.name(SORT_KEY)})`,
        ...fresh.params(),
      },
    },
  ];

  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const codes = await requests.tryTransact('migrate', actions);
    if (codes === undefined) {
      return true;
    }
    if (codes.includes('ConditionalCheckFailed')) {
      return false;
    }
  }
  return false;
}
