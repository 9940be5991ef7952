import assert from 'node:assert/strict';
import { existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  EXIT_CONFLICT,
  EXIT_ERROR,
  EXIT_INTEGRITY,
  EXIT_NOT_FOUND,
  EXIT_USAGE,
} from '../../src/cli/exit-codes.js';
import { INTEGRITY_MESSAGE } from '../../src/errors.js';
import { createKeyring, serializeKeyring } from '../../src/keys/local/keyring.js';
import { Cli } from './harness.js';

const COMMANDS = [
  ['put'],
  ['get'],
  ['describe'],
  ['list'],
  ['versions'],
  ['label'],
  ['rollback'],
  ['delete'],
  ['restore'],
  ['purge'],
  ['keys'],
  ['keys', 'rotate'],
  ['rewrap'],
];

describe('usage', () => {
  test('--help works for the program and every command', async (t) => {
    const cli = new Cli(t);

    for (const command of [[], ...COMMANDS]) {
      const result = await cli.run([...command, '--help']);

      assert.equal(result.code, 0, command.join(' '));
      assert.match(result.out, new RegExp(`^Usage: strongroom ${command.join(' ')}`));
      assert.equal(result.stderr, '');
    }
    assert.equal(existsSync(cli.keyringPath), false, 'help opens no store');
  });

  test('--version prints the package version', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['--version']);

    assert.equal(result.code, 0);
    assert.match(result.out, /^\d+\.\d+\.\d+\n$/);
  });

  test('exits 2 with one line for bad arguments and options', async (t) => {
    const cli = new Cli(t);
    const cases = [
      ['get', 'acme'],
      ['get', 'acme', 'k', 'extra'],
      ['get', 'acme', 'k', '--version', 'two'],
      ['get', 'acme', 'k', '--frobnicate'],
      ['list', 'acme', '--limit', '0'],
      ['put', 'acme', 'k', '--mode', 'sideways'],
      ['put', 'acme', 'k', '--tag', 'no-equals'],
      ['put', 'acme', 'k', '--expires-at', 'tomorrow'],
      ['nonsense'],
      [],
    ];

    for (const args of cases) {
      const result = await cli.run(args, { stdin: 'v' });

      assert.equal(result.code, EXIT_USAGE, args.join(' '));
      if (args.length > 0) {
        assert.match(result.stderr, /^strongroom: [^\n]+\n$/, args.join(' '));
      }
    }
  });

  test('a value typed where a number or command belongs is not echoed back', async (t) => {
    const cli = new Cli(t);
    const secret = 'sk_live_typed_in_the_wrong_place';
    const cases = [
      ['label', 'acme', 'k', 'current', secret],
      ['get', 'acme', 'k', '--version', secret],
      ['list', 'acme', '--limit', secret],
      [secret],
    ];

    for (const args of cases) {
      const result = await cli.run(args);

      assert.equal(result.code, EXIT_USAGE, args.join(' '));
      assert.equal(result.stderr.includes(secret), false, result.stderr);
      assert.match(result.stderr, /^strongroom: [^\n]+\n$/);
    }
  });

  test('exits 2 for names and values the store refuses', async (t) => {
    const cli = new Cli(t);

    const badTenant = await cli.run(['put', 'bad!tenant', 'k'], { stdin: 'v' });
    const badName = await cli.run(['put', 'acme', 'has#hash'], { stdin: 'v' });
    const past = await cli.run(['put', 'acme', 'k', '--expires-at', '2001-01-01T00:00:00Z'], {
      stdin: 'v',
    });
    const tooLarge = await cli.run(['put', 'acme', 'k'], { stdin: 'x'.repeat(256 * 1024 + 1) });
    const badCursor = await cli.run(['list', 'acme', '--cursor', 'garbage']);

    assert.equal(badTenant.code, EXIT_USAGE);
    assert.match(badTenant.stderr, /^strongroom: invalid tenant: /);
    assert.equal(badName.code, EXIT_USAGE);
    assert.equal(
      badName.stderr.split('\n')[0],
      'strongroom: invalid secret name: use 1 to 256 of A-Z a-z 0-9 . _ - / + = @, ' +
        'starting with a letter or digit',
    );
    assert.equal(past.code, EXIT_USAGE);
    assert.equal(tooLarge.code, EXIT_USAGE);
    assert.equal(tooLarge.stderr, 'strongroom: value is 262145 bytes; the limit is 262144 bytes\n');
    assert.equal(badCursor.code, EXIT_USAGE);
  });

  test('a value of exactly 256 KiB is accepted', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['put', 'acme', 'k'], { stdin: 'x'.repeat(256 * 1024) });

    assert.equal(result.code, 0);
  });
});

