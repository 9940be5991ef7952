import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Cli } from './harness.js';

describe('put', () => {
  test('reads the value from stdin and prints the new version', async (t) => {
    const cli = new Cli(t);

    const first = await cli.run(['put', 'acme', 'api-key'], { stdin: 'one' });
    const second = await cli.run(['put', 'acme', 'api-key'], { stdin: 'two' });

    assert.equal(first.code, 0);
    assert.equal(first.out, '1\n');
    assert.equal(second.out, '2\n');
    assert.equal((await cli.run(['get', 'acme', 'api-key'])).out, 'two');
  });

  test('reads the value from --file', async (t) => {
    const cli = new Cli(t);
    const file = join(cli.dataDir, 'value.bin');
    writeFileSync(file, 'from a file\n');

    const put = await cli.run(['put', 'acme', 'cert', '--file', file]);

    assert.equal(put.code, 0);
    assert.equal((await cli.run(['get', 'acme', 'cert'])).out, 'from a file\n');
  });

  test('refuses a value given as an argument, without echoing it', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['put', 'acme', 'api-key', 'sk_live_argument']);

    assert.equal(result.code, 2);
    assert.match(result.stderr, /^strongroom: put takes no value argument/);
    assert.doesNotMatch(result.stderr, /sk_live_argument/);
    assert.equal((await cli.run(['get', 'acme', 'api-key'])).code, 3);
  });

  test('keeps a trailing newline unless --trim-newline', async (t) => {
    const cli = new Cli(t);

    await cli.put('acme', 'kept', 'value\n');
    await cli.put('acme', 'trimmed', 'value\r\n', ['--trim-newline']);

    assert.equal((await cli.run(['get', 'acme', 'kept'])).out, 'value\n');
    assert.equal((await cli.run(['get', 'acme', 'trimmed'])).out, 'value');
  });

  test('rejects an empty stdin unless --allow-empty', async (t) => {
    const cli = new Cli(t);

    const empty = await cli.run(['put', 'acme', 'api-key'], { stdin: '' });
    const allowed = await cli.run(['put', 'acme', 'api-key', '--allow-empty'], { stdin: '' });

    assert.equal(empty.code, 2);
    assert.equal(
      empty.stderr,
      'strongroom: no value on stdin (pass --allow-empty to store an empty value)\n',
    );
    assert.equal(allowed.code, 0);
    assert.equal((await cli.run(['get', 'acme', 'api-key'])).stdout.length, 0);
  });

  test('prints a hint on stderr when stdin is a terminal', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['put', 'acme', 'api-key'], { stdin: 'typed', isTTY: true });

    assert.equal(result.code, 0);
    assert.match(result.stderr, /reading the value from stdin; end with Ctrl-D/);
  });

  test('reports a missing --file as a usage error', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['put', 'acme', 'x', '--file', join(cli.dataDir, 'nope')]);

    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read the value from file .*nope \(ENOENT\)/);
  });

  test('passes options through and prints JSON', async (t) => {
    const cli = new Cli(t);
    const expires = new Date(Date.now() + 86_400_000).toISOString();

    const put = await cli.run(
      [
        'put',
        'acme',
        'db/password',
        '--json',
        '--description',
        'primary database',
        '--tag',
        'env=prod',
        '--tag',
        'team=core',
        '--content-type',
        'text/plain',
        '--expires-at',
        expires,
      ],
      { stdin: 'hunter2' },
    );
    const described = JSON.parse(
      (await cli.run(['describe', 'acme', 'db/password', '--json'])).out,
    );

    assert.deepEqual(JSON.parse(put.out), { tenant: 'acme', name: 'db/password', version: 1 });
    assert.equal(described.description, 'primary database');
    assert.deepEqual(described.tags, { env: 'prod', team: 'core' });
    assert.equal(described.current.contentType, 'text/plain');
    assert.equal(described.current.expiresAt, expires);
    assert.equal(described.current.size, 7);
  });

  test('check-and-set: --expected-version 0 creates only once', async (t) => {
    const cli = new Cli(t);

    const created = await cli.run(['put', 'acme', 'k', '--expected-version', '0'], { stdin: 'a' });
    const again = await cli.run(['put', 'acme', 'k', '--expected-version', '0'], { stdin: 'b' });
    const next = await cli.run(['put', 'acme', 'k', '--expected-version', '1'], { stdin: 'c' });

    assert.equal(created.code, 0);
    assert.equal(again.code, 4);
    assert.match(again.stderr, /is at version 1, not the expected 0; nothing was written/);
    assert.equal(next.out, '2\n');
  });

  test('--data-dir wins over STRONGROOM_DATA_DIR', async (t) => {
    const cli = new Cli(t);
    const other = mkdtempSync(join(tmpdir(), 'strongroom-cli-other-'));
    t.after(() => rmSync(other, { recursive: true, force: true }));

    const put = await cli.run(['--data-dir', other, '--json', 'put', 'acme', 'k'], { stdin: 'v' });
    const after = await cli.run(['get', 'acme', 'k', '--data-dir', other]);

    assert.equal(JSON.parse(put.out).version, 1, 'global options also go before the command');
    assert.equal(after.out, 'v');
    assert.ok(existsSync(join(other, 'strongroom.db')));
    assert.equal((await cli.run(['get', 'acme', 'k'])).code, 3);
  });
});

