import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { INTEGRITY_MESSAGE, IntegrityError, StorageError } from '../../src/errors.js';
import { createKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { comparePosition } from '../../src/storage/memory-backend.js';
import { RevisionConflict, type SecretRecord } from '../../src/storage/storage-backend.js';
import { openStore } from '../../src/store/store.js';
import { countCommands, dynamoDbForTests, rawItem } from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';
import { versionWrite } from '../support/records.js';

const dynamo = dynamoDbForTests();

async function freshBackend(options: { counted?: boolean } = {}) {
  const tableName = await dynamo.newTable();
  const client = options.counted ? dynamo.newClient() : dynamo.client;
  const sent = options.counted ? countCommands(client) : [];
  const storage = new DynamoDbBackend({ client, tableName });

  return { storage, tableName, client, sent };
}

/** Writes versions 1 to `count` of a secret straight through the backend; returns the record. */
async function writeVersions(
  storage: DynamoDbBackend,
  tenant: string,
  name: string,
  count: number,
) {
  let secret: SecretRecord | undefined;
  for (let version = 1; version <= count; version += 1) {
    const write = versionWrite(tenant, name, version, secret);
    await storage.writeVersion(write);
    secret = write.secret;
  }

  return secret as SecretRecord;
}

describe('DynamoDbBackend', () => {
  test('getCurrent is exactly one GetItem', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshBackend({ counted: true });
    await writeVersions(storage, 'acme', 'db', 3);
    sent.length = 0;

    const found = await storage.getCurrent('acme', 'db');

    assert.deepEqual(sent, ['GetItemCommand']);
    assert.equal(found?.version?.version, 3);
    assert.deepEqual(found?.version?.envelope, Uint8Array.of(3, 0xaa, 0xbb));
  });

  test('a store get of the current version sends one GetItem', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshBackend({ counted: true });
    const store = openStore({ keys: new LocalKeyProvider(createKeyring()), storage });
    await store.put('acme', 'db', 'one');
    await store.put('acme', 'db', 'two');
    sent.length = 0;

    const read = await store.get('acme', 'db');

    assert.equal(read.value.text(), 'two');
    assert.deepEqual(sent, ['GetItemCommand']);
  });

  test('envelopes are stored as binary attributes, in the head and the version item', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName, client } = await freshBackend();
    await writeVersions(storage, 'acme', 'db', 1);

    const head = await rawItem(client, tableName, 'acme', 'db');
    const version = await rawItem(client, tableName, 'acme', '#v#db#0000000001');

    assert.deepEqual(head?.envelope?.B, Uint8Array.of(1, 0xaa, 0xbb));
    assert.equal(head?.envelope?.S, undefined);
    assert.deepEqual(version?.envelope?.B, Uint8Array.of(1, 0xaa, 0xbb));
    assert.equal(head?.currentVersion?.N, '1');
    assert.deepEqual(head?.versions?.L, [{ N: '1' }]);
  });

  test('of 20 parallel writes with one expectedRevision, exactly one wins', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshBackend();
    const before = await writeVersions(storage, 'acme', 'db', 2);
    const writes = Array.from({ length: 20 }, (_, i) => {
      const write = versionWrite('acme', 'db', 3, before);
      return { ...write, version: { ...write.version, envelope: Uint8Array.of(i) } };
    });

    const results = await Promise.allSettled(writes.map((write) => storage.writeVersion(write)));

    const won = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    assert.equal(won.length, 1);
    for (const result of results) {
      assert.ok(result.status === 'fulfilled' || result.reason instanceof RevisionConflict);
    }
    const current = await storage.getCurrent('acme', 'db');
    assert.deepEqual(current?.version?.envelope, Uint8Array.of(won[0] ?? -1));
    assert.equal(current?.secret.revision, 3);
  });

  test('of 20 parallel creates of one secret, exactly one wins', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshBackend();

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => storage.writeVersion(versionWrite('acme', 'db', 1))),
    );

    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    assert.deepEqual(await storage.listVersions('acme', 'db').then((v) => v.length), 1);
  });

  test('a version item already stored fails the write as damage, not a conflict', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshBackend();
    const secret = await writeVersions(storage, 'acme', 'db', 1);
    // An orphan: version 2's item without a head that lists it.
    const write = versionWrite('acme', 'db', 2, secret);
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { customerId: { S: 'acme' }, secretId: { S: '#v#db#0000000002' } },
        UpdateExpression: 'SET envelope = :e',
        ExpressionAttributeValues: { ':e': { B: Uint8Array.of(9) } },
      }),
    );

    const work = storage.writeVersion(write);

    await expectRejection(work, StorageError, {
      code: 'ERR_STORAGE',
      message:
        `DynamoDB write on table ${tableName} failed: version 2 of secret db of tenant acme ` +
        'is already stored, though the secret record does not list it',
    });
  });

  test('listSecrets pages past a 1 MB Query page and reports more correctly', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshBackend({ counted: true });
    // Each head holds a 200 KiB envelope copy, so one Query page (1 MB) holds about five.
    const big = new Uint8Array(200 * 1024).fill(7);
    for (let i = 0; i < 8; i += 1) {
      const write = versionWrite('acme', `secret-${i}`, 1);
      await storage.writeVersion({ ...write, version: { ...write.version, envelope: big } });
    }
    sent.length = 0;

    const all = await storage.listSecrets('acme', { limit: 8 });
    const queries = sent.filter((name) => name === 'QueryCommand').length;
    const first = await storage.listSecrets('acme', { limit: 3 });
    const rest = await storage.listSecrets('acme', { limit: 5, after: first.secrets.at(-1)?.name });

    assert.equal(all.secrets.length, 8);
    assert.equal(all.more, false);
    assert.ok(queries >= 2, `a page past 1 MB takes more than one Query (took ${queries})`);
    assert.equal(first.more, true);
    assert.deepEqual(
      [...first.secrets, ...rest.secrets].map((secret) => secret.name),
      Array.from({ length: 8 }, (_, i) => `secret-${i}`),
    );
    assert.equal(rest.more, false);
  });

  test('listSecrets orders by bytes, keeps to a prefix and never lists versions', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshBackend();
    for (const name of ['b', 'B', 'a/1', 'a+1', 'a.1', 'a']) {
      await writeVersions(storage, 'acme', name, 2);
    }

    const all = await storage.listSecrets('acme', { limit: 100 });
    const prefixed = await storage.listSecrets('acme', { prefix: 'a', limit: 2, after: 'a' });
    const hashed = await storage.listSecrets('acme', { prefix: '#v#', limit: 100 });

    assert.deepEqual(
      all.secrets.map((secret) => secret.name),
      ['B', 'a', 'a+1', 'a.1', 'a/1', 'b'],
    );
    assert.deepEqual(
      prefixed.secrets.map((secret) => secret.name),
      ['a+1', 'a.1'],
    );
    assert.equal(prefixed.more, true);
    assert.deepEqual(hashed, { secrets: [], more: false });
  });

  test('scanVersions pages every version of every tenant in key order', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshBackend();
    const written: { tenant: string; name: string; version: number }[] = [];
    for (const [tenant, name] of [
      ['globex', 'a'],
      ['acme', 'b'],
      ['acme', 'a+'],
      ['acme', 'a'],
      ['Zeta', 'x'],
    ] as const) {
      await writeVersions(storage, tenant, name, 3);
      written.push(...[1, 2, 3].map((version) => ({ tenant, name, version })));
    }

    const pages = [];
    let page = await storage.scanVersions(undefined, 4);
    while (page.length > 0) {
      pages.push(page);
      page = await storage.scanVersions(page.at(-1), 4);
    }

    const key = (v: { tenant: string; name: string; version: number }) =>
      `${v.tenant}/${v.name}/${v.version}`;
    assert.deepEqual(
      pages.map((p) => p.length),
      [4, 4, 4, 3],
    );
    assert.deepEqual(pages.flat().map(key), written.sort(comparePosition).map(key));
  });

  test('a missing table fails every operation with TableNotFoundError', async (t) => {
    if (dynamo.skip(t)) return;
    const storage = new DynamoDbBackend({ client: dynamo.client, tableName: 'no-such-table' });
    const expected = {
      code: 'ERR_TABLE_NOT_FOUND',
      message:
        'table no-such-table not found ' +
        '(create it with strongroom table create, or check the Region)',
    };

    await expectRejection(storage.getCurrent('acme', 'db'), StorageError, expected);
    await expectRejection(
      storage.writeVersion(versionWrite('acme', 'db', 1)),
      StorageError,
      expected,
    );
    await expectRejection(storage.listSecrets('acme', { limit: 10 }), StorageError, expected);
    await expectRejection(storage.hasData(), StorageError, expected);
  });

  test('an envelope edited in the table is returned as is, and the store rejects it', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshBackend();
    const store = openStore({ keys: new LocalKeyProvider(createKeyring()), storage });
    await store.put('acme', 'db', 'tamper-marker');
    const head = await rawItem(dynamo.client, tableName, 'acme', 'db');
    const tampered = Uint8Array.from(head?.envelope?.B ?? []);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { customerId: { S: 'acme' }, secretId: { S: 'db' } },
        UpdateExpression: 'SET envelope = :e',
        ExpressionAttributeValues: { ':e': { B: tampered } },
      }),
    );

    const found = await storage.getCurrent('acme', 'db');

    assert.deepEqual(found?.version?.envelope, tampered);
    await expectRejection(store.get('acme', 'db'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });

  test('moving current copies the version into the head, still one GetItem to read', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName, sent } = await freshBackend({ counted: true });
    const store = openStore({ keys: new LocalKeyProvider(createKeyring()), storage });
    await store.put('acme', 'db', 'one');
    await store.put('acme', 'db', 'two');

    await store.rollback('acme', 'db');
    sent.length = 0;
    const read = await store.get('acme', 'db');

    assert.equal(read.value.text(), 'one');
    assert.deepEqual(sent, ['GetItemCommand']);
    const head = await rawItem(dynamo.client, tableName, 'acme', 'db');
    const first = await rawItem(dynamo.client, tableName, 'acme', '#v#db#0000000001');
    assert.equal(head?.currentVersion?.N, '1');
    assert.deepEqual(head?.envelope?.B, first?.envelope?.B);
  });

  test('a label move that leaves current alone is one UpdateItem', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshBackend({ counted: true });
    const secret = await writeVersions(storage, 'acme', 'db', 2);
    sent.length = 0;

    const labels = { ...secret.labels, pending: 1 };
    await storage.updateSecret({ ...secret, revision: 3, labels }, 2);

    assert.deepEqual(sent, ['UpdateItemCommand']);
    assert.deepEqual((await storage.getCurrent('acme', 'db'))?.secret.labels, labels);
    await assert.rejects(storage.updateSecret({ ...secret, revision: 3 }, 2), RevisionConflict);
  });

  test('replaceEnvelope swaps the head copy with the current version only', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshBackend();
    await writeVersions(storage, 'acme', 'db', 2);

    const old = await storage.replaceEnvelope(
      { tenant: 'acme', name: 'db', version: 1 },
      Uint8Array.of(1, 0xaa, 0xbb),
      Uint8Array.of(11),
    );
    const current = await storage.replaceEnvelope(
      { tenant: 'acme', name: 'db', version: 2 },
      Uint8Array.of(2, 0xaa, 0xbb),
      Uint8Array.of(22),
    );
    const stale = await storage.replaceEnvelope(
      { tenant: 'acme', name: 'db', version: 2 },
      Uint8Array.of(2, 0xaa, 0xbb),
      Uint8Array.of(33),
    );

    assert.deepEqual([old, current, stale], [true, true, false]);
    assert.deepEqual((await storage.getVersion('acme', 'db', 1))?.envelope, Uint8Array.of(11));
    assert.deepEqual(
      (await storage.getCurrent('acme', 'db'))?.version?.envelope,
      Uint8Array.of(22),
    );
  });

  test('a write too large for an item fails with a StorageError that says so', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshBackend();
    const write = versionWrite('acme', 'db', 1);

    const work = storage.writeVersion({
      ...write,
      version: { ...write.version, envelope: new Uint8Array(420 * 1024) },
    });

    await expectRejection(work, StorageError, {
      code: 'ERR_STORAGE',
      message:
        `DynamoDB write on table ${tableName} failed: ` +
        'the value is too large for a DynamoDB item',
    });
    assert.equal(await storage.hasData(), false);
  });

  test('close leaves a caller client alone; destroyClientOnClose destroys it', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const client = dynamo.newClient();
    let destroyed = 0;
    const destroy = client.destroy.bind(client);
    client.destroy = () => {
      destroyed += 1;
      destroy();
    };
    const borrowed = new DynamoDbBackend({ client, tableName });
    const owned = new DynamoDbBackend({ client, tableName, destroyClientOnClose: true });

    await borrowed.close();
    const afterBorrowed = destroyed;
    await owned.close();

    assert.equal(afterBorrowed, 0);
    assert.equal(destroyed, 1);
  });
});
