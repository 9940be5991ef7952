import { type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Expression } from './dynamodb-expression.js';
import { itemKey, LEGACY_VALUE, PARTITION_KEY, SORT_KEY } from './dynamodb-items.js';
import { isLegacyItem } from './dynamodb-legacy.js';
import { versionsQuery } from './dynamodb-queries.js';
import {
  isWriteConflict,
  MAX_TRANSACTION_ACTIONS,
  type TableRequests,
} from './dynamodb-requests.js';
import { RevisionConflict } from './storage-backend.js';

// The `purgeAfter` of a head marked for a purge in several transactions: the epoch, a window
// that no clock, however far it lags, reads as still open.
const MARKED = '0';

/** The head's revision holds: `revision = n`, or for 0 no revision at all (absent or legacy). */
function revisionHolds(e: Expression, expected: number): string {
  return expected === 0
    ? `attribute_not_exists(${e.name('revision')})`
    : e.equals('revision', { N: String(expected) });
}

/**
 * Marks the head deleted with a recovery window that closed before it opened, bumping its
 * revision: from here on every reader sees the secret as gone, and the first read or write to
 * meet it purges what is left (the store purges a secret past its window on access).
 * `purgeAfter` is 0 rather than this clock's now, so that no process whose clock lags finds the
 * secret still in its window and restores half of it.
 */
async function markPurging(
  requests: TableRequests,
  tenant: string,
  name: string,
  revision: number,
) {
  const e = new Expression();
  const command = new UpdateItemCommand({
    TableName: requests.table,
    Key: itemKey(tenant, name),
    UpdateExpression: e.update({
      revision: { N: String(revision + 1) },
      deletedAt: { N: String(Date.now()) },
      purgeAfter: { N: MARKED },
    }),
    ConditionExpression: e.equals('revision', { N: String(revision) }),
    ...e.params(),
  });

  await requests.run('purge', async () => {
    try {
      await requests.client.send(command);
    } catch (error) {
      throw isWriteConflict(error) ? new RevisionConflict() : error;
    }
  });
}

/**
 * Deletes a secret's head and every version item, explicitly and at once (TTL would take up to
 * two days). The version keys come from a Query, not from the head's list, so that nothing with
 * the secret's prefix is left behind to clash with a secret of the same name created later.
 *
 * A transaction holds 100 actions: a secret of up to 99 versions goes in one. A secret with more
 * goes in several, and a crash between them must not leave a head that still serves its value
 * while versions are gone. So the head is first marked deleted past its recovery window (one
 * UpdateItem, conditional on the revision read), then every transaction checks the marked
 * revision, and the head goes in the last. A writer that slips in stops the purge, and the head
 * (still there, with its new revision) lets the store's retry finish it; a crash part-way leaves
 * a secret that reads as not found, whose next read or write finishes the purge.
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
    'purgeAfter',
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

  // Revision 0 is no head (only stray version items, which nothing reads) or a legacy item
  // (which has no version items): there is no live head to mark, and an UpdateItem on an absent
  // key would create one. A head already marked (a purge that crashed, or one still running)
  // is not marked again, which would fail the other purge's next transaction for nothing.
  const marked = head?.purgeAfter?.N === MARKED;
  let holds = expectedRevision;
  if (keys.length >= MAX_TRANSACTION_ACTIONS && expectedRevision > 0 && !marked) {
    await markPurging(requests, tenant, name, expectedRevision);
    holds = expectedRevision + 1;
  }

  const remove = (sortKey: string): TransactWriteItem => ({
    Delete: { TableName: requests.table, Key: itemKey(tenant, sortKey) },
  });
  let rest = keys;
  while (rest.length >= MAX_TRANSACTION_ACTIONS) {
    const check = new Expression();
    const ConditionExpression = revisionHolds(check, holds);
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
  const ConditionExpression = revisionHolds(last, holds);
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
