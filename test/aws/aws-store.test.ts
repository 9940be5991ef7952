import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand } from '@aws-sdk/client-kms';
import { openAwsStore } from '../../src/aws/aws-store.js';
import {
  INTEGRITY_MESSAGE,
  IntegrityError,
  InvalidInputError,
  KeyNotFoundError,
  KeyUnavailableError,
  TableNotFoundError,
} from '../../src/errors.js';
import { countCommands, dynamoDbForTests, rawItem, rawItems } from '../support/dynamodb.js';
import { expectRejection, expectThrow } from '../support/errors.js';
import { kmsForTestFile } from '../support/kms.js';

// These stores write no per-tenant keys, so a rewrap finds none to move.
const NO_TENANT_KEYS = { scanned: 0, rewrapped: 0, failed: [] };

// The production path over the wire: openAwsStore with the SDK's DynamoDB client on DynamoDB
// Local and its KMS client on the KMS test server. What only AWS has, and bad input as it
// arrives from the servers.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

async function open(
  options: { tableName?: string; kmsKeyId?: string; trustedKmsKeyIds?: string[] } = {},
) {
  const tableName = options.tableName ?? (await dynamo.newTable());
  const kmsKeyId = options.kmsKeyId ?? (await kms.server.createKey());
  const dynamoDb = dynamo.newClient();
  const opened = openAwsStore({
    tableName,
    kmsKeyId,
    dynamoDb,
    kms: kms.client,
    env: {},
    trustedKmsKeyIds: options.trustedKmsKeyIds,
  });

  return { ...opened, dynamoDb, sent: countCommands(dynamoDb) };
}

describe('openAwsStore', () => {
  test('takes the table and key from SECRETS_TABLE_NAME and KMS_KEY_ID', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const kmsKeyId = await kms.server.createKey();
    const env = { SECRETS_TABLE_NAME: tableName, KMS_KEY_ID: kmsKeyId };

    const opened = openAwsStore({ env, dynamoDb: dynamo.client, kms: kms.client });
    await opened.store.put('acme', 'api-key', 'value');

    assert.equal(opened.tableName, tableName);
    assert.equal(opened.kmsKeyId, kmsKeyId);
    assert.equal((await opened.store.get('acme', 'api-key')).value.text(), 'value');
  });

  test('names the variable that is missing', () => {
    const work = () => openAwsStore({ env: { KMS_KEY_ID: 'alias/x' } });

    expectThrow(work, InvalidInputError, {
      code: 'ERR_INVALID_INPUT',
      message: 'invalid tableName: give a table name or set $SECRETS_TABLE_NAME',
    });
  });
});

describe('requests', () => {
  test('a get of the current version is one GetItem and one KMS Decrypt', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, sent } = await open();
    await store.put('acme', 'api-key', 'value');
    sent.length = 0;
    kms.server.resetCounts();

    await store.get('acme', 'api-key');

    assert.deepEqual(sent, ['GetItemCommand']);
    assert.deepEqual(kms.server.counts(), { Decrypt: 1 });
  });

  test('KMS sees the tenant, secret and version of every call', async (t) => {
    if (dynamo.skip(t)) return;
    const { store } = await open();
    kms.server.resetCounts();

    await store.put('acme', 'api-key', 'value');
    await store.get('acme', 'api-key');

    const contexts = kms.server.requests.map((request) => request.encryptionContext);
    const expected = { tenant: 'acme', secret: 'api-key', version: '1', use: 'data-key' };
    assert.deepEqual(contexts, [expected, expected]);
  });
});

