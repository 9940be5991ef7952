import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { Expression } from './dynamodb-expression.js';
import {
  FIRST_HEAD_KEY,
  itemKey,
  PARTITION_KEY,
  RECORD_ATTRIBUTES,
  SORT_KEY,
  versionPrefix,
} from './dynamodb-items.js';
import { compareText } from './dynamodb-scans.js';
import type { ListSecretsQuery } from './storage-backend.js';

type Query = Omit<QueryCommandInput, 'TableName'>;

// Every prefix of a valid name: anything else matches no name.
const NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._\-/+=@]*$/;

/**
 * Every version item of a secret, newest first (the 10-digit keys sort by number); with
 * `attributes`, only those come back.
 */
export function versionsQuery(tenant: string, name: string, attributes?: readonly string[]) {
  const e = new Expression();
  const inTenant = e.equals(PARTITION_KEY, { S: tenant });
  const condition = `${inTenant} AND ${e.beginsWith(SORT_KEY, versionPrefix(name))}`;
  const projection = attributes && { ProjectionExpression: e.projection(attributes) };

  return {
    KeyConditionExpression: condition,
    ScanIndexForward: false,
    ...projection,
    ...e.params(),
  } satisfies Query;
}

/**
 * The Query for a page of a tenant's heads, without their envelopes; undefined when no name can
 * match. The tenant comes from the call, never from a cursor. Only heads can match: a prefix
 * must start with a name character, and the range without one starts at `0`, both above every
 * `#v#` version key and `#k#` tenant key.
 */
export function secretsQuery(tenant: string, query: ListSecretsQuery): Query | undefined {
  const { prefix, after } = query;
  const e = new Expression();
  const inTenant = e.equals(PARTITION_KEY, { S: tenant });
  let condition: string;
  let start: Query['ExclusiveStartKey'];

  if (prefix !== undefined && prefix !== '') {
    const pastPrefix =
      after !== undefined && !after.startsWith(prefix) && compareText(after, prefix) > 0;
    if (!NAME_PREFIX.test(prefix) || pastPrefix) {
      return undefined;
    }
    condition = `${inTenant} AND ${e.beginsWith(SORT_KEY, prefix)}`;
    // A key condition holds one range test; ExclusiveStartKey resumes after `after` instead.
    start = after?.startsWith(prefix) ? itemKey(tenant, after) : undefined;
  } else {
    const bound =
      after !== undefined && compareText(after, FIRST_HEAD_KEY) >= 0 ? after : undefined;
    const range =
      bound === undefined ? `>= ${e.value({ S: FIRST_HEAD_KEY })}` : `> ${e.value({ S: bound })}`;
    condition = `${inTenant} AND ${e.name(SORT_KEY)} ${range}`;
  }

  return {
    KeyConditionExpression: condition,
    ProjectionExpression: e.projection(RECORD_ATTRIBUTES),
    ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    ...e.params(),
  };
}
