import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import { INTEGRITY_MESSAGE, IntegrityError, StorageError } from '../../src/errors.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { SqliteBackend } from '../../src/storage/sqlite-backend.js';
import type { StorageBackend } from '../../src/storage/storage-backend.js';
import { countCommands, dynamoDbForTests, rawItem } from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';
import { versionWrite } from '../support/records.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';
import { rejectsAsConflict, TENANT_KEY_CASES, tenantKey } from './tenant-key-cases.js';

const dynamo = dynamoDbForTests();
const opened: StorageBackend[] = [];
let root: string;
let databases = 0;

before(() => {
  root = makeTempDir();
});

after(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  removeTempDir(root);
});

function freshPath(): string {
  databases += 1;
  return join(root, `tenant-keys-${databases}.sqlite`);
}

function openSqlite(path: string): SqliteBackend {
  const backend = new SqliteBackend(path);
  opened.push(backend);
  return backend;
}

async function freshDynamo(options: { counted?: boolean } = {}) {
  const tableName = await dynamo.newTable();
  const client = options.counted ? dynamo.newClient() : dynamo.client;
  const sent = options.counted ? countCommands(client) : [];

  return { storage: new DynamoDbBackend({ client, tableName }), tableName, sent };
}

/** Each backend, made fresh and empty for one test; undefined when it cannot run here. */
const BACKENDS: Record<string, (t: TestContext) => Promise<StorageBackend | undefined>> = {
  memory: async () => new MemoryBackend(),
  sqlite: async () => openSqlite(freshPath()),
  dynamodb: async (t) => (dynamo.skip(t) ? undefined : (await freshDynamo()).storage),
};

for (const [kind, make] of Object.entries(BACKENDS)) {
  describe(`tenant keys in the ${kind} backend`, () => {
    for (const { name, run } of TENANT_KEY_CASES) {
      test(name, async (t) => {
        const storage = await make(t);
        if (storage !== undefined) {
          await run(storage);
        }
      });
    }
  });
}

describe('tenant keys in SQLite', () => {
  test('a database made before tenant keys gains their table on open, data intact', async () => {
    const path = freshPath();
    const first = openSqlite(path);
    await first.writeVersion(versionWrite('acme', 'db', 1));
    await first.close();
    // The earlier release's schema is this one without the tenant key table.
    const raw = new Database(path);
    raw.exec('DROP TABLE tenant_keys');
    raw.close();

    const reopened = openSqlite(path);
    await reopened.addTenantKey(tenantKey('acme', 1));

    const check = new Database(path, { readonly: true });
    const table = check.prepare("SELECT name FROM sqlite_master WHERE name = 'tenant_keys'").get();
    const schema = check.prepare("SELECT value FROM strongroom_meta WHERE key = 'schema'").get();
    check.close();
    assert.deepEqual(table, { name: 'tenant_keys' });
    assert.deepEqual(schema, { value: '1' });
    assert.deepEqual(
      (await reopened.getVersion('acme', 'db', 1))?.envelope,
      Uint8Array.of(1, 0xaa, 0xbb),
    );
    assert.deepEqual(await reopened.listTenantKeys('acme'), [tenantKey('acme', 1)]);
  });

  test('tenant keys written by one backend are read by another on the same file', async () => {
    const path = freshPath();
    const writer = openSqlite(path);
    const reader = openSqlite(path);

    await writer.addTenantKey(tenantKey('acme', 1));

    assert.deepEqual(await reader.listTenantKeys('acme'), [tenantKey('acme', 1)]);
    await rejectsAsConflict(reader.addTenantKey(tenantKey('acme', 1, 9)));
  });

  test('a failed tenant key statement is a StorageError naming the operation', async () => {
    const storage = openSqlite(freshPath());
    await storage.close();
    const failed = (operation: string) => ({
      code: 'ERR_STORAGE',
      message: `SQLite tenant key ${operation} failed`,
    });
    const at = { tenant: 'acme', version: 1 };

    await expectRejection(storage.listTenantKeys('acme'), StorageError, failed('read'));
    await expectRejection(
      storage.addTenantKey(tenantKey('acme', 1)),
      StorageError,
      failed('write'),
    );
    await expectRejection(
      storage.replaceTenantKey(at, Uint8Array.of(1), Uint8Array.of(2)),
      StorageError,
      failed('rewrap'),
    );
    await expectRejection(
      storage.deleteTenantKey(at, Uint8Array.of(1)),
      StorageError,
      failed('delete'),
    );
    await expectRejection(storage.scanTenantKeys(undefined, 5), StorageError, failed('scan'));
  });
});

