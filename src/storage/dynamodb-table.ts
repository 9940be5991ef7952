import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { StorageError } from '../errors.js';
import { PARTITION_KEY, SORT_KEY } from './dynamodb-items.js';

/** How {@link createSecretsTable} waits. */
export interface CreateTableOptions {
  /** How long to wait for the table to become ACTIVE; 300 seconds by default. */
  readonly maxWaitSeconds?: number | undefined;
}

const WANTED = `partition key ${PARTITION_KEY} (S) and sort key ${SORT_KEY} (S)`;

function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as Error).name : undefined;
}

function hasRightKeys(table: TableDescription): boolean {
  const keys = table.KeySchema ?? [];
  const types = new Map(
    (table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]),
  );
  const key = (type: string) => keys.find((k) => k.KeyType === type)?.AttributeName;

  return (
    keys.length === 2 &&
    key('HASH') === PARTITION_KEY &&
    key('RANGE') === SORT_KEY &&
    types.get(PARTITION_KEY) === 'S' &&
    types.get(SORT_KEY) === 'S'
  );
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    const output = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return output.Table;
  } catch (error) {
    if (nameOf(error) === 'ResourceNotFoundException') {
      return undefined;
    }
    throw new StorageError(`cannot describe DynamoDB table ${tableName}`, { cause: error });
  }
}

/**
 * Creates the secrets table, the article's shape: partition key `customerId` (S), sort key
 * `secretId` (S), on-demand billing, and waits until it is ACTIVE. An existing table with those
 * keys is fine (returns false, changing nothing); one with other keys is an error, since the
 * layout depends on them.
 *
 * @returns true when this call created the table.
 * @example
 * await createSecretsTable(new DynamoDBClient({}), 'secrets');
 */
export async function createSecretsTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateTableOptions = {},
): Promise<boolean> {
  const maxWaitTime = options.maxWaitSeconds ?? 300;
  let created = false;

  if ((await describe(client, tableName)) === undefined) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
            { AttributeName: SORT_KEY, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: PARTITION_KEY, AttributeType: 'S' },
            { AttributeName: SORT_KEY, AttributeType: 'S' },
          ],
        }),
      );
      created = true;
    } catch (error) {
      // Another caller created it first: check its keys below like any existing table.
      if (nameOf(error) !== 'ResourceInUseException') {
        throw new StorageError(`cannot create DynamoDB table ${tableName}`, { cause: error });
      }
    }
  }

  try {
    // A new table is ACTIVE within seconds: poll at 1 to 5 s, not the waiter's default 20 s.
    const waiter = { client, maxWaitTime, minDelay: 1, maxDelay: 5 };
    await waitUntilTableExists(waiter, { TableName: tableName });
  } catch (error) {
    throw new StorageError(`DynamoDB table ${tableName} did not become ACTIVE`, { cause: error });
  }

  const table = await describe(client, tableName);
  if (table === undefined || !hasRightKeys(table)) {
    throw new StorageError(
      `DynamoDB table ${tableName} exists with other keys; strongroom needs ${WANTED}`,
    );
  }

  return created;
}