describe('bad input over the wire', () => {
  test('a missing table is TableNotFoundError', async (t) => {
    if (dynamo.skip(t)) return;
    const { store } = await open({ tableName: 'no-such-table' });

    await expectRejection(store.put('acme', 'api-key', 'value'), TableNotFoundError, {
      code: 'ERR_TABLE_NOT_FOUND',
      message: /^table no-such-table not found \(create it with strongroom table create/,
    });
    await expectRejection(store.get('acme', 'api-key'), TableNotFoundError, {
      code: 'ERR_TABLE_NOT_FOUND',
      message: /^table no-such-table not found \(create it with strongroom table create/,
    });
  });

  test('a wrong key id is KeyNotFoundError, and nothing is written', async (t) => {
    if (dynamo.skip(t)) return;
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
    const { store, tableName } = await open({ kmsKeyId: arn });

    await expectRejection(store.put('acme', 'api-key', 'value'), KeyNotFoundError, {
      code: 'ERR_KEY_NOT_FOUND',
      message: `key ${arn} not found`,
    });
    assert.deepEqual(await rawItems(dynamo.client, tableName), []);
  });

  test('a disabled key is KeyUnavailableError for writes and reads', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName, kmsKeyId } = await open();
    await store.put('acme', 'api-key', 'value');
    kms.server.disableKey(kmsKeyId);
    const before = await rawItems(dynamo.client, tableName);

    await expectRejection(store.put('acme', 'api-key', 'next'), KeyUnavailableError, {
      code: 'ERR_KEY_UNAVAILABLE',
      message: new RegExp(`^key ${kmsKeyId} cannot be used: `),
    });
    await expectRejection(store.get('acme', 'api-key'), KeyUnavailableError, {
      code: 'ERR_KEY_UNAVAILABLE',
      message: new RegExp(`^key ${kmsKeyId} cannot be used: `),
    });
    assert.deepEqual(await rawItems(dynamo.client, tableName), before);
  });

  test('an envelope edited in the table is an integrity failure', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await open();
    await store.put('acme', 'api-key', 'value');
    const head = await rawItem(dynamo.client, tableName, 'acme', 'api-key');
    assert.ok(head?.envelope?.B);
    const edited = Buffer.from(head.envelope.B);
    edited[edited.length - 1] = (edited[edited.length - 1] ?? 0) ^ 0x01;

    await dynamo.client.send(
      new PutItemCommand({ TableName: tableName, Item: { ...head, envelope: { B: edited } } }),
    );

    await expectRejection(store.get('acme', 'api-key'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });

  test('an item copied to another tenant does not decrypt there', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await open();
    await store.put('acme', 'api-key', 'acme value');
    const head = await rawItem(dynamo.client, tableName, 'acme', 'api-key');
    assert.ok(head);

    await dynamo.client.send(
      new PutItemCommand({ TableName: tableName, Item: { ...head, customerId: { S: 'globex' } } }),
    );

    await expectRejection(store.get('globex', 'api-key'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });
});

describe('rewrap and legacy items', () => {
  test('rewrap to another KMS key is ReEncrypt only; a second run does nothing', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName, kmsKeyId } = await open();
    await store.put('acme', 'a', 'one');
    await store.put('acme', 'a', 'two');
    await store.put('globex', 'b', 'three');
    const moved = await open({ tableName, trustedKmsKeyIds: [kmsKeyId] });
    kms.server.resetCounts();

    const first = await moved.store.rewrap();
    const counts = kms.server.counts();
    const second = await moved.store.rewrap();

    assert.deepEqual(first, { scanned: 3, rewrapped: 3, failed: [], tenantKeys: NO_TENANT_KEYS });
    assert.equal(counts.ReEncrypt, 3);
    assert.equal(counts.Decrypt, undefined, 'no data key left KMS');
    assert.deepEqual(second, { scanned: 3, rewrapped: 0, failed: [], tenantKeys: NO_TENANT_KEYS });
    assert.equal((await moved.store.get('acme', 'a', { version: 1 })).value.text(), 'one');
  });

  test("reads the article's items as version 1, and migrate upgrades them once", async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName, kmsKeyId } = await open();
    const encrypted = await kms.client.send(
      new EncryptCommand({ KeyId: kmsKeyId, Plaintext: Buffer.from('super-secret-api-key') }),
    );
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          customerId: { S: 'customer-123' },
          secretId: { S: 'api-key' },
          encryptedValue: { S: Buffer.from(encrypted.CiphertextBlob ?? []).toString('base64') },
          createdAt: { S: '2025-01-31T12:00:00.000Z' },
        },
      }),
    );

    const legacy = await store.get('customer-123', 'api-key');
    const first = await store.migrate();
    const second = await store.migrate();
    kms.server.resetCounts();
    const migrated = await store.get('customer-123', 'api-key');

    assert.equal(legacy.version, 1);
    assert.equal(legacy.legacy, true);
    assert.equal(legacy.value.text(), 'super-secret-api-key');
    assert.deepEqual(first, { scanned: 1, migrated: 1 });
    assert.deepEqual(second, { scanned: 0, migrated: 0 });
    assert.equal(migrated.legacy, undefined);
    assert.equal(migrated.value.text(), 'super-secret-api-key');
    assert.equal(migrated.createdAt.toISOString(), '2025-01-31T12:00:00.000Z');
    assert.equal(kms.server.requests[0]?.encryptionContext?.tenant, 'customer-123');
  });
});

