import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  KeyringCorruptError,
  KeyringMissingError,
  KeyringReadOnlyError,
  WrongKeyringError,
} from '../../src/errors.js';
import { createKeyring, serializeKeyring } from '../../src/keys/local/keyring.js';
import {
  DATABASE_FILE,
  KEYRING_ENV,
  KEYRING_FILE,
  KEYRING_FILE_ENV,
  type LocalStore,
  openLocalStore,
  rotateLocalKeyring,
} from '../../src/local.js';
import { expectRejection } from '../support/errors.js';
import { makeTempDir, permissions, removeTempDir } from '../support/temp-dir.js';

let root: string;
let count = 0;
let opened: LocalStore[] = [];
const savedEnv = { text: process.env[KEYRING_ENV], file: process.env[KEYRING_FILE_ENV] };

function freshDir(): string {
  count += 1;
  return join(root, `data-${count}`);
}

async function open(options: Parameters<typeof openLocalStore>[0]): Promise<LocalStore> {
  const local = await openLocalStore(options);
  opened.push(local);
  return local;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
}

before(() => {
  root = makeTempDir();
  delete process.env[KEYRING_ENV];
  delete process.env[KEYRING_FILE_ENV];
});

afterEach(async () => {
  await Promise.all(opened.map((local) => local.store.close()));
  opened = [];
  delete process.env[KEYRING_ENV];
  delete process.env[KEYRING_FILE_ENV];
});

after(() => {
  restoreEnv(KEYRING_ENV, savedEnv.text);
  restoreEnv(KEYRING_FILE_ENV, savedEnv.file);
  removeTempDir(root);
});

describe('openLocalStore', () => {
  test('creates keyring.json with mode 0600 on first use', async () => {
    const dataDir = freshDir();

    const { createdKeyring, source, keys } = await open({ dataDir });

    const path = join(dataDir, KEYRING_FILE);
    assert.equal(createdKeyring, true);
    assert.deepEqual(source, { kind: 'file', path });
    assert.equal(permissions(statSync(path).mode), 0o600);
    assert.match(readFileSync(path, 'utf8'), new RegExp(keys.keyring.id));
  });

  test('creates the data directory with mode 0700', async () => {
    const dataDir = join(freshDir(), 'nested');

    await open({ dataDir });

    assert.equal(permissions(statSync(dataDir).mode), 0o700);
    assert.equal(permissions(statSync(join(dataDir, DATABASE_FILE)).mode), 0o600);
  });

  test('a second open uses the existing keyring and reads what the first wrote', async () => {
    const dataDir = freshDir();
    const first = await open({ dataDir });
    await first.store.put('acme', 'api-key', 'value');
    await first.store.close();

    const second = await open({ dataDir });

    assert.equal(second.createdKeyring, false);
    assert.equal(second.keys.keyring.id, first.keys.keyring.id);
    assert.equal((await second.store.get('acme', 'api-key')).value.text(), 'value');
  });

  test('refuses with KeyringMissingError when the keyring is gone but data exists', async () => {
    const dataDir = freshDir();
    const first = await open({ dataDir });
    await first.store.put('acme', 'api-key', 'value');
    await first.store.close();
    const path = join(dataDir, KEYRING_FILE);
    rmSync(path);

    const work = openLocalStore({ dataDir });

    await expectRejection(work, KeyringMissingError, {
      code: 'ERR_KEYRING_MISSING',
      message:
        `keyring file ${path} is missing: restore it from your backup (strongroom never ` +
        'creates a new keyring where secrets exist: a new one could not decrypt them)',
    });
    assert.equal(existsSync(path), false, 'no new keyring was created over the data');
  });

  test('creates a keyring over a database that holds no data', async () => {
    const dataDir = freshDir();
    const first = await open({ dataDir });
    await first.store.close();
    rmSync(join(dataDir, KEYRING_FILE));

    const second = await open({ dataDir });

    assert.equal(second.createdKeyring, true);
    assert.notEqual(second.keys.keyring.id, first.keys.keyring.id);
  });

  test(`reads the keyring from ${KEYRING_ENV} and writes no keyring file`, async () => {
    const dataDir = freshDir();
    const keyring = createKeyring();
    process.env[KEYRING_ENV] = serializeKeyring(keyring);

    const { source, keys, createdKeyring, store } = await open({ dataDir });
    await store.put('acme', 'api-key', 'value');

    assert.equal(source.kind, 'text');
    assert.equal(source.kind === 'text' && source.label, `from $${KEYRING_ENV}`);
    assert.equal(keys.keyring.id, keyring.id);
    assert.equal(createdKeyring, false);
    assert.equal(existsSync(join(dataDir, KEYRING_FILE)), false);
    assert.equal((await store.get('acme', 'api-key')).value.text(), 'value');
  });

  test(`a corrupt ${KEYRING_ENV} is refused, naming the variable and not its text`, async () => {
    const text = serializeKeyring(createKeyring()).slice(0, 120);
    process.env[KEYRING_ENV] = text;

    const work = openLocalStore({ dataDir: freshDir() });

    const error = await expectRejection(work, KeyringCorruptError, {
      code: 'ERR_KEYRING_CORRUPT',
      message: `keyring from $${KEYRING_ENV} is unreadable or corrupt: not valid JSON`,
    });
    assert.ok(!error.message.includes(text));
  });

  test(`${KEYRING_FILE_ENV} names a keyring file outside the data directory`, async () => {
    const dataDir = freshDir();
    const path = join(root, `outside-${count}.json`);
    process.env[KEYRING_FILE_ENV] = path;

    const { source, createdKeyring } = await open({ dataDir });

    assert.deepEqual(source, { kind: 'file', path });
    assert.equal(createdKeyring, true);
    assert.ok(existsSync(path));
    assert.equal(existsSync(join(dataDir, KEYRING_FILE)), false);
  });

  test('a database is bound to its keyring: opening it with another is refused', async () => {
    const dataDir = freshDir();
    const first = await open({ dataDir });
    await first.store.put('acme', 'api-key', 'value');
    await first.store.close();
    const other = createKeyring();
    process.env[KEYRING_ENV] = serializeKeyring(other);

    const work = open({ dataDir });

    await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message:
        `data was sealed under keyring ${first.keys.keyring.id}, but the loaded keyring is ` +
        `${other.id}: load the keyring this data was written with`,
    });
  });
});