describe('get', () => {
  test('round-trips a binary value byte for byte', async (t) => {
    const cli = new Cli(t);
    const value = Buffer.concat([randomBytes(4096), Buffer.from([0, 10, 13, 255, 0])]);

    await cli.put('acme', 'blob', value);
    const result = await cli.run(['get', 'acme', 'blob']);

    assert.equal(result.code, 0);
    assert.ok(result.stdout.equals(value));
  });

  test('--json prints metadata and the value in base64', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'first');
    await cli.put('acme', 'api-key', 'second');

    const doc = JSON.parse((await cli.run(['get', 'acme', 'api-key', '--json'])).out);

    assert.equal(Buffer.from(doc.valueBase64, 'base64').toString(), 'second');
    assert.equal(doc.version, 2);
    assert.deepEqual(doc.labels, ['current']);
    assert.equal(doc.mode, 'envelope');
    assert.equal(doc.key.provider, 'local');
    assert.equal(typeof doc.createdAt, 'string');
    assert.equal(doc.value, undefined);
  });

  test('reads an older version by --version or --label', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'first');
    await cli.put('acme', 'api-key', 'second');

    const byVersion = await cli.run(['get', 'acme', 'api-key', '--version', '1']);
    const byLabel = await cli.run(['get', 'acme', 'api-key', '--label', 'previous']);
    const both = await cli.run(['get', 'acme', 'api-key', '--version', '1', '--label', 'x']);

    assert.equal(byVersion.out, 'first');
    assert.equal(byLabel.out, 'first');
    assert.equal(both.code, 2);
  });
});

describe('describe, list and versions', () => {
  test('describe shows the secret without its value', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'describe-me', ['--description', 'the key']);

    const result = await cli.run(['describe', 'acme', 'api-key']);

    assert.equal(result.code, 0);
    assert.match(result.out, /^tenant +acme$/m);
    assert.match(result.out, /^current version +1$/m);
    assert.match(result.out, /^description +the key$/m);
    assert.match(result.out, /^sealed +envelope, local kr-[0-9a-f]{12} v1$/m);
    assert.doesNotMatch(result.out, /describe-me/);
  });

  test('list prints one line per secret and the next cursor on stderr', async (t) => {
    const cli = new Cli(t);
    for (const name of ['a', 'b', 'c']) {
      await cli.put('acme', name, 'v');
    }

    const first = await cli.run(['list', 'acme', '--limit', '2']);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    const rest = await cli.run(['list', 'acme', '--limit', '2', '--cursor', String(cursor)]);

    assert.equal(first.out.split('\n').filter(Boolean).length, 2);
    assert.match(first.out, /^a +current 1 +1 version +updated \S+$/m);
    assert.ok(cursor);
    assert.match(rest.out, /^c /);
    assert.equal(rest.stderr, '');
  });

  test('list --json gives secrets and the cursor', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'db/one', 'v');
    await cli.put('acme', 'db/two', 'v');
    await cli.put('acme', 'web', 'v');

    const doc = JSON.parse((await cli.run(['list', 'acme', '--prefix', 'db/', '--json'])).out);

    assert.deepEqual(
      doc.secrets.map((secret: { name: string }) => secret.name),
      ['db/one', 'db/two'],
    );
    assert.equal(doc.cursor, null);
  });

  test('versions lists newest first with aligned columns', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'api-key', 'one');
    await cli.put('acme', 'api-key', 'two');

    const text = await cli.run(['versions', 'acme', 'api-key']);
    const doc = JSON.parse((await cli.run(['versions', 'acme', 'api-key', '--json'])).out);

    const lines = text.out.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^VERSION +LABELS +CREATED +SIZE +MODE +KEY +EXPIRES$/);
    assert.match(lines[1] ?? '', /^2 +current +\S+ +3 +envelope +local kr-\S+ v1 +-$/);
    assert.match(lines[2] ?? '', /^1 +previous /);
    assert.deepEqual(
      doc.versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
  });

  test('--mode direct seals new versions directly under the master key', async (t) => {
    const cli = new Cli(t);

    await cli.run(['put', 'acme', 'small', '--mode', 'direct'], { stdin: 'tiny' });
    const doc = JSON.parse((await cli.run(['describe', 'acme', 'small', '--json'])).out);

    assert.equal(doc.current.mode, 'direct');
    assert.equal((await cli.run(['get', 'acme', 'small'])).out, 'tiny');
  });
});
