import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { createKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { openStore } from '../../src/store/store.js';
import type { StoreOptions } from '../../src/store/types.js';
import { countKeyCalls } from '../support/counting-keys.js';
import { countStorageCalls } from '../support/counting-storage.js';
import { expectThrow } from '../support/errors.js';
import { kmsForTestFile } from '../support/kms.js';

const kms = kmsForTestFile();
const SECRETS = Array.from({ length: 10 }, (_, i) => `service-${i}/api-key`);
const GETS = 1000;

function localStore(options: Partial<StoreOptions> = {}) {
  const keys = countKeyCalls(new LocalKeyProvider(createKeyring()));
  const storage = countStorageCalls(new MemoryBackend());
  const store = openStore({ ...options, keys: keys.keys, storage: storage.storage });

  return { store, keyCalls: keys.calls, storageCalls: storage.calls };
}

/** 1,000 gets spread evenly over the 10 secrets; returns the KMS calls they made. */
async function kmsCallsOfGets(options: Partial<StoreOptions>) {
  const store = openStore({
    ...options,
    keys: await kms.newProvider(),
    storage: new MemoryBackend(),
  });
  for (const name of SECRETS) {
    await store.put('acme', name, `value of ${name}`);
  }
  kms.server.resetCounts();

  for (let i = 0; i < GETS; i += 1) {
    const name = SECRETS[i % SECRETS.length] as string;
    assert.equal((await store.get('acme', name)).value.text(), `value of ${name}`);
  }

  return kms.server.counts();
}

describe('the store with its caches', () => {
  test('1,000 gets of 10 secrets make 10 KMS Decrypt calls with the key cache on', async () => {
    const counts = await kmsCallsOfGets({});

    assert.deepEqual(counts, { Decrypt: SECRETS.length });
  });

  test('1,000 gets of 10 secrets make 1,000 KMS Decrypt calls with keyCache false', async () => {
    const counts = await kmsCallsOfGets({ keyCache: false });

    assert.deepEqual(counts, { Decrypt: GETS });
  });

  test('getMany of 10 secrets makes 10 Decrypt calls cold and none warm', async () => {
    const store = openStore({ keys: await kms.newProvider(), storage: new MemoryBackend() });
    for (const name of SECRETS) {
      await store.put('acme', name, `value of ${name}`);
    }
    kms.server.resetCounts();

    await store.getMany('acme', SECRETS);
    const cold = kms.server.counts();
    kms.server.resetCounts();
    const warm = await store.getMany('acme', SECRETS);

    assert.deepEqual(cold, { Decrypt: SECRETS.length });
    assert.deepEqual(kms.server.counts(), {});
    assert.equal(warm.found.length, SECRETS.length);
  });

  test('close wipes the data key cache and the value cache', async () => {
    const { store, keyCalls, storageCalls } = localStore({ valueCache: { maxAgeMs: 60_000 } });
    await store.put('acme', 'db', 'value');
    await store.get('acme', 'db');
    keyCalls.length = 0;
    storageCalls.length = 0;

    await store.close();
    const read = await store.get('acme', 'db');

    assert.equal(read.value.text(), 'value');
    assert.deepEqual(keyCalls, ['unwrapDataKey']);
    assert.ok(storageCalls.includes('getCurrent'));
  });

  test('a fresh store has the key cache on and the value cache off', async () => {
    const { store, keyCalls, storageCalls } = localStore();
    await store.put('acme', 'db', 'value');
    keyCalls.length = 0;
    storageCalls.length = 0;

    await store.get('acme', 'db');
    await store.get('acme', 'db');

    assert.deepEqual(keyCalls, ['unwrapDataKey']);
    assert.deepEqual(storageCalls, ['getCurrent', 'getCurrent']);
  });

  test('rejects cache options out of range, naming the field', () => {
    const cases: [Partial<StoreOptions>, string, string][] = [
      [{ keyCache: { maxEntries: 0 } }, 'options.keyCache.maxEntries', 'must be an integer >= 1'],
      [{ keyCache: { maxAgeMs: 0.5 } }, 'options.keyCache.maxAgeMs', 'must be an integer >= 1'],
      [
        { valueCache: {} as { maxAgeMs: number } },
        'options.valueCache.maxAgeMs',
        'is required, in milliseconds',
      ],
      [{ valueCache: { maxAgeMs: -5 } }, 'options.valueCache.maxAgeMs', 'must be an integer >= 1'],
      [
        { valueCache: { maxAgeMs: 5, maxEntries: 0 } },
        'options.valueCache.maxEntries',
        'must be an integer >= 1',
      ],
    ];

    for (const [options, field, rule] of cases) {
      expectThrow(() => localStore(options), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: `invalid ${field}: ${rule}`,
      });
    }
  });

  test('fresh must be a boolean', async () => {
    const { store } = localStore();

    await assert.rejects(store.get('acme', 'db', { fresh: 'yes' as unknown as boolean }), {
      code: 'ERR_INVALID_INPUT',
      message: 'invalid options.fresh: must be a boolean',
    });
  });
});