describe('rotateLocalKeyring', () => {
  test(`refuses a keyring from ${KEYRING_ENV} with KeyringReadOnlyError`, async () => {
    process.env[KEYRING_ENV] = serializeKeyring(createKeyring());
    const { source } = await open({ dataDir: freshDir() });

    const work = rotateLocalKeyring(source);

    await expectRejection(work, KeyringReadOnlyError, {
      code: 'ERR_KEYRING_READ_ONLY',
      message:
        `keyring from $${KEYRING_ENV} is read-only here: ` +
        'rotate the keyring file it came from instead',
    });
  });

  test('adds a version that new writes use while old versions still read', async () => {
    const dataDir = freshDir();
    const { store, source } = await open({ dataDir });
    await store.put('acme', 'api-key', 'before');
    await store.close();

    const version = await rotateLocalKeyring(source);

    const reopened = await open({ dataDir });
    await reopened.store.put('acme', 'api-key', 'after');
    assert.equal(version, 2);
    assert.equal((await reopened.store.describe('acme', 'api-key')).current.key.keyVersion, 2);
    assert.equal(
      (await reopened.store.get('acme', 'api-key', { version: 1 })).value.text(),
      'before',
    );
  });

  test('a store opened before a rotation reloads the keyring to read newer versions', async () => {
    const dataDir = freshDir();
    const early = await open({ dataDir });
    await early.store.put('acme', 'api-key', 'before');
    await rotateLocalKeyring(early.source);
    const late = await open({ dataDir });

    await late.store.put('acme', 'api-key', 'after');
    const read = await early.store.get('acme', 'api-key');

    assert.equal(read.value.text(), 'after');
    assert.equal(early.keys.keyring.newestVersion, 2);
  });

  test('a reload after the keyring file is gone fails with KeyringMissingError', async () => {
    const dataDir = freshDir();
    const early = await open({ dataDir });
    await early.store.put('acme', 'api-key', 'before');
    await rotateLocalKeyring(early.source);
    const late = await open({ dataDir });
    await late.store.put('acme', 'api-key', 'after');
    rmSync(join(dataDir, KEYRING_FILE));

    const work = early.store.get('acme', 'api-key');

    await expectRejection(work, KeyringMissingError, {
      code: 'ERR_KEYRING_MISSING',
      message: /missing/,
    });
  });
});
