import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IntegrityError } from '../../src/errors.js';
import { parseEnvelope } from '../../src/format/envelope.js';
import { createKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { RevisionConflict } from '../../src/storage/storage-backend.js';
import { openStore } from '../../src/store/store.js';
import { dynamoDbForTests, rawItem } from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';
import { versionWrite } from '../support/records.js';

const dynamo = dynamoDbForTests();
const CREATED = '2024-05-01T12:00:00.000Z';

/** The stand-in for KMS in these tests: a "ciphertext" is the plaintext's bytes reversed. */
function fakeCiphertext(plaintext: string): Uint8Array {
  return Uint8Array.from(Buffer.from(plaintext)).reverse();
}

/** The local provider, able to open those legacy "ciphertexts" as KMS Decrypt would. */
class LegacyKeys extends LocalKeyProvider {
  async decryptLegacy(blob: Uint8Array): Promise<Uint8Array> {
    return Uint8Array.from(blob).reverse();
  }
}

/** Writes an item as the article's storeSecret does: base64 ciphertext, ISO date. */
async function putArticleItem(tableName: string, tenant: string, name: string, value: string) {
  const item = {
    customerId: { S: tenant },
    secretId: { S: name },
    encryptedValue: { S: Buffer.from(fakeCiphertext(value)).toString('base64') },
    createdAt: { S: CREATED },
  };
  await dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: item }));
}

async function freshTable(legacyItems?: 'read' | 'reject') {
  const tableName = await dynamo.newTable();
  const storage = new DynamoDbBackend({ client: dynamo.client, tableName, legacyItems });
  const store = openStore({ keys: new LegacyKeys(createKeyring()), storage });

  return { tableName, storage, store };
}

