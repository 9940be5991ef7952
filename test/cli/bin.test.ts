import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Cli, spawnCli } from './harness.js';

// Spawned runs cost about 0.4 s each: these few prove the entry point, the rest run in-process.
describe('the strongroom executable', () => {
  test('reads the value from stdin and writes it back byte for byte', async (t) => {
    const cli = new Cli(t);
    const value = Buffer.concat([randomBytes(70_000), Buffer.from('\n')]);

    const put = await spawnCli(['put', 'acme', 'blob'], { env: cli.env, stdin: value });
    const get = await spawnCli(['get', 'acme', 'blob'], { env: cli.env });

    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.out, '1\n');
    assert.match(put.stderr, /created a new keyring/);
    assert.equal(get.code, 0, get.stderr);
    assert.ok(get.stdout.equals(value));
  });

  test('sets the process exit code and prints one line on stderr', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');

    const missing = await spawnCli(['get', 'acme', 'missing'], { env: cli.env });
    const extra = await spawnCli(['put', 'acme', 'k', 'sk_live_argument'], {
      env: cli.env,
      stdin: 'v',
    });

    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, 'strongroom: secret missing of tenant acme not found\n');
    assert.equal(missing.out, '');
    assert.equal(extra.code, 2);
    assert.doesNotMatch(extra.stderr, /sk_live_argument/);
  });
});
