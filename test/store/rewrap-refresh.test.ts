import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createKeyring,
  Keyring,
  readKeyringFile,
  rotateKeyringFile,
  serializeKeyring,
  writeNewKeyringFile,
} from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { KEYRING_FILE, openLocalStore } from '../../src/local.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { openStore } from '../../src/store/store.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

// These stores write no per-tenant keys, so a rewrap finds none to move.
const NO_TENANT_KEYS = { scanned: 0, rewrapped: 0, failed: [] };

let root: string;
let count = 0;

/** A data directory no other test uses, and its keyring file. */
function freshDir() {
  count += 1;
  const dataDir = join(root, `data-${count}`);

  return { dataDir, path: join(dataDir, KEYRING_FILE) };
}

before(() => {
  root = makeTempDir();
});

after(() => {
  removeTempDir(root);
});

describe('rewrap after another process rotated the keyring', () => {
  test('a long-lived store rewraps every version to the key the file gained', async () => {
    const { dataDir, path } = freshDir();
    const { store, keys } = await openLocalStore({ dataDir, keyring: { kind: 'file', path } });
    await store.put('acme', 'db', 'one');
    await store.put('acme', 'db', 'two');
    await store.put('globex', 'api-key', 'three');

    await rotateKeyringFile(path);
    const result = await store.rewrap();
    const again = await store.rewrap();

    assert.deepEqual(result, { scanned: 3, rewrapped: 3, failed: [], tenantKeys: NO_TENANT_KEYS });
    assert.deepEqual(again, { scanned: 3, rewrapped: 0, failed: [], tenantKeys: NO_TENANT_KEYS });
    assert.equal(keys.keyring.newestVersion, 2);
    assert.equal((await store.get('acme', 'db', { version: 1 })).value.text(), 'one');
    assert.equal((await store.get('globex', 'api-key')).value.text(), 'three');
    await store.close();
  });

  test('what a rewrapped store holds opens under the newest key version alone', async () => {
    const { dataDir, path } = freshDir();
    const { store } = await openLocalStore({ dataDir, keyring: { kind: 'file', path } });
    await store.put('acme', 'db', 'sealed under version 1');

    const rotated = await rotateKeyringFile(path);
    await store.rewrap();
    await store.close();

    // A keyring that holds only version 2 proves that nothing needs version 1 any more.
    const newestOnly = serializeKeyring(new Keyring(rotated.id, [rotated.newest]));
    const reopened = await openLocalStore({
      dataDir,
      keyring: { kind: 'text', text: newestOnly, label: 'version 2 only' },
    });
    const read = await reopened.store.get('acme', 'db');
    assert.equal(read.value.text(), 'sealed under version 1');
    await reopened.store.close();
  });

  test('a provider built with reload over the file is refreshed by rewrap', async () => {
    const { dataDir, path } = freshDir();
    mkdirSync(dataDir);
    const keyring = createKeyring();
    await writeNewKeyringFile(path, keyring);
    let reloads = 0;
    const keys = new LocalKeyProvider(keyring, {
      reload: async () => {
        reloads += 1;
        return (await readKeyringFile(path)) as Keyring;
      },
    });
    const store = openStore({ keys, storage: new MemoryBackend() });
    await store.put('acme', 'db', 'value');

    await rotateKeyringFile(path);
    const result = await store.rewrap();

    assert.equal(reloads, 1);
    assert.equal(result.rewrapped, 1);
    assert.equal(keys.keyring.newestVersion, 2);
    await store.close();
  });
});
