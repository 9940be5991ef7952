import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cli } from './harness.js';

describe('labels, rollback, delete, restore and purge', () => {
  test('label moves and removes labels, with check-and-set', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'one');
    await cli.put('acme', 'api-key', 'two');

    const moved = await cli.run(['label', 'acme', 'api-key', 'stable', '1']);
    const stale = await cli.run([
      'label',
      'acme',
      'api-key',
      'stable',
      '2',
      '--expected-version',
      '2',
    ]);
    const removed = await cli.run(['label', 'acme', 'api-key', 'stable', '--remove', '--json']);
    const neither = await cli.run(['label', 'acme', 'api-key', 'stable']);

    assert.equal(moved.code, 0);
    assert.match(moved.out, /stable=1/);
    assert.equal(stale.code, 4);
    assert.equal(removed.code, 0);
    assert.equal(JSON.parse(removed.out).labels.stable, undefined);
    assert.equal(neither.code, 2);
  });

  test('rollback moves current back to previous', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'one');
    await cli.put('acme', 'api-key', 'two');

    const result = await cli.run(['rollback', 'acme', 'api-key']);

    assert.equal(result.out, '1\n');
    assert.equal((await cli.run(['get', 'acme', 'api-key'])).out, 'one');
  });

  test('delete hides the secret until restore', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'value');

    const deleted = await cli.run(['delete', 'acme', 'api-key', '--recovery-window-days', '3']);
    const hidden = await cli.run(['get', 'acme', 'api-key']);
    const listed = await cli.run(['list', 'acme', '--include-deleted']);
    const restored = await cli.run(['restore', 'acme', 'api-key']);

    assert.equal(deleted.code, 0);
    assert.match(deleted.out, /^deleted api-key; restorable until \S+Z$/m);
    assert.equal(hidden.code, 3);
    assert.match(hidden.stderr, /is deleted; restore it before/);
    assert.match(listed.out, /deleted, restorable until/);
    assert.equal(restored.code, 0);
    assert.equal((await cli.run(['get', 'acme', 'api-key'])).out, 'value');
  });

  test('purge requires --yes, then destroys every version', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'one');
    await cli.put('acme', 'api-key', 'two');

    const refused = await cli.run(['purge', 'acme', 'api-key']);
    const kept = await cli.run(['get', 'acme', 'api-key']);
    const purged = await cli.run(['purge', 'acme', 'api-key', '--yes', '--json']);

    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /destroys every version of api-key now.*pass --yes/);
    assert.equal(kept.code, 0);
    assert.deepEqual(JSON.parse(purged.out), {
      tenant: 'acme',
      name: 'api-key',
      purgedVersions: 2,
    });
    assert.equal((await cli.run(['versions', 'acme', 'api-key'])).code, 3);
  });
});
