import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, IntegrityError, InvalidInputError } from '../../src/errors.js';
import { parseEnvelope } from '../../src/format/envelope.js';
import type { KeyProvider } from '../../src/keys/key-provider.js';
import { createKeyring, type Keyring, rotateKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { openStore } from '../../src/store/store.js';
import type { StoreOptions } from '../../src/store/types.js';
import { countKeyCalls } from '../support/counting-keys.js';
import { expectRejection } from '../support/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { kmsForTestFile } from '../support/kms.js';

const kms = kmsForTestFile();
const FIVE_MINUTES = 5 * 60 * 1000;

/** A local keyring provider that `rotate()` moves to a new master key version. */
function rotatingLocalKeys() {
  let keyring: Keyring = createKeyring();
  const keys = new LocalKeyProvider(keyring, { reload: async () => keyring });

  return {
    keys,
    rotate: async () => {
      keyring = rotateKeyring(keyring);
      await keys.refresh();
    },
  };
}

function tenantStore(extra: Partial<StoreOptions> = {}) {
  const clock = new FakeClock();
  const master = rotatingLocalKeys();
  const counted = countKeyCalls(master.keys);
  const storage = new MemoryBackend();
  const options = { keys: counted.keys, storage, now: clock.now, tenantKeys: true, ...extra };

  return { store: openStore(options), storage, clock, master, calls: counted.calls, options };
}

async function envelopeOf(storage: MemoryBackend, tenant: string, name: string, version = 1) {
  const record = await storage.getVersion(tenant, name, version);
  assert.ok(record);
  return parseEnvelope(record.envelope);
}

describe('per-tenant keys', () => {
  test('wraps data keys under the tenant key, named by the envelope', async () => {
    const { store, storage } = tenantStore();

    await store.put('acme', 'db', 'hunter2');

    assert.equal((await store.get('acme', 'db')).value.text(), 'hunter2');
    const envelope = await envelopeOf(storage, 'acme', 'db');
    assert.deepEqual(envelope.keyRef, {
      provider: 'tenant',
      keyId: '',
      keyVersion: 1,
      layer: 'tenant',
    });
    const tenantKeys = await storage.listTenantKeys('acme');
    assert.deepEqual(
      tenantKeys.map((record) => record.version),
      [1],
    );
    assert.equal(parseEnvelope(tenantKeys[0]?.wrapped as Uint8Array).keyRef.layer, 'master');
  });

  test('asks the master key once per tenant, for the tenant key, however many writes', async () => {
    const { store, calls } = tenantStore();

    for (let i = 0; i < 5; i += 1) {
      await store.put('acme', `secret-${i}`, `value ${i}`);
      await store.put('globex', `secret-${i}`, `value ${i}`);
    }
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await store.get('acme', `secret-${i}`)).value.text(), `value ${i}`);
    }

    assert.deepEqual(calls, ['generateDataKey', 'generateDataKey']);
  });

  test('10,000 gets over 100 tenants of 10 secrets cost 100 KMS Decrypt calls', async () => {
    const keys = await kms.newProvider();
    const storage = new MemoryBackend();
    const writer = openStore({ keys, storage, tenantKeys: true });
    const tenants = Array.from({ length: 100 }, (_, i) => `tenant-${i}`);
    for (const tenant of tenants) {
      for (let s = 0; s < 10; s += 1) {
        await writer.put(tenant, `secret-${s}`, `${tenant} value ${s}`);
      }
    }
    assert.deepEqual(kms.server.counts(), { GenerateDataKey: 100 });
    kms.server.resetCounts();

    // A fresh store: another process, its caches cold.
    const reader = openStore({ keys, storage, tenantKeys: true });
    for (let i = 0; i < 10_000; i += 1) {
      const tenant = tenants[i % 100] as string;
      const s = Math.floor(i / 100) % 10;
      assert.equal((await reader.get(tenant, `secret-${s}`)).value.text(), `${tenant} value ${s}`);
    }

    assert.deepEqual(kms.server.counts(), { Decrypt: 100 });
  });

  test('stores with and without the layer read each other’s envelopes', async () => {
    const { store: layered, storage, master } = tenantStore();
    const plain = openStore({ keys: master.keys, storage });

    await layered.put('acme', 'from-layered', 'one');
    await plain.put('acme', 'from-plain', 'two');

    assert.equal((await plain.get('acme', 'from-layered')).value.text(), 'one');
    assert.equal((await layered.get('acme', 'from-plain')).value.text(), 'two');
    assert.equal((await envelopeOf(storage, 'acme', 'from-plain')).keyRef.layer, 'master');
  });

  test('rejects an envelope moved to another tenant', async () => {
    const { store, storage } = tenantStore();
    await store.put('acme', 'db', 'acme value');
    await store.put('globex', 'db', 'globex value');
    const acme = await storage.getVersion('acme', 'db', 1);
    const globex = await storage.getVersion('globex', 'db', 1);
    assert.ok(acme && globex);

    await storage.replaceEnvelope(globex, globex.envelope, acme.envelope);

    await expectRejection(store.get('globex', 'db', { version: 1 }), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: /^integrity check failed/,
    });
  });

  test('rejects a tenant key moved to another tenant or version', async () => {
    const { store, storage, options } = tenantStore();
    await store.put('acme', 'db', 'acme value');
    await store.put('globex', 'db', 'globex value');
    await store.rotateTenantKey('acme');
    const [acme1, acme2] = await storage.listTenantKeys('acme');
    const [globex1] = await storage.listTenantKeys('globex');
    assert.ok(acme1 && acme2 && globex1);

    await storage.replaceTenantKey(globex1, globex1.wrapped, acme1.wrapped);
    await storage.replaceTenantKey(acme1, acme1.wrapped, acme2.wrapped);

    // A fresh store, so nothing comes from a cache.
    const fresh = openStore(options);
    for (const tenant of ['acme', 'globex']) {
      await expectRejection(fresh.get(tenant, 'db'), IntegrityError, {
        code: 'ERR_INTEGRITY',
        message: /^integrity check failed/,
      });
    }
  });

  test('a missing tenant key is an integrity failure, not a new key', async () => {
    const { store, storage, options } = tenantStore();
    await store.put('acme', 'db', 'value');
    const [record] = await storage.listTenantKeys('acme');
    assert.ok(record);

    await storage.deleteTenantKey(record, record.wrapped);

    await expectRejection(openStore(options).get('acme', 'db'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: /^integrity check failed/,
    });
    assert.deepEqual(await storage.listTenantKeys('acme'), []);
  });

  test('rotate, rewrap one tenant, retire: old versions go once nothing uses them', async () => {
    const { store, storage, clock } = tenantStore();
    await store.put('acme', 'db', 'one');
    await store.put('acme', 'api', 'two');
    await store.put('globex', 'db', 'three');

    assert.equal(await store.rotateTenantKey('acme'), 2);
    await store.put('acme', 'db', 'four');

    assert.equal((await envelopeOf(storage, 'acme', 'db', 2)).keyRef.keyVersion, 2);
    assert.equal((await store.get('acme', 'db', { version: 1 })).value.text(), 'one');
    await expectRejection(store.retireTenantKeys('acme'), ConflictError, {
      code: 'ERR_CONFLICT',
      message: /^tenant key version 2 of tenant acme is newer than the key cache age/,
    });

    const result = await store.rewrap({ tenant: 'acme' });
    assert.equal(result.scanned, 3);
    assert.equal(result.rewrapped, 2);
    assert.deepEqual(result.failed, []);
    assert.equal((await store.rewrap({ tenant: 'acme' })).rewrapped, 0);
    assert.equal((await envelopeOf(storage, 'globex', 'db')).keyRef.keyVersion, 1);

    clock.advance(FIVE_MINUTES);
    assert.deepEqual(await store.retireTenantKeys('acme'), { retired: [1], kept: [2] });
    assert.deepEqual(
      (await store.listTenantKeys('acme')).map((key) => key.version),
      [2],
    );
    assert.equal((await store.get('acme', 'db', { version: 1 })).value.text(), 'one');
    assert.equal((await store.get('acme', 'api')).value.text(), 'two');
  });

  test('a rewrap sees a rotation made by another store a moment ago', async () => {
    const { store, storage, options } = tenantStore();
    await store.put('acme', 'db', 'one');
    await store.get('acme', 'db');
    const other = openStore(options);

    await other.rotateTenantKey('acme');
    const result = await store.rewrap({ tenant: 'acme' });

    assert.equal(result.rewrapped, 1);
    assert.equal((await envelopeOf(storage, 'acme', 'db')).keyRef.keyVersion, 2);
    assert.equal((await store.get('acme', 'db')).value.text(), 'one');
  });

  test('retire keeps a version that a stored envelope still names', async () => {
    const { store, clock } = tenantStore();
    await store.put('acme', 'db', 'one');
    await store.rotateTenantKey('acme');
    clock.advance(FIVE_MINUTES);

    assert.deepEqual(await store.retireTenantKeys('acme'), { retired: [], kept: [1, 2] });
    assert.equal((await store.get('acme', 'db')).value.text(), 'one');
  });

  test('a master key rotation rewraps tenant keys, not every version', async () => {
    const { store, storage, master } = tenantStore();
    for (const tenant of ['acme', 'globex']) {
      for (const name of ['a', 'b', 'c']) {
        await store.put(tenant, name, `${tenant} ${name}`);
      }
    }
    const before = await envelopeOf(storage, 'acme', 'a');

    await master.rotate();
    const result = await store.rewrap();

    assert.equal(result.scanned, 6);
    assert.equal(result.rewrapped, 0);
    assert.deepEqual(result.tenantKeys, { scanned: 2, rewrapped: 2, failed: [] });
    const [acmeKey] = await store.listTenantKeys('acme');
    assert.equal(acmeKey?.masterKey.keyVersion, 2);
    assert.deepEqual(await envelopeOf(storage, 'acme', 'a'), before);
    assert.equal((await store.get('acme', 'a')).value.text(), 'acme a');
    assert.deepEqual((await store.rewrap()).tenantKeys.rewrapped, 0);
  });

  test('rewrap moves master-layer versions into the tenant layer', async () => {
    const { store, storage, master } = tenantStore();
    const plain = openStore({ keys: master.keys, storage });
    await plain.put('acme', 'old', 'written before tenant keys');

    const result = await store.rewrap();

    assert.equal(result.rewrapped, 1);
    assert.equal((await envelopeOf(storage, 'acme', 'old')).keyRef.layer, 'tenant');
    assert.equal((await plain.get('acme', 'old')).value.text(), 'written before tenant keys');
  });

  test('two stores creating a tenant’s first key at once share one', async () => {
    const storage = new MemoryBackend();
    const keys: KeyProvider = new LocalKeyProvider(createKeyring());
    const first = openStore({ keys, storage, tenantKeys: true });
    const second = openStore({ keys, storage, tenantKeys: true });

    await Promise.all([first.put('acme', 'one', '1'), second.put('acme', 'two', '2')]);

    assert.equal((await storage.listTenantKeys('acme')).length, 1);
    assert.equal((await first.get('acme', 'two')).value.text(), '2');
    assert.equal((await second.get('acme', 'one')).value.text(), '1');
  });

  test('without the key cache every read unwraps the tenant key again', async () => {
    const { store, calls } = tenantStore({ keyCache: false });
    await store.put('acme', 'db', 'value');

    await store.get('acme', 'db');
    await store.get('acme', 'db');

    assert.deepEqual(calls, ['generateDataKey', 'unwrapDataKey', 'unwrapDataKey', 'unwrapDataKey']);
  });

  test('refuses bad options', () => {
    const keys = new LocalKeyProvider(createKeyring());
    const storage = new MemoryBackend();
    const bad = [
      [{ tenantKeys: 'yes' }, 'invalid options.tenantKeys: must be true or false'],
      [{ tenantKeys: true, mode: 'direct' }, "invalid options.tenantKeys: needs mode 'envelope'"],
    ] as const;

    for (const [options, message] of bad) {
      assert.throws(
        () => openStore({ keys, storage, ...(options as object) }),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === 'ERR_INVALID_INPUT' &&
          error.message === message,
      );
    }
  });

  test('checks the tenant of the tenant key operations', async () => {
    const { store } = tenantStore();

    const calls = [
      () => store.rotateTenantKey('bad tenant!'),
      () => store.listTenantKeys(''),
      () => store.retireTenantKeys('x'.repeat(300)),
      () => store.rewrap({ tenant: '../etc' }),
    ];
    for (const call of calls) {
      await expectRejection(call(), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: /^invalid tenant: /,
      });
    }
  });
});