describe('tenant keys in DynamoDB', () => {
  test('stores a tenant key as one #k#<10 digits> item: tenantKey B, createdAt N', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshDynamo();

    await storage.addTenantKey(tenantKey('acme', 12));

    const item = await rawItem(dynamo.client, tableName, 'acme', '#k#0000000012');
    assert.deepEqual(item, {
      customerId: { S: 'acme' },
      secretId: { S: '#k#0000000012' },
      tenantKey: { B: tenantKey('acme', 12).wrapped },
      createdAt: { N: '2012' },
    });
  });

  test('each tenant key call is one request; a conflicting add is one PutItem', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshDynamo({ counted: true });
    const at = { tenant: 'acme', version: 1 };
    const calls: [string, () => Promise<unknown>][] = [
      ['add', () => storage.addTenantKey(tenantKey('acme', 1))],
      ['conflict', () => rejectsAsConflict(storage.addTenantKey(tenantKey('acme', 1)))],
      ['list', () => storage.listTenantKeys('acme')],
      [
        'replace',
        () => storage.replaceTenantKey(at, tenantKey('acme', 1).wrapped, Uint8Array.of(7)),
      ],
      ['delete', () => storage.deleteTenantKey(at, Uint8Array.of(7))],
    ];

    const requests: Record<string, string[]> = {};
    for (const [call, work] of calls) {
      sent.length = 0;
      await work();
      requests[call] = [...sent];
    }

    assert.deepEqual(requests, {
      add: ['PutItemCommand'],
      conflict: ['PutItemCommand'],
      list: ['QueryCommand'],
      replace: ['UpdateItemCommand'],
      delete: ['DeleteItemCommand'],
    });
  });

  test('tenant keys stay out of legacy scans and of a #k# prefix listing', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage } = await freshDynamo();
    await storage.writeVersion(versionWrite('acme', 'db', 1));
    await storage.addTenantKey(tenantKey('acme', 1));

    const legacy = await storage.scanLegacy(undefined, 100);
    const prefixed = await storage.listSecrets('acme', { prefix: '#k#', limit: 100 });
    const current = await storage.getCurrentMany('acme', ['db']);

    assert.deepEqual(legacy, []);
    assert.deepEqual(prefixed, { secrets: [], more: false });
    assert.deepEqual([...current.keys()], ['db']);
  });

  test('a tenant key item out of shape is refused with an IntegrityError', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshDynamo();
    const item = {
      customerId: { S: 'acme' },
      secretId: { S: '#k#0000000003' },
      tenantKey: { S: 'x' },
    };
    await dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: item }));

    const error = await expectRejection(storage.listTenantKeys('acme'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });

    assert.equal(
      (error.cause as Error).message,
      'DynamoDB item acme/#k#0000000003 is malformed: attribute tenantKey',
    );
    await expectRejection(storage.scanTenantKeys(undefined, 10), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });

  test('a version the 10-digit key cannot hold is refused, and never matches', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, sent } = await freshDynamo({ counted: true });
    const bytes = Uint8Array.of(1);

    for (const version of [0, 1.5, 10_000_000_000]) {
      const work = storage.addTenantKey({ ...tenantKey('acme', 1), version });
      await assert.rejects(work, {
        name: 'RangeError',
        message: 'tenant key version must be an integer from 1 to 9999999999',
      });
      assert.equal(
        await storage.replaceTenantKey({ tenant: 'acme', version }, bytes, bytes),
        false,
      );
      assert.equal(await storage.deleteTenantKey({ tenant: 'acme', version }, bytes), false);
    }

    assert.deepEqual(sent, []);
  });

  test('a tenant key too large for an item fails with a StorageError that says so', async (t) => {
    if (dynamo.skip(t)) return;
    const { storage, tableName } = await freshDynamo();
    const huge = { ...tenantKey('acme', 1), wrapped: new Uint8Array(420 * 1024) };

    const work = storage.addTenantKey(huge);

    await expectRejection(work, StorageError, {
      code: 'ERR_STORAGE',
      message:
        `DynamoDB tenant key write on table ${tableName} failed: ` +
        'the value is too large for a DynamoDB item',
    });
    assert.deepEqual(await storage.listTenantKeys('acme'), []);
  });

  test('a missing table fails every tenant key call with TableNotFoundError', async (t) => {
    if (dynamo.skip(t)) return;
    const storage = new DynamoDbBackend({ client: dynamo.client, tableName: 'no-such-table' });
    const expected = {
      code: 'ERR_TABLE_NOT_FOUND',
      message:
        'table no-such-table not found ' +
        '(create it with strongroom table create, or check the Region)',
    };
    const at = { tenant: 'acme', version: 1 };

    await expectRejection(storage.listTenantKeys('acme'), StorageError, expected);
    await expectRejection(storage.addTenantKey(tenantKey('acme', 1)), StorageError, expected);
    await expectRejection(
      storage.replaceTenantKey(at, Uint8Array.of(1), Uint8Array.of(2)),
      StorageError,
      expected,
    );
    await expectRejection(storage.deleteTenantKey(at, Uint8Array.of(1)), StorageError, expected);
    await expectRejection(storage.scanTenantKeys(undefined, 5), StorageError, expected);
  });
});
