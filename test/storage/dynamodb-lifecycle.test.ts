import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { NotFoundError, SecretExpiredError, StorageError } from '../../src/errors.js';
import { createKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import type { SecretRecord } from '../../src/storage/storage-backend.js';
import { openStore } from '../../src/store/store.js';
import {
  countCommands,
  dynamoDbForTests,
  rawItem,
  rawItems,
  rawKeys,
} from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { versionWrite } from '../support/records.js';

const dynamo = dynamoDbForTests();

async function freshStore(options: { maxVersions?: number } = {}) {
  const tableName = await dynamo.newTable();
  const storage = new DynamoDbBackend({ client: dynamo.client, tableName });
  const clock = new FakeClock();
  const keys = new LocalKeyProvider(createKeyring());
  const store = openStore({ keys, storage, now: clock.now, ...options });

  return { store, storage, tableName, clock };
}

/** Writes versions 1 to `count` of acme/db straight through the backend. */
async function manyVersions(storage: DynamoDbBackend, count: number) {
  let secret: SecretRecord | undefined;
  for (let version = 1; version <= count; version += 1) {
    const write = versionWrite('acme', 'db', version, secret);
    await storage.writeVersion(write);
    secret = write.secret;
  }
}

/**
 * A store of 230 versions of acme/db whose purge crashed after its first transaction of
 * deletes: a second client fails every TransactWriteItems after the first, as a process that
 * died there would.
 */
async function crashedPurge() {
  const fresh = await freshStore();
  await manyVersions(fresh.storage, 230);
  const client = dynamo.newClient();
  let transactions = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        transactions += 1;
        if (transactions > 1) {
          throw new Error('simulated crash');
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'crashAfterFirstTransaction' },
  );
  const crashing = new DynamoDbBackend({ client, tableName: fresh.tableName });

  const work = crashing.purgeSecret('acme', 'db', 230);

  await expectRejection(work, StorageError, { code: 'ERR_STORAGE', message: /purge/ });
  const left = await rawKeys(dynamo.client, fresh.tableName);
  assert.equal(left.length, 230 - 99 + 1, 'one transaction of deletes went through');
  assert.ok(left.includes('acme/db'), 'the head is still there');
  return fresh;
}