describe('not found and conflict', () => {
  test('exits 3 for a missing secret, version or label, and a deleted secret', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');
    await cli.put('acme', 'gone', 'v');
    await cli.run(['delete', 'acme', 'gone']);

    const results = [
      await cli.run(['get', 'acme', 'missing']),
      await cli.run(['get', 'acme', 'k', '--version', '9']),
      await cli.run(['get', 'acme', 'k', '--label', 'nope']),
      await cli.run(['rollback', 'acme', 'k']),
      await cli.run(['describe', 'acme', 'gone']),
      await cli.run(['purge', 'acme', 'missing', '--yes']),
    ];

    for (const result of results) {
      assert.equal(result.code, EXIT_NOT_FOUND, result.stderr);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    }
    assert.equal(results[0]?.stderr, 'strongroom: secret missing of tenant acme not found\n');
  });

  test('exits 4 when a label expectation does not hold', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');

    const result = await cli.run(['label', 'acme', 'k', 'current', '1', '--expected-version', '7']);

    assert.equal(result.code, EXIT_CONFLICT);
    assert.match(result.stderr, /^strongroom: label current of secret k .*not the expected 7\n$/);
  });

  test('a read in a data directory that holds no store exits 3 and creates nothing', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['list', 'acme']);

    assert.equal(result.code, 3);
    assert.match(result.stderr, /^strongroom: strongroom store in .* not found\n$/);
    assert.equal(existsSync(cli.keyringPath), false);
  });

  test('--debug adds the stack trace', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'present', 'value');

    const plain = await cli.run(['get', 'acme', 'missing']);
    const debug = await cli.run(['get', 'acme', 'missing', '--debug']);

    assert.doesNotMatch(plain.stderr, /\n\s+at /);
    assert.match(debug.stderr, /^strongroom: secret missing of tenant acme not found\n/);
    assert.match(debug.stderr, /NotFoundError: .*\n\s+at /);
  });
});

describe('integrity', () => {
  test('exits 5 for an envelope with one byte flipped', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'original');

    cli.editEnvelope({ tenant: 'acme', name: 'k', version: 1 }, (envelope) => {
      const copy = Buffer.from(envelope);
      copy[copy.length - 5] = (copy[copy.length - 5] ?? 0) ^ 0x01;
      return copy;
    });
    const result = await cli.run(['get', 'acme', 'k']);

    assert.equal(result.code, EXIT_INTEGRITY);
    assert.equal(result.stderr, `strongroom: ${INTEGRITY_MESSAGE}\n`);
    assert.equal(result.stdout.length, 0);
  });

  test("exits 5 for an envelope copied onto another tenant's row", async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'acme value');
    await cli.put('globex', 'k', 'globex value');
    const stolen = cli.readEnvelope({ tenant: 'acme', name: 'k', version: 1 });

    cli.editEnvelope({ tenant: 'globex', name: 'k', version: 1 }, () => stolen);
    const result = await cli.run(['get', 'globex', 'k', '--json']);

    assert.equal(result.code, EXIT_INTEGRITY);
    assert.equal(result.stderr, `strongroom: ${INTEGRITY_MESSAGE}\n`);
    assert.equal(result.out, '');
  });

  test('exits 5 with a clear message under the wrong keyring', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');
    const other = serializeKeyring(createKeyring());

    const result = await cli.run(['get', 'acme', 'k'], { env: { STRONGROOM_KEYRING: other } });

    assert.equal(result.code, EXIT_INTEGRITY);
    assert.match(
      result.stderr,
      /^strongroom: data was sealed under keyring kr-\w+, but the loaded keyring is kr-\w+: /,
    );
    assert.match(result.stderr, /: load the keyring this data was written with\n$/);
    assert.equal(result.stderr.split('\n').length, 2);
  });
});

describe('keyring', () => {
  test('a new keyring is created with mode 0600 and announced on stderr', async (t) => {
    const cli = new Cli(t);

    const first = await cli.run(['put', 'acme', 'k'], { stdin: 'v' });
    const second = await cli.run(['get', 'acme', 'k']);

    assert.equal(statSync(cli.keyringPath).mode & 0o777, 0o600);
    assert.equal(
      first.stderr,
      `strongroom: created a new keyring at ${cli.keyringPath}; back it up now, losing it ` +
        'loses every secret\n',
    );
    assert.equal(second.stderr, '');
  });

  test('exits 1 when the keyring is missing over stored data, and creates none', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');
    unlinkSync(cli.keyringPath);

    const result = await cli.run(['get', 'acme', 'k']);

    assert.equal(result.code, EXIT_ERROR);
    assert.match(result.stderr, /^strongroom: keyring file .*keyring\.json is missing/);
    assert.equal(result.stderr.split('\n').length, 2);
    assert.equal(existsSync(cli.keyringPath), false);
  });

  test('exits 1 for a corrupt keyring', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'k', 'v');
    writeFileSync(cli.keyringPath, '{"format": "strongroom-keyring", broken');

    const result = await cli.run(['get', 'acme', 'k']);

    assert.equal(result.code, EXIT_ERROR);
    assert.match(
      result.stderr,
      /^strongroom: keyring .* is unreadable or corrupt: not valid JSON\n$/,
    );
  });
});
