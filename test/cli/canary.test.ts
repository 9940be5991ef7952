import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { createKeyring, serializeKeyring } from '../../src/keys/local/keyring.js';
import { openLocalStore } from '../../src/local.js';
import { Cli, type RunResult } from './harness.js';

const MARKER = `canary-${randomBytes(8).toString('hex')}`;
const MARKER_BASE64 = Buffer.from(MARKER).toString('base64');

/** Where a run may show the value: a successful `get` on stdout, raw or (with --json) base64. */
function allowed(run: RunResult): { raw: boolean; base64: boolean } {
  const get = run.code === 0 && run.args[0] === 'get';
  const json = run.args.includes('--json');
  return { raw: get && !json, base64: get && json };
}

test('the value never shows outside a successful get, on any error path', async (t) => {
  const cli = new Cli(t);
  const target = { tenant: 'acme', name: 'canary', version: 1 };
  await cli.put('acme', 'canary', MARKER);
  await cli.put('acme', 'tamper', MARKER);
  await cli.put('globex', 'canary', 'the other tenant');
  const wrongKeyring = serializeKeyring(createKeyring());
  const tooLarge = `${MARKER}${'x'.repeat(256 * 1024 + 1 - MARKER.length)}`;
  const runs: (readonly [number, string[], string?])[] = [
    [0, ['get', 'acme', 'canary']],
    [0, ['get', 'acme', 'canary', '--json']],
    [0, ['describe', 'acme', 'canary']],
    [0, ['describe', 'acme', 'canary', '--json']],
    [0, ['versions', 'acme', 'canary', '--json']],
    [0, ['list', 'acme', '--json']],
    [0, ['list', 'acme']],
    [3, ['get', 'acme', 'missing']],
    [4, ['put', 'acme', 'canary', '--expected-version', '0'], MARKER],
    [4, ['put', 'acme', 'canary', '--expected-version', '0', '--debug'], MARKER],
    [2, ['put', 'bad!tenant', 'canary'], MARKER],
    [2, ['put', 'acme', 'bad#name', '--debug'], MARKER],
    [2, ['put', 'acme', 'big'], tooLarge],
    [2, ['put', 'acme', 'big', '--debug'], tooLarge],
    [2, ['put', 'acme', 'canary', MARKER]],
    [2, ['put', 'acme', 'canary', MARKER, '--debug']],
    [2, ['put', 'acme', 'canary', `--value=${MARKER}`]],
    [3, ['get', 'acme', 'canary', '--version', '2', '--debug']],
    [4, ['label', 'acme', 'canary', 'current', '1', '--expected-version', '3', '--debug']],
    [2, ['purge', 'acme', 'canary']],
    [0, ['put', 'acme', 'layered', '--tenant-keys'], MARKER],
    [0, ['get', 'acme', 'layered', '--tenant-keys']],
    [0, ['keys', 'list', '--tenant', 'acme', '--json']],
    [0, ['keys', 'rotate', '--tenant', 'acme', '--json']],
    [0, ['rewrap', '--tenant', 'acme', '--tenant-keys', '--json']],
    [4, ['keys', 'retire', '--tenant', 'acme', '--debug']],
    [2, ['keys', 'rotate', '--tenant', `${MARKER}!`, '--debug']],
  ];
  for (const [code, args, stdin] of runs) {
    const result = await cli.run(args, stdin === undefined ? {} : { stdin });
    assert.equal(result.code, code, args.join(' '));
  }

  cli.editEnvelope({ ...target, name: 'tamper' }, (envelope) => {
    const copy = Buffer.from(envelope);
    copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x80;
    return copy;
  });
  cli.editEnvelope({ ...target, tenant: 'globex' }, () => cli.readEnvelope(target));
  const env = { STRONGROOM_KEYRING: wrongKeyring };
  const broken: (readonly [number, string[], NodeJS.ProcessEnv?])[] = [
    [5, ['get', 'acme', 'tamper', '--debug']],
    [5, ['get', 'acme', 'tamper', '--json', '--debug']],
    [5, ['get', 'globex', 'canary', '--debug']],
    [5, ['get', 'acme', 'canary', '--debug'], env],
    [5, ['get', 'acme', 'canary', '--json', '--debug'], env],
    [0, ['keys', 'rotate']],
    // Rewrap skips the tampered and moved versions, names them, and exits 5.
    [5, ['rewrap', '--debug']],
  ];
  for (const [code, args, extra] of broken) {
    const result = await cli.run(args, extra === undefined ? {} : { env: extra });
    assert.equal(result.code, code, args.join(' '));
  }
  renameSync(cli.keyringPath, `${cli.keyringPath}.away`);
  assert.equal((await cli.run(['get', 'acme', 'canary', '--debug'])).code, 1);
  renameSync(`${cli.keyringPath}.away`, cli.keyringPath);

  const successes = cli.runs.filter((run) => allowed(run).raw || allowed(run).base64);
  assert.equal(successes.length, 3, 'the three successful gets');
  for (const run of cli.runs) {
    const where = run.args.join(' ');
    const may = allowed(run);
    assert.equal(run.stderr.includes(MARKER), false, `stderr of ${where}`);
    assert.equal(run.stderr.includes(MARKER_BASE64), false, `stderr of ${where}`);
    assert.equal(run.out.includes(MARKER), may.raw, `stdout of ${where}`);
    assert.equal(run.out.includes(MARKER_BASE64), may.base64, `stdout of ${where}`);
  }
});

test('store results and errors do not show the value when printed', async (t) => {
  const cli = new Cli(t);
  await cli.put('acme', 'canary', MARKER);
  const { store } = await openLocalStore({
    dataDir: cli.dataDir,
    keyring: { kind: 'file', path: cli.keyringPath },
  });
  t.after(() => store.close());

  const result = await store.get('acme', 'canary');
  const failure = await store
    .put('acme', 'canary', MARKER, { expectedVersion: 0 })
    .catch((error: unknown) => error);

  assert.equal(result.value.text(), MARKER);
  for (const shown of [
    JSON.stringify(result),
    inspect(result, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    `${result.value}`,
    String(result.value),
    inspect(failure, { depth: Number.POSITIVE_INFINITY }),
    JSON.stringify(failure),
  ]) {
    assert.equal(shown.includes(MARKER), false, shown);
    assert.equal(shown.includes(MARKER_BASE64), false, shown);
  }
});
