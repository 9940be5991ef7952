import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { StorageError } from '../errors.js';
import { Expression } from './dynamodb-expression.js';
import {
  headItem,
  itemKey,
  SORT_KEY,
  toVersion,
  versionItem,
  versionKey,
} from './dynamodb-items.js';
import { MAX_TRANSACTION_ACTIONS, type TableRequests } from './dynamodb-requests.js';
import {
  RevisionConflict,
  type SecretRecord,
  type VersionRecord,
  type VersionWrite,
} from './storage-backend.js';

// A version write holds the head, the new version and perhaps one check: the rest of the 100
// actions a transaction may hold go to retention deletes.
const MAX_DESTROY = MAX_TRANSACTION_ACTIONS - 3;

/** A transaction action that fails unless the version's envelope is still `version.envelope`. */
export function envelopeCheck(table: string, version: VersionRecord): TransactWriteItem {
  const e = new Expression();
  const Key = itemKey(version.tenant, versionKey(version.name, version.version));
  const ConditionExpression = e.equals('envelope', { B: version.envelope });

  return { ConditionCheck: { TableName: table, Key, ConditionExpression, ...e.params() } };
}

/**
 * The version a head written with `secret` copies: the new one, as every store write makes it
 * current; else the one `current` names, read here and checked in the transaction.
 */
async function currentFor(requests: TableRequests, secret: SecretRecord, written: VersionRecord) {
  const number = secret.labels.current;
  if (number === undefined || number === written.version) {
    return { current: number === undefined ? undefined : written, check: undefined };
  }

  const item = await requests.get('write', secret.tenant, versionKey(secret.name, number));
  const current = item && toVersion(item);
  return { current, check: current && envelopeCheck(requests.table, current) };
}

/**
 * One TransactWriteItems: the head (conditional on its revision, or on not existing), the new
 * version item (conditional on not existing) and the deletes of the versions retention
 * destroys. Past what one transaction holds, destroyed versions stay listed in the head and the
 * next writes destroy them: a retention backlog drains without ever orphaning a version item.
 */
export async function writeVersion(requests: TableRequests, write: VersionWrite): Promise<void> {
  const { secret, version, expectedRevision } = write;
  const { tenant, name } = secret;
  const destroy = write.destroyVersions.slice(0, MAX_DESTROY);
  const kept = write.destroyVersions.slice(MAX_DESTROY);
  const versions =
    kept.length === 0 ? secret.versions : [...secret.versions, ...kept].sort((a, b) => a - b);
  const { current, check } = await currentFor(requests, secret, version);

  const head = new Expression();
  const expected =
    expectedRevision === 0
      ? head.absent(SORT_KEY)
      : head.equals('revision', { N: String(expectedRevision) });
  const fresh = new Expression();
  const TableName = requests.table;
  const actions: TransactWriteItem[] = [
    {
      Put: {
        TableName,
        Item: headItem({ ...secret, versions }, current),
        ConditionExpression: expected,
        ...head.params(),
      },
    },
    {
      Put: {
        TableName,
        Item: versionItem(version),
        ConditionExpression: fresh.absent(SORT_KEY),
        ...fresh.params(),
      },
    },
    ...destroy.map((number) => ({
      Delete: { TableName, Key: itemKey(tenant, versionKey(name, number)) },
    })),
    ...(check === undefined ? [] : [check]),
  ];

  const codes = await requests.tryTransact('write', actions);
  if (codes === undefined) {
    return;
  }
  // The head held but the version item exists: no other writer explains that, and retrying
  // would only fail again. It takes an item the head does not list (a damaged table).
  if (codes[0] !== 'ConditionalCheckFailed' && codes[1] === 'ConditionalCheckFailed') {
    throw new StorageError(
      `DynamoDB write on table ${TableName} failed: version ${version.version} of secret ` +
        `${name} of tenant ${tenant} is already stored, though the secret record does not list it`,
    );
  }
  throw new RevisionConflict();
}
