import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageError } from '../../src/errors.js';
import { createKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { MAX_EMPTY_BATCH_ROUNDS } from '../../src/storage/dynamodb-batch.js';
import { openStore } from '../../src/store/store.js';
import { countCommands, dynamoDbForTests } from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';
import { versionWrite } from '../support/records.js';

const dynamo = dynamoDbForTests();
const T = 'acme';

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `secret-${String(i).padStart(3, '0')}`);
}

/**
 * Makes DynamoDB look throttled: keeps at most `keep` items of each BatchGetItem response (of
 * the first `responses` responses) and moves the rest into UnprocessedKeys, as DynamoDB does
 * when it cannot finish a batch.
 */
function holdBack(client: DynamoDBClient, keep: number, responses = Number.POSITIVE_INFINITY) {
  let seen = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'BatchGetItemCommand' || seen >= responses) {
        return result;
      }
      seen += 1;

      const output = result.output as BatchGetItemCommandOutput;
      const [table, items = []] = Object.entries(output.Responses ?? {})[0] ?? [];
      const held = items.splice(keep);
      if (table !== undefined && held.length > 0) {
        const keys = held.map(({ customerId, secretId }) => ({ customerId, secretId }));
        output.UnprocessedKeys = { [table]: { Keys: keys } } as typeof output.UnprocessedKeys;
      }
      return result;
    },
    { step: 'initialize', name: 'holdBack' },
  );
}

/** Records the input of every BatchGetItem the client sends. */
function batchInputs(client: DynamoDBClient): BatchGetItemCommandInput[] {
  const inputs: BatchGetItemCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        inputs.push(structuredClone(args.input as BatchGetItemCommandInput));
      }
      return next(args);
    },
    { step: 'initialize', name: 'batchInputs' },
  );

  return inputs;
}

/** A table with `count` secrets written straight through the backend, on a client of its own. */
async function filledTable(count: number, options: { consistentReads?: boolean } = {}) {
  const tableName = await dynamo.newTable();
  const client = dynamo.newClient();
  const storage = new DynamoDbBackend({ client, tableName, ...options });
  await Promise.all(names(count).map((name) => storage.writeVersion(versionWrite(T, name, 1))));

  return { tableName, client, storage };
}

describe('DynamoDbBackend.getCurrentMany', () => {
  test('a store getMany of 150 names sends 2 BatchGetItem requests', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const client = dynamo.newClient();
    const store = openStore({
      keys: new LocalKeyProvider(createKeyring()),
      storage: new DynamoDbBackend({ client, tableName }),
    });
    const all = names(150);
    await Promise.all(all.map((name) => store.put(T, name, `value of ${name}`)));
    const sent = countCommands(client);

    const { found, missing } = await store.getMany(T, all);

    assert.deepEqual(sent, ['BatchGetItemCommand', 'BatchGetItemCommand']);
    assert.deepEqual(
      found.map((version) => version.value.text()),
      all.map((name) => `value of ${name}`),
    );
    assert.deepEqual(missing, []);
  });

  test('retries the keys DynamoDB returns unprocessed', async (t) => {
    if (dynamo.skip(t)) return;
    const { client, storage } = await filledTable(150);
    holdBack(client, 40, 1);
    const sent = countCommands(client);

    const found = await storage.getCurrentMany(T, [...names(150), 'absent']);

    assert.equal(sent.length, 3, 'two batches and one retry of the held-back keys');
    assert.deepEqual([...found.keys()].sort(), names(150));
    assert.equal(found.get('secret-042')?.version?.version, 1);
  });

  test('pages cut short go on for as many rounds as they read something', async (t) => {
    if (dynamo.skip(t)) return;
    const { client, storage } = await filledTable(20);
    holdBack(client, 1);
    const sent = countCommands(client);

    const found = await storage.getCurrentMany(T, names(20));

    assert.equal(sent.length, 20, 'one item a round, past the limit on empty rounds');
    assert.equal(found.size, 20);
  });

  test('keys unprocessed round after round fail with a StorageError', async (t) => {
    if (dynamo.skip(t)) return;
    const { client, storage, tableName } = await filledTable(3);
    holdBack(client, 0);
    const sent = countCommands(client);

    await expectRejection(storage.getCurrentMany(T, names(3)), StorageError, {
      code: 'ERR_STORAGE',
      message:
        `DynamoDB batch read on table ${tableName} failed: keys were still unprocessed ` +
        `after ${MAX_EMPTY_BATCH_ROUNDS} rounds that read nothing`,
    });

    assert.equal(sent.length, MAX_EMPTY_BATCH_ROUNDS);
  });

  test('reads are strongly consistent unless the backend says otherwise', async (t) => {
    if (dynamo.skip(t)) return;
    const strong = await filledTable(1);
    const eventual = await filledTable(1, { consistentReads: false });
    const strongInputs = batchInputs(strong.client);
    const eventualInputs = batchInputs(eventual.client);

    await strong.storage.getCurrentMany(T, names(1));
    await eventual.storage.getCurrentMany(T, names(1));

    assert.equal(strongInputs[0]?.RequestItems?.[strong.tableName]?.ConsistentRead, true);
    assert.equal(eventualInputs[0]?.RequestItems?.[eventual.tableName]?.ConsistentRead, false);
  });

  test('reads an item written before strongroom as its legacy secret', async (t) => {
    if (dynamo.skip(t)) return;
    const { client, storage, tableName } = await filledTable(1);
    const item = {
      customerId: { S: T },
      secretId: { S: 'legacy-key' },
      encryptedValue: { S: Buffer.from('ciphertext').toString('base64') },
      createdAt: { S: '2024-05-01T12:00:00.000Z' },
    };
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));

    const found = await storage.getCurrentMany(T, ['legacy-key', 'secret-000']);

    assert.equal(found.get('legacy-key')?.secret.legacy, true);
    assert.equal(found.get('legacy-key')?.version?.legacy, true);
    assert.equal(found.get('secret-000')?.secret.legacy, undefined);
  });
});
