import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { StorageError } from '../../src/errors.js';
import { createKeyring, serializeKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { SqliteBackend } from '../../src/storage/sqlite-backend.js';
import { RevisionConflict } from '../../src/storage/storage-backend.js';
import { openStore } from '../../src/store/store.js';
import { expectRejection, expectThrow } from '../support/errors.js';
import { versionWrite } from '../support/records.js';
import { makeTempDir, permissions, removeTempDir } from '../support/temp-dir.js';
import { startWriter } from '../support/writer-process.js';

let root: string;
let count = 0;
const opened: SqliteBackend[] = [];

/** A fresh database file path in the test directory. */
function freshPath(): string {
  count += 1;
  return join(root, `db-${count}.sqlite`);
}

function open(path: string): SqliteBackend {
  const backend = new SqliteBackend(path);
  opened.push(backend);
  return backend;
}

before(() => {
  root = makeTempDir();
});

after(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  removeTempDir(root);
});

describe('SqliteBackend', () => {
  test('opens the database in WAL mode', () => {
    const path = freshPath();
    open(path);

    const raw = new Database(path, { readonly: true });
    const mode = raw.pragma('journal_mode', { simple: true });
    raw.close();

    assert.equal(mode, 'wal');
  });

  test('creates the database file and its WAL with mode 0600', async () => {
    const path = freshPath();

    const backend = open(path);
    await backend.writeVersion(versionWrite('acme', 'db', 1));

    assert.equal(permissions(statSync(path).mode), 0o600);
    assert.ok(existsSync(`${path}-wal`));
    assert.equal(permissions(statSync(`${path}-wal`).mode), 0o600);
  });

  test('tightens an existing database file to mode 0600', () => {
    const path = freshPath();
    writeFileSync(path, '', { mode: 0o644 });

    open(path);

    assert.equal(permissions(statSync(path).mode), 0o600);
  });

  test('keeps what was written across a reopen', async () => {
    const path = freshPath();
    const first = open(path);
    await first.writeVersion(versionWrite('acme', 'db', 1));
    await first.close();

    const second = open(path);

    assert.equal((await second.getSecret('acme', 'db'))?.revision, 1);
    assert.deepEqual(
      (await second.getVersion('acme', 'db', 1))?.envelope,
      Uint8Array.of(1, 0xaa, 0xbb),
    );
    assert.equal(await second.hasData(), true);
  });

  test('a write with a stale expectedRevision conflicts and writes nothing', async () => {
    const backend = open(freshPath());
    await backend.writeVersion(versionWrite('acme', 'db', 1));
    const stale = { ...versionWrite('acme', 'db', 2), expectedRevision: 0 };

    const work = backend.writeVersion(stale);

    await assert.rejects(work, RevisionConflict);
    const secret = await backend.getSecret('acme', 'db');
    assert.equal(secret?.revision, 1);
    assert.deepEqual(secret?.versions, [1]);
    assert.equal(await backend.getVersion('acme', 'db', 2), undefined);
  });

  test('a new secret written with expectedRevision 1 conflicts, writing nothing', async () => {
    const backend = open(freshPath());

    const work = backend.writeVersion({ ...versionWrite('acme', 'db', 1), expectedRevision: 1 });

    await assert.rejects(work, RevisionConflict);
    assert.equal(await backend.getSecret('acme', 'db'), undefined);
    assert.equal(await backend.hasData(), false);
  });

  test('updateSecret and purgeSecret with a stale revision change nothing', async () => {
    const backend = open(freshPath());
    const write = versionWrite('acme', 'db', 1);
    await backend.writeVersion(write);
    const changed = { ...write.secret, revision: 2, labels: { current: 1, pending: 1 } };

    const update = backend.updateSecret(changed, 0);
    const purge = backend.purgeSecret('acme', 'db', 7);

    await assert.rejects(update, RevisionConflict);
    await assert.rejects(purge, RevisionConflict);
    assert.deepEqual((await backend.getSecret('acme', 'db'))?.labels, { current: 1 });
    assert.ok(await backend.getVersion('acme', 'db', 1));
  });

  test('a version insert that fails rolls back the whole write', async () => {
    const backend = open(freshPath());
    const first = versionWrite('acme', 'db', 1);
    await backend.writeVersion(first);
    const secret = await backend.getSecret('acme', 'db');
    // A correct revision, but version 1 again: the insert fails inside the transaction.
    const clash = versionWrite('acme', 'db', 1, secret);

    const work = backend.writeVersion(clash);

    await expectRejection(work, StorageError, {
      code: 'ERR_STORAGE',
      message: 'SQLite write failed',
    });
    assert.equal((await backend.getSecret('acme', 'db'))?.revision, 1);
  });

  test('destroyVersions deletes the versions in the same commit', async () => {
    const backend = open(freshPath());
    await backend.writeVersion(versionWrite('acme', 'db', 1));
    const secret = await backend.getSecret('acme', 'db');
    const next = versionWrite('acme', 'db', 2, secret);

    await backend.writeVersion({
      ...next,
      destroyVersions: [1],
      secret: { ...next.secret, versions: [2] },
    });

    assert.equal(await backend.getVersion('acme', 'db', 1), undefined);
    assert.deepEqual(
      (await backend.listVersions('acme', 'db')).map((v) => v.version),
      [2],
    );
  });

  test('two backends on one file: the second writer of one revision conflicts', async () => {
    const path = freshPath();
    const a = open(path);
    const b = open(path);
    const seenByA = await a.getSecret('acme', 'db');
    const seenByB = await b.getSecret('acme', 'db');

    const theirs = versionWrite('acme', 'db', 1, seenByB);

    await a.writeVersion(versionWrite('acme', 'db', 1, seenByA));
    const work = b.writeVersion({
      ...theirs,
      version: { ...theirs.version, envelope: Uint8Array.of(9) },
    });

    await assert.rejects(work, RevisionConflict);
    assert.deepEqual((await b.getVersion('acme', 'db', 1))?.envelope, Uint8Array.of(1, 0xaa, 0xbb));
  });

  test('two stores over two backends on one file race puts without losing one', async () => {
    const path = freshPath();
    const keys = new LocalKeyProvider(createKeyring());
    const a = openStore({ keys, storage: open(path) });
    const b = openStore({ keys, storage: open(path) });

    const writes = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0 ? a : b).put('acme', 'db', `writer ${i}`),
    );
    const versions = await Promise.all(writes);

    assert.deepEqual(
      [...versions].sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const [i, version] of versions.entries()) {
      const reader = i % 2 === 0 ? b : a;
      assert.equal((await reader.get('acme', 'db', { version })).value.text(), `writer ${i}`);
    }
  });

  test('two processes racing puts on one file get distinct versions, none lost', async () => {
    const path = freshPath();
    const keyring = createKeyring();
    const text = serializeKeyring(keyring);
    const store = openStore({ keys: new LocalKeyProvider(keyring), storage: open(path) });
    const writers = ['first', 'second'].map((label) => startWriter(path, 100, label, text));
    await Promise.all(writers.map((writer) => writer.ready));

    const got = await Promise.all(writers.map((writer) => writer.go()));

    assert.deepEqual(
      got.flat().sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    for (const [w, label] of ['first', 'second'].entries()) {
      for (const [i, version] of (got[w] ?? []).entries()) {
        const read = await store.get('acme', 'db', { version });
        assert.equal(read.value.text(), `${label} ${i}`);
      }
    }
  });

  test('scanVersions pages every version in tenant, name, version order', async () => {
    const backend = open(freshPath());
    for (const [tenant, name] of [
      ['globex', 'a'],
      ['acme', 'b'],
      ['acme', 'a'],
    ] as const) {
      const first = versionWrite(tenant, name, 1);
      await backend.writeVersion(first);
      await backend.writeVersion(versionWrite(tenant, name, 2, first.secret));
    }

    const first = await backend.scanVersions(undefined, 4);
    const rest = await backend.scanVersions(first.at(-1), 4);

    assert.deepEqual(
      [...first, ...rest].map((v) => `${v.tenant}/${v.name}/${v.version}`),
      ['acme/a/1', 'acme/a/2', 'acme/b/1', 'acme/b/2', 'globex/a/1', 'globex/a/2'],
    );
  });

  test('replaceEnvelope swaps only when the stored envelope is the expected one', async () => {
    const backend = open(freshPath());
    await backend.writeVersion(versionWrite('acme', 'db', 1));
    const at = { tenant: 'acme', name: 'db', version: 1 };

    const stale = await backend.replaceEnvelope(at, Uint8Array.of(0), Uint8Array.of(7));
    const fresh = await backend.replaceEnvelope(at, Uint8Array.of(1, 0xaa, 0xbb), Uint8Array.of(7));

    assert.equal(stale, false);
    assert.equal(fresh, true);
    assert.deepEqual((await backend.getVersion('acme', 'db', 1))?.envelope, Uint8Array.of(7));
  });

  test('refuses a database of a schema version it does not know', () => {
    const path = freshPath();
    open(path);
    const raw = new Database(path);
    raw.prepare("UPDATE strongroom_meta SET value = '2' WHERE key = 'schema'").run();
    raw.close();

    const error = expectThrow(() => open(path), StorageError, {
      code: 'ERR_STORAGE',
      message: `cannot open the SQLite database at ${path}`,
    });

    assert.match(String((error.cause as Error).message), /schema version 2/);
  });
});
