import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXIT_ERROR, EXIT_INTEGRITY } from '../../src/cli/exit-codes.js';
import { parseEnvelope, type SealedEnvelope } from '../../src/format/envelope.js';
import { Cli } from './harness.js';

describe('keys rotate and rewrap', () => {
  test('rewrap moves every version onto the new master key, once', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'a', 'one');
    await cli.put('acme', 'a', 'two');
    await cli.put('globex', 'b', 'three', ['--mode', 'direct']);

    const rotated = await cli.run(['keys', 'rotate']);
    const first = await cli.run(['rewrap']);
    const second = await cli.run(['rewrap', '--json']);
    const versions = JSON.parse((await cli.run(['versions', 'acme', 'a', '--json'])).out);

    assert.equal(rotated.out, '2\n');
    assert.match(rotated.stderr, /now seals with master key version 2; run strongroom rewrap/);
    assert.equal(first.out, 'rewrapped 3 of 3 versions\n');
    assert.equal(first.stderr, '', 'no progress when stderr is not a terminal');
    assert.deepEqual(JSON.parse(second.out), {
      scanned: 3,
      rewrapped: 0,
      failed: [],
      tenantKeys: { scanned: 0, rewrapped: 0, failed: [] },
    });
    assert.deepEqual(
      versions.versions.map((v: { key: { keyVersion: number } }) => v.key.keyVersion),
      [2, 2],
    );
    assert.equal((await cli.run(['get', 'acme', 'a', '--version', '1'])).out, 'one');
    assert.equal((await cli.run(['get', 'globex', 'b'])).out, 'three');
  });

  test('rewrap shows progress on stderr when it is a terminal', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'a', 'one');
    await cli.run(['keys', 'rotate']);

    const result = await cli.run(['rewrap'], { stderrIsTTY: true });

    assert.equal(result.out, 'rewrapped 1 of 1 versions\n');
    assert.match(result.stderr, /rewrap: 1 versions scanned, 1 rewrapped\n$/);
  });

  test('rewrap names a tampered version, moves the others, and exits 5', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'a', 'one');
    await cli.put('acme', 'b', 'two');
    cli.editEnvelope({ tenant: 'acme', name: 'a', version: 1 }, (envelope) => {
      // Inside the wrapped data key, which rewrap must open (it never opens the value).
      const { wrappedKey } = parseEnvelope(envelope) as SealedEnvelope;
      const copy = Buffer.from(envelope);
      const at = wrappedKey.byteOffset - envelope.byteOffset + 20;
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      return copy;
    });
    await cli.run(['keys', 'rotate']);

    const result = await cli.run(['rewrap']);

    assert.equal(result.code, EXIT_INTEGRITY);
    assert.equal(result.out, 'rewrapped 1 of 2 versions\n');
    assert.equal(
      result.stderr,
      'strongroom: rewrap skipped acme a version 1 (ERR_INTEGRITY)\n' +
        'strongroom: 1 version(s) failed their integrity check and still use the old key; ' +
        'inspect them before retiring it\n',
    );
    assert.equal((await cli.run(['get', 'acme', 'b'])).out, 'two');
  });

  test('keys rotate --json names the keyring and the new version', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'a', 'one');

    const result = await cli.run(['keys', 'rotate', '--json']);
    const keyring = JSON.parse(readFileSync(cli.keyringPath, 'utf8'));

    assert.deepEqual(JSON.parse(result.out), { keyringId: keyring.id, version: 2 });
    assert.equal(keyring.keys.length, 2);
  });

  test('keys rotate refuses a keyring from STRONGROOM_KEYRING', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'a', 'one');
    const text = readFileSync(cli.keyringPath, 'utf8');

    const result = await cli.run(['keys', 'rotate'], { env: { STRONGROOM_KEYRING: text } });

    assert.equal(result.code, EXIT_ERROR);
    assert.match(result.stderr, /^strongroom: keyring from \$STRONGROOM_KEYRING is read-only here/);
    assert.doesNotMatch(result.stderr, /material/);
  });
});
