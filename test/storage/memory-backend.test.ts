import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { RevisionConflict } from '../../src/storage/storage-backend.js';
import { versionWrite } from '../support/records.js';

describe('MemoryBackend', () => {
  test('a record handed out can be changed without changing what is stored', async () => {
    const backend = new MemoryBackend();
    await backend.writeVersion(versionWrite('acme', 'db', 1));
    const secret = await backend.getSecret('acme', 'db');
    const version = await backend.getVersion('acme', 'db', 1);
    assert.ok(secret && version);

    (secret.labels as Record<string, number>).current = 9;
    version.envelope.fill(0);

    assert.deepEqual((await backend.getSecret('acme', 'db'))?.labels, { current: 1 });
    assert.deepEqual(
      (await backend.getVersion('acme', 'db', 1))?.envelope,
      Uint8Array.of(1, 0xaa, 0xbb),
    );
  });

  test('a record handed in can be changed afterwards without changing what is stored', async () => {
    const backend = new MemoryBackend();
    const write = versionWrite('acme', 'db', 1);

    await backend.writeVersion(write);
    write.version.envelope.fill(0);
    (write.secret.versions as number[]).push(5);

    assert.deepEqual(
      (await backend.getVersion('acme', 'db', 1))?.envelope,
      Uint8Array.of(1, 0xaa, 0xbb),
    );
    assert.deepEqual((await backend.getSecret('acme', 'db'))?.versions, [1]);
  });

  test('a write with a stale expectedRevision conflicts and writes nothing', async () => {
    const backend = new MemoryBackend();
    await backend.writeVersion(versionWrite('acme', 'db', 1));

    const work = backend.writeVersion({ ...versionWrite('acme', 'db', 2), expectedRevision: 0 });

    await assert.rejects(work, RevisionConflict);
    assert.equal(await backend.getVersion('acme', 'db', 2), undefined);
    assert.equal((await backend.getSecret('acme', 'db'))?.revision, 1);
  });

  test('listSecrets orders names by their UTF-8 bytes and reports more', async () => {
    const backend = new MemoryBackend();
    for (const name of ['b', 'B', 'a/1', 'a+1', 'a.1']) {
      await backend.writeVersion(versionWrite('acme', name, 1));
    }

    const first = await backend.listSecrets('acme', { limit: 3 });
    const rest = await backend.listSecrets('acme', { limit: 3, after: first.secrets.at(-1)?.name });

    assert.deepEqual(
      first.secrets.map((secret) => secret.name),
      ['B', 'a+1', 'a.1'],
    );
    assert.equal(first.more, true);
    assert.deepEqual(
      rest.secrets.map((secret) => secret.name),
      ['a/1', 'b'],
    );
    assert.equal(rest.more, false);
  });
});
