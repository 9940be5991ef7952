import { type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { StorageError } from '../errors.js';
import { Expression } from './dynamodb-expression.js';
import {
  copyAttributes,
  type Item,
  itemKey,
  recordAttributes,
  toVersion,
  versionKey,
} from './dynamodb-items.js';
import { isWriteConflict, type TableRequests } from './dynamodb-requests.js';
import { RevisionConflict, type ScanPosition, type SecretRecord } from './storage-backend.js';

/** Enough rounds for a rewrap to outlast a label that moves to and from the version it swaps. */
const REWRAP_ROUNDS = 10;

const integer = (value: number) => ({ N: String(value) });

// The head's attribute naming the version its copy is of.
const CURRENT = 'currentVersion';

/**
 * Replaces a head's secret record, if its revision is `expectedRevision`. When `current` stays
 * where it was, one UpdateItem leaves the head's copy of the current version alone. When the
 * condition fails, the item it failed on comes back at no read cost: if only `current` moved,
 * the target version is read and copied into the head in one transaction, which also checks
 * that the version's envelope is still the one read (a rewrap may be swapping it).
 */
export async function updateSecret(
  requests: TableRequests,
  secret: SecretRecord,
  expectedRevision: number,
): Promise<void> {
  const { tenant, name } = secret;
  const current = secret.labels.current;
  const e = new Expression();
  const stays = current === undefined ? e.absent(CURRENT) : e.equals(CURRENT, integer(current));
  const command = new UpdateItemCommand({
    TableName: requests.table,
    Key: itemKey(tenant, name),
    UpdateExpression: e.update(recordAttributes(secret)),
    ConditionExpression: `${e.equals('revision', integer(expectedRevision))} AND ${stays}`,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ...e.params(),
  });

  const failedOn = await requests.run('update', async () => {
    try {
      await requests.client.send(command);
      return undefined;
    } catch (error) {
      if (!isWriteConflict(error)) {
        throw error;
      }
      return (error as { Item?: Item }).Item ?? {};
    }
  });
  if (failedOn === undefined) {
    return;
  }
  if (failedOn.revision?.N !== String(expectedRevision)) {
    throw new RevisionConflict();
  }

  await moveCurrent(requests, secret, expectedRevision);
}

async function moveCurrent(requests: TableRequests, secret: SecretRecord, expected: number) {
  const { tenant, name } = secret;
  const target = secret.labels.current;
  const item =
    target === undefined
      ? undefined
      : await requests.get('update', tenant, versionKey(name, target));
  const version = item && toVersion(item);

  const e = new Expression();
  const actions: TransactWriteItem[] = [
    {
      Update: {
        TableName: requests.table,
        Key: itemKey(tenant, name),
        UpdateExpression: e.update({ ...recordAttributes(secret), ...copyAttributes(version) }),
        ConditionExpression: e.equals('revision', integer(expected)),
        ...e.params(),
      },
    },
  ];
  if (version !== undefined) {
    const check = new Expression();
    actions.push({
      ConditionCheck: {
        TableName: requests.table,
        Key: itemKey(tenant, versionKey(name, version.version)),
        ConditionExpression: check.equals('envelope', { B: version.envelope }),
        ...check.params(),
      },
    });
  }

  await requests.transact('update', actions);
}

/**
 * Swaps a version's envelope, if it is still `expected`; when the version is its head's current
 * one, the head's copy is swapped in the same transaction. Which form applies is only known to
 * the head, so the swap tries the form for an old version first (the commoner in a rewrap)
 * with a check that the head's current version is another, and the other form if that fails.
 */
export async function replaceEnvelope(
  requests: TableRequests,
  position: ScanPosition,
  expected: Uint8Array,
  next: Uint8Array,
): Promise<boolean> {
  const { tenant, name, version } = position;

  for (let round = 0; round < REWRAP_ROUNDS; round += 1) {
    const isCurrent = round % 2 === 1;
    const swap = new Expression();
    const head = new Expression();
    const currentVersion = head.name(CURRENT);
    const number = head.value(integer(version));
    const actions: TransactWriteItem[] = [
      {
        Update: {
          TableName: requests.table,
          Key: itemKey(tenant, versionKey(name, version)),
          UpdateExpression: `SET ${swap.name('envelope')} = ${swap.value({ B: next })}`,
          ConditionExpression: swap.equals('envelope', { B: expected }),
          ...swap.params(),
        },
      },
      isCurrent
        ? {
            Update: {
              TableName: requests.table,
              Key: itemKey(tenant, name),
              UpdateExpression: `SET ${head.name('envelope')} = ${head.value({ B: next })}`,
              ConditionExpression: `${currentVersion} = ${number}`,
              ...head.params(),
            },
          }
        : {
            ConditionCheck: {
              TableName: requests.table,
              Key: itemKey(tenant, name),
              ConditionExpression: `${head.absent(CURRENT)} OR ${currentVersion} <> ${number}`,
              ...head.params(),
            },
          },
    ];

    const codes = await requests.tryTransact('rewrap', actions);
    if (codes === undefined) {
      return true;
    }
    if (codes[0] === 'ConditionalCheckFailed') {
      return false;
    }
  }

  throw new StorageError(
    `DynamoDB rewrap on table ${requests.table} failed: version ${version} of secret ${name} ` +
      `of tenant ${tenant} kept changing`,
  );
}
