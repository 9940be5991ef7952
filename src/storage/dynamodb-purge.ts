import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { Expression } from './dynamodb-expression.js';
import { itemKey, LEGACY_VALUE, PARTITION_KEY, SORT_KEY } from './dynamodb-items.js';
import { isLegacyItem } from './dynamodb-legacy.js';
import { versionsQuery } from './dynamodb-queries.js';
import { MAX_TRANSACTION_ACTIONS, type TableRequests } from './dynamodb-requests.js';
import { RevisionConflict } from './storage-backend.js';

/** The head's revision holds: `revision = n`, or for 0 no revision at all (absent or legacy). */
function revisionHolds(e: Expression, expected: number): string {
  return expected === 0
    ? `attribute_not_exists(${e.name('revision')})`
    : e.equals('revision', { N: String(expected) });
}

/**
 * Deletes a secret's head and every version item, explicitly and at once (TTL would take up to
 * two days). The version keys come from a Query, not from the head's list, so that nothing with
 * the secret's prefix is left behind to clash with a secret of the same name created later.
 *
 * A transaction holds 100 actions, so a secret with more versions goes in several. Every one of
 * them checks the head's revision, and the head goes in the last: a writer that slips in stops
 * the purge, and the head (still there, with its new revision) lets the store's retry finish
 * it. A crash part-way likewise leaves the head for the next purge to start from.
 */
export async function purgeSecret(
  requests: TableRequests,
  tenant: string,
  name: string,
  expectedRevision: number,
): Promise<number> {
  const head = await requests.get('purge', tenant, name, [
    PARTITION_KEY,
    SORT_KEY,
    'revision',
    LEGACY_VALUE,
  ]);
  const revision = head?.revision?.N === undefined ? 0 : Number(head.revision.N);
  if (revision !== expectedRevision) {
    throw new RevisionConflict();
  }

  const keys: string[] = [];
  for await (const item of requests.query('purge', versionsQuery(tenant, name, [SORT_KEY]))) {
    keys.push(item[SORT_KEY]?.S ?? '');
  }

  const remove = (sortKey: string): TransactWriteItem => ({
    Delete: { TableName: requests.table, Key: itemKey(tenant, sortKey) },
  });
  let rest = keys;
  while (rest.length >= MAX_TRANSACTION_ACTIONS) {
    const check = new Expression();
    const ConditionExpression = revisionHolds(check, expectedRevision);
    await requests.transact('purge', [
      {
        ConditionCheck: {
          TableName: requests.table,
          Key: itemKey(tenant, name),
          ConditionExpression,
          ...check.params(),
        },
      },
      ...rest.slice(0, MAX_TRANSACTION_ACTIONS - 1).map(remove),
    ]);
    rest = rest.slice(MAX_TRANSACTION_ACTIONS - 1);
  }

  const last = new Expression();
  const ConditionExpression = revisionHolds(last, expectedRevision);
  await requests.transact('purge', [
    {
      Delete: {
        TableName: requests.table,
        Key: itemKey(tenant, name),
        ConditionExpression,
        ...last.params(),
      },
    },
    ...rest.map(remove),
  ]);

  // A legacy item is its secret's version 1.
  return keys.length + (head !== undefined && isLegacyItem(head) ? 1 : 0);
}