describe('trusted KMS keys', () => {
  /** A store over an existing table and a KMS key, trusting `trustedKmsKeyIds` as well. */
  const reopen = (tableName: string, kmsKeyId: string, trustedKmsKeyIds?: string[]) =>
    openAwsStore({
      tableName,
      kmsKeyId,
      trustedKmsKeyIds,
      dynamoDb: dynamo.client,
      kms: kms.client,
      env: {},
    }).store;

  test('a store on a new key reads and rewraps versions under a trusted old key', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName, kmsKeyId: oldKey } = await open();
    await store.put('acme', 'a', 'one');
    await store.put('globex', 'b', 'two');
    const newKey = await kms.server.createKey();
    const moved = reopen(tableName, newKey, [oldKey]);

    const read = await moved.get('acme', 'a');
    const result = await moved.rewrap();
    const afterwards = reopen(tableName, newKey);

    assert.equal(read.value.text(), 'one');
    assert.deepEqual(result, { scanned: 2, rewrapped: 2, failed: [], tenantKeys: NO_TENANT_KEYS });
    assert.equal((await afterwards.get('globex', 'b')).value.text(), 'two');
  });

  test('a version sealed under a key of a table writer is refused, with no KMS call', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await open();
    await store.put('acme', 'api-key', 'authentic');
    // Write access to the table, and a KMS key of their own whose key policy lets anyone decrypt.
    const forger = await open({ tableName });
    await forger.store.put('acme', 'api-key', 'forged');
    kms.server.resetCounts();

    await expectRejection(store.get('acme', 'api-key'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
    assert.deepEqual(kms.server.counts(), {});
    assert.equal((await store.get('acme', 'api-key', { version: 1 })).value.text(), 'authentic');
  });

  test('a rewrap from a key that is not trusted moves nothing and reports it', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await open();
    await store.put('acme', 'a', 'one');
    const moved = reopen(tableName, await kms.server.createKey());
    kms.server.resetCounts();

    const result = await moved.rewrap();

    assert.deepEqual(result, {
      scanned: 1,
      rewrapped: 0,
      failed: [{ tenant: 'acme', name: 'a', version: 1, code: 'ERR_INTEGRITY' }],
      tenantKeys: NO_TENANT_KEYS,
    });
    assert.deepEqual(kms.server.counts(), {});
  });

  test('a legacy item under another KMS key is an integrity failure', async (t) => {
    if (dynamo.skip(t)) return;
    const { store, tableName } = await open();
    const otherKey = await kms.server.createKey();
    const encrypted = await kms.client.send(
      new EncryptCommand({ KeyId: otherKey, Plaintext: Buffer.from('planted') }),
    );
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          customerId: { S: 'acme' },
          secretId: { S: 'api-key' },
          encryptedValue: { S: Buffer.from(encrypted.CiphertextBlob ?? []).toString('base64') },
          createdAt: { S: '2025-01-31T12:00:00.000Z' },
        },
      }),
    );

    await expectRejection(store.get('acme', 'api-key'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });
});
