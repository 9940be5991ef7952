import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The first TypeScript block under the README's library quick start. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library quick start'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has a ts block under "Library quick start"');

  return match[1] as string;
}

test('the README library example runs as written against the built package', () => {
  // Inside the repository, so that `import 'strongroom'` resolves to this package (dist/).
  const scratch = mkdtempSync(join(root, '.readme-'));
  const cwd = mkdtempSync(join(tmpdir(), 'strongroom-readme-'));
  const script = join(scratch, 'example.mjs');
  writeFileSync(script, readmeExample());

  const result = spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', env: {} });
  const keyringMode = statSync(join(cwd, 'strongroom-data', 'keyring.json')).mode & 0o777;
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });

  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);
  assert.deepEqual(result.stdout.trim().split('\n'), [
    '2 [redacted]',
    'true',
    "true [ 'previous' ]",
    '2:current 1:previous',
    '1 2',
  ]);
  assert.equal(keyringMode, 0o600);
});
