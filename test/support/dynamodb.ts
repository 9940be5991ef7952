import { randomUUID } from 'node:crypto';
import { after, before, type TestContext } from 'node:test';
import {
  type AttributeValue,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from '../../scripts/dynamodb-local.mjs';
import { createSecretsTable } from '../../src/storage/dynamodb-table.js';

/** Set by scripts/test.mjs to the DynamoDB Local it started for the whole run. */
export const ENDPOINT_ENV = 'STRONGROOM_TEST_DYNAMODB_ENDPOINT';
/** `skip` when DynamoDB Local cannot run here (scripts/test.mjs says why). */
export const SKIP_ENV = 'STRONGROOM_TEST_DYNAMODB';

/** The suite hooks a test file registers its setup with; node:test's own by default. */
export interface SuiteHooks {
  before(work: () => Promise<void>): void;
  after(work: () => Promise<void>): void;
}

/** DynamoDB Local for one test file, and fresh tables in it. */
export interface DynamoDbForTests {
  /** Why the DynamoDB tests skip here, or undefined when they run. */
  readonly skipReason: string | undefined;
  /** A client on DynamoDB Local, ready once the `before` hook has run. */
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Another client (for middleware that must not see other tests' requests). */
  newClient(): DynamoDBClient;
  /** Creates a secrets table with a name no other test uses; dropped after the file. */
  newTable(): Promise<string>;
  /** Drops a table now, to free the emulator's memory. */
  dropTable(name: string): Promise<void>;
  /** Skips the test when DynamoDB Local is unavailable; true when it did. */
  skip(t: TestContext): boolean;
}

let tables = 0;

/**
 * Connects to the run's DynamoDB Local, or starts one for this file when it runs alone, in the
 * suite's `before` hook; the `after` hook drops what is left and stops what it started.
 *
 * @example
 * const dynamo = dynamoDbForTests();
 * test('...', async (t) => {
 *   if (dynamo.skip(t)) return;
 *   const table = await dynamo.newTable();
 * });
 */
export function dynamoDbForTests(hooks: SuiteHooks = { before, after }): DynamoDbForTests {
  const skipReason =
    process.env[SKIP_ENV] === 'skip'
      ? `DynamoDB Local unavailable: ${SKIP_ENV}=skip (is Java 17+ installed?)`
      : undefined;
  const clients: DynamoDBClient[] = [];
  const live = new Set<string>();
  let endpoint: string | undefined;
  let started: RunningDynamoDbLocal | undefined;

  const newClient = () => {
    if (endpoint === undefined) {
      throw new Error('DynamoDB Local is not ready: use it in a test, after the before hook');
    }
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      // DynamoDB Local accepts only letters and digits in an access key id.
      credentials: { accessKeyId: 'strongroomtest', secretAccessKey: 'strongroomtest' },
    });
    clients.push(client);
    return client;
  };

  hooks.before(async () => {
    if (skipReason !== undefined) {
      return;
    }
    endpoint = process.env[ENDPOINT_ENV];
    if (endpoint === undefined) {
      started = await startDynamoDbLocal();
      endpoint = started.endpoint;
    }
    newClient();
  });

  const dropTable = async (name: string) => {
    live.delete(name);
    await clients[0]?.send(new DeleteTableCommand({ TableName: name }));
  };

  hooks.after(async () => {
    await Promise.all([...live].map(dropTable));
    for (const client of clients) {
      client.destroy();
    }
    await started?.stop();
  });

  return {
    skipReason,
    get client() {
      const client = clients[0];
      if (client === undefined) {
        throw new Error('DynamoDB Local is not ready: use it in a test, after the before hook');
      }
      return client;
    },
    get endpoint() {
      return endpoint ?? '';
    },
    newClient,
    async newTable() {
      tables += 1;
      const name = `strongroom-test-${process.pid}-${tables}`;
      await createSecretsTable(this.client, name);
      live.add(name);
      return name;
    },
    dropTable,
    skip(t: TestContext) {
      if (skipReason !== undefined) {
        t.skip(skipReason);
        return true;
      }
      return false;
    },
  };
}

/** Records the name of every command the client sends, from now on (SDK retries not counted). */
export function countCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: `countCommands-${randomUUID()}` },
  );

  return sent;
}

/** Every item of a table, as DynamoDB holds it, in key order within each tenant. */
export async function rawItems(client: DynamoDBClient, tableName: string) {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  return items;
}

/** The sort keys of every item of a table, `tenant/sortKey`, sorted. */
export async function rawKeys(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const items = await rawItems(client, tableName);
  return items.map((item) => `${item.customerId?.S}/${item.secretId?.S}`).sort();
}

/** One item as DynamoDB holds it. */
export async function rawItem(
  client: DynamoDBClient,
  tableName: string,
  tenant: string,
  sortKey: string,
) {
  const output = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { customerId: { S: tenant }, secretId: { S: sortKey } },
      ConsistentRead: true,
    }),
  );
  return output.Item;
}