describe('DynamoDbBackend lifecycle', () => {
  test('retention deletes the destroyed version items in the same write', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await freshStore({ maxVersions: 2 });

    for (let i = 1; i <= 4; i += 1) {
      await store.put('acme', 'db', `v${i}`);
    }

    assert.deepEqual(await rawKeys(dynamo.client, tableName), [
      'acme/#v#db#0000000003',
      'acme/#v#db#0000000004',
      'acme/db',
    ]);
  });

  test('a retention backlog past one transaction drains over the next writes', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshStore();
    let secret: SecretRecord | undefined;
    for (let version = 1; version <= 120; version += 1) {
      const write = versionWrite('acme', 'db', version, secret);
      await storage.writeVersion(write);
      secret = write.secret;
    }
    const next = versionWrite('acme', 'db', 121, secret);
    const destroy = Array.from({ length: 119 }, (_, i) => i + 1);

    await storage.writeVersion({
      ...next,
      destroyVersions: destroy,
      secret: { ...next.secret, versions: [120, 121] },
    });

    const head = await storage.getSecret('acme', 'db');
    const left = (await rawKeys(dynamo.client, tableName)).length - 1;
    assert.deepEqual(head?.versions, [...destroy.slice(97), 120, 121]);
    assert.equal(left, 24, 'the head lists exactly the version items left');
  });

  test('purge deletes the head and every version item, and nothing else', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, storage, tableName } = await freshStore();
    for (let i = 1; i <= 3; i += 1) {
      await store.put('acme', 'db', `v${i}`);
    }
    await store.put('acme', 'db+1', 'kept');
    await store.put('globex', 'db', 'kept');

    const purged = await store.purge('acme', 'db');

    assert.equal(purged, 3);
    assert.deepEqual(await rawKeys(dynamo.client, tableName), [
      'acme/#v#db+1#0000000001',
      'acme/db+1',
      'globex/#v#db#0000000001',
      'globex/db',
    ]);
    assert.equal(await storage.hasData(), true);
  });

  test('purge of more versions than one transaction holds leaves nothing', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshStore();
    await manyVersions(storage, 230);

    const purged = await storage.purgeSecret('acme', 'db', 230);

    assert.equal(purged, 230);
    assert.deepEqual(await rawItems(dynamo.client, tableName), []);
    assert.equal(await storage.hasData(), false);
  });

  test('purge of 99 versions is one transaction; of more, the head is marked first', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const client = dynamo.newClient();
    const sent = countCommands(client);
    const storage = new DynamoDbBackend({ client, tableName });
    await manyVersions(storage, 99);
    sent.length = 0;

    await storage.purgeSecret('acme', 'db', 99);
    const single = [...sent];
    await manyVersions(storage, 100);
    sent.length = 0;
    await storage.purgeSecret('acme', 'db', 100);

    assert.deepEqual(single, ['GetItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);
    assert.deepEqual(sent, [
      'GetItemCommand',
      'QueryCommand',
      'UpdateItemCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
    ]);
    assert.deepEqual(await rawItems(dynamo.client, tableName), []);
  });

  test('a purge that crashed part-way leaves a secret that reads as not found', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, storage, tableName } = await crashedPurge();

    const notFound = { code: 'ERR_NOT_FOUND', message: 'secret db of tenant acme not found' };

    const head = await storage.getCurrent('acme', 'db');
    await expectRejection(store.restore('acme', 'db'), NotFoundError, notFound);
    await expectRejection(store.get('acme', 'db'), NotFoundError, notFound);

    assert.equal(head?.secret.revision, 231);
    assert.equal(head?.secret.purgeAfter, 0, 'the recovery window is already over');
    assert.ok(head?.secret.deletedAt !== undefined);
    assert.deepEqual(await rawItems(dynamo.client, tableName), [], 'the read finished the purge');
  });

  test('a purge that crashed part-way is finished by the next purge', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await crashedPurge();

    const purged = await store.purge('acme', 'db');

    assert.equal(purged, 230 - 99);
    assert.deepEqual(await rawItems(dynamo.client, tableName), []);
  });

  test('a purge that crashed part-way is finished by the next put of the name', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await crashedPurge();

    await store.put('acme', 'db', 'fresh');

    const read = await store.get('acme', 'db');
    assert.equal(read.version, 1);
    assert.equal(read.value.text(), 'fresh');
    assert.deepEqual(await rawKeys(dynamo.client, tableName), ['acme/#v#db#0000000001', 'acme/db']);
  });

  test('expired versions carry no TTL attribute and read as expired, not missing', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName, clock } = await freshStore();
    await store.put('acme', 'db', 'short-lived', { expiresAt: clock.later(1000) });
    clock.advance(1000);

    const work = store.get('acme', 'db');

    await expectRejection(work, SecretExpiredError, { code: 'ERR_EXPIRED', message: /expired/ });
    const items = await rawItems(dynamo.client, tableName);
    assert.equal(items.length, 2);
    assert.ok(items.every((item) => item.ttl === undefined));
    assert.ok(items.every((item) => item.expiresAt?.N === String(clock.now())));
  });

  test('hasData is false for an empty table and true for any item, legacy ones too', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshStore();
    const empty = await storage.hasData();

    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          customerId: { S: 'acme' },
          secretId: { S: 'api-key' },
          encryptedValue: { S: 'AQID' },
          createdAt: { S: '2024-01-01T00:00:00.000Z' },
        },
      }),
    );

    assert.equal(empty, false);
    assert.equal(await storage.hasData(), true);
  });

  test('consistentReads false makes every read eventually consistent', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const client = dynamo.newClient();
    const inputs: { ConsistentRead?: boolean }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        inputs.push(args.input as { ConsistentRead?: boolean });
        return next(args);
      },
      { step: 'initialize', name: 'recordInputs' },
    );
    const storage = new DynamoDbBackend({ client, tableName, consistentReads: false });
    await storage.writeVersion(versionWrite('acme', 'db', 1));
    inputs.length = 0;

    await storage.getCurrent('acme', 'db');
    await storage.listSecrets('acme', { limit: 10 });
    await storage.listVersions('acme', 'db');

    assert.equal(inputs.length, 3);
    assert.ok(inputs.every((input) => input.ConsistentRead === false));
  });

  test('a destroyed version 1 costs one more GetItem to find missing', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const client = dynamo.newClient();
    const sent = countCommands(client);
    const storage = new DynamoDbBackend({ client, tableName });
    const first = versionWrite('acme', 'db', 1);
    await storage.writeVersion(first);
    const second = versionWrite('acme', 'db', 2, first.secret);
    await storage.writeVersion({
      ...second,
      destroyVersions: [1],
      secret: { ...second.secret, versions: [2] },
    });
    sent.length = 0;

    const missing = await storage.getVersion('acme', 'db', 1);
    const other = await storage.getVersion('acme', 'db', 3);

    assert.equal(missing, undefined);
    assert.equal(other, undefined);
    assert.deepEqual(sent, ['GetItemCommand', 'GetItemCommand', 'GetItemCommand']);
    assert.equal(await rawItem(dynamo.client, tableName, 'acme', '#v#db#0000000001'), undefined);
  });
});