describe('DynamoDbBackend and items written before strongroom', () => {
  test('reads an article item as version 1 of a legacy secret', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage } = await freshTable();
    await putArticleItem(tableName, 'customer-123', 'api-key', 'super-secret-api-key-xyz');

    const secret = await storage.getSecret('customer-123', 'api-key');
    const current = await storage.getCurrent('customer-123', 'api-key');
    const one = await storage.getVersion('customer-123', 'api-key', 1);
    const versions = await storage.listVersions('customer-123', 'api-key');
    const page = await storage.listSecrets('customer-123', { limit: 10 });

    const created = Date.parse(CREATED);
    assert.deepEqual(secret, {
      tenant: 'customer-123',
      name: 'api-key',
      revision: 0,
      latestVersion: 1,
      versions: [1],
      labels: { current: 1 },
      tags: {},
      createdAt: created,
      updatedAt: created,
      legacy: true,
    });
    assert.deepEqual(current?.secret, secret);
    assert.deepEqual(one, {
      tenant: 'customer-123',
      name: 'api-key',
      version: 1,
      envelope: fakeCiphertext('super-secret-api-key-xyz'),
      createdAt: created,
      size: 0,
      legacy: true,
    });
    assert.deepEqual(current?.version, one);
    assert.deepEqual(versions, [one]);
    assert.deepEqual(page, { secrets: [secret], more: false });
  });

  test('the store reads a legacy item, and a put migrates it first', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, store, storage } = await freshTable();
    await putArticleItem(tableName, 'acme', 'api-key', 'old value');

    const before = await store.get('acme', 'api-key');
    const version = await store.put('acme', 'api-key', 'new value');

    assert.equal(before.value.text(), 'old value');
    assert.equal(before.legacy, true);
    assert.equal(version, 2);
    assert.equal((await store.get('acme', 'api-key', { version: 1 })).value.text(), 'old value');
    assert.equal((await store.get('acme', 'api-key')).value.text(), 'new value');
    const head = await rawItem(dynamo.client, tableName, 'acme', 'api-key');
    assert.equal(head?.encryptedValue, undefined);
    const migrated = await storage.getVersion('acme', 'api-key', 1);
    assert.ok(migrated && !migrated.legacy);
    assert.equal(parseEnvelope(migrated.envelope).keyRef.provider, 'local');
  });

  test('a create over a legacy item conflicts, so the store must migrate it', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage } = await freshTable();
    await putArticleItem(tableName, 'acme', 'api-key', 'old value');

    const work = storage.writeVersion(versionWrite('acme', 'api-key', 1));

    await assert.rejects(work, RevisionConflict);
    assert.equal((await storage.getSecret('acme', 'api-key'))?.legacy, true);
  });

  test('migrateLegacy writes nothing when the item changed or was migrated', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage } = await freshTable();
    await putArticleItem(tableName, 'acme', 'api-key', 'first');
    const [item] = await storage.scanLegacy(undefined, 10);
    assert.ok(item);
    await putArticleItem(tableName, 'acme', 'api-key', 'second');
    const write = { ...versionWrite('acme', 'api-key', 1), expectedRevision: 0 };

    const changed = await storage.migrateLegacy(item, write);
    const [current] = await storage.scanLegacy(undefined, 10);
    assert.ok(current);
    const migrated = await storage.migrateLegacy(current, write);
    const again = await storage.migrateLegacy(current, write);

    assert.deepEqual([changed, migrated, again], [false, true, false]);
    assert.equal((await storage.getSecret('acme', 'api-key'))?.revision, 1);
    assert.deepEqual(await storage.scanLegacy(undefined, 10), []);
  });

  test('migrate upgrades every legacy item of every tenant, page after page', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, store, storage } = await freshTable();
    for (let i = 0; i < 105; i += 1) {
      await putArticleItem(tableName, ['t-b', 'T-a', 't-c'][i % 3] ?? '', `key-${i}`, `v${i}`);
    }
    await store.put('t-b', 'already-new', 'new');

    const first = await store.migrate();
    const second = await store.migrate();

    assert.deepEqual(first, { scanned: 105, migrated: 105 });
    assert.deepEqual(second, { scanned: 0, migrated: 0 });
    assert.equal((await store.get('t-c', 'key-104')).value.text(), 'v104');
    assert.equal((await storage.getSecret('T-a', 'key-1'))?.legacy, undefined);
  });

  test('scanLegacy pages in tenant and name order', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage } = await freshTable();
    for (const [tenant, name] of [
      ['globex', 'a'],
      ['acme', 'b'],
      ['acme', 'a'],
      ['Acme', 'z'],
    ] as const) {
      await putArticleItem(tableName, tenant, name, 'value');
    }

    const first = await storage.scanLegacy(undefined, 3);
    const rest = await storage.scanLegacy(first.at(-1), 3);

    assert.deepEqual(
      [...first, ...rest].map((item) => `${item.tenant}/${item.name}`),
      ['Acme/z', 'acme/a', 'acme/b', 'globex/a'],
    );
  });

  test("legacyItems 'reject' refuses a planted legacy item with an IntegrityError", async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage, store } = await freshTable('reject');
    await store.put('acme', 'kept', 'new layout');
    await putArticleItem(tableName, 'acme', 'planted', 'value');
    const integrity = { code: 'ERR_INTEGRITY', message: /^integrity check failed/ };

    await expectRejection(storage.getSecret('acme', 'planted'), IntegrityError, integrity);
    await expectRejection(storage.getCurrent('acme', 'planted'), IntegrityError, integrity);
    await expectRejection(store.get('acme', 'planted'), IntegrityError, integrity);
    await expectRejection(storage.listSecrets('acme', { limit: 10 }), IntegrityError, integrity);
    await expectRejection(store.migrate(), IntegrityError, integrity);
    assert.equal((await store.get('acme', 'kept')).value.text(), 'new layout');
  });

  test('a legacy item whose ciphertext is not base64 fails as an IntegrityError', async (t) => {
    if (dynamo.skip(t)) return;
    const { tableName, storage } = await freshTable();
    const item = {
      customerId: { S: 'acme' },
      secretId: { S: 'api-key' },
      encryptedValue: { S: 'not base64!' },
      createdAt: { S: CREATED },
    };
    await dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: item }));

    const work = storage.getCurrent('acme', 'api-key');

    const error = await expectRejection(work, IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: /^integrity check failed/,
    });
    assert.match(String((error.cause as Error).message), /attribute encryptedValue/);
  });
});
