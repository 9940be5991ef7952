// The README's first command: a walk through the embedded default (SQLite and a local keyring)
// with the real CLI, in a fresh data directory. It stores a customer's secret, writes a second
// version, reads both back, shows the history, and then the bytes on disk, checking that
// neither plaintext appears in them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist', 'cli', 'bin.js');
const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-demo-'));
const env = { ...process.env, STRONGROOM_DATA_DIR: dataDir };
delete env.STRONGROOM_KEYRING;
delete env.STRONGROOM_KEYRING_FILE;

// Demo values only: real ones come from a file or a pipe, never from a script.
const first = 'whsec_demo_first_0a9f3c';
const second = 'whsec_demo_second_77be21';

function run(args, input) {
  const shown = input === undefined ? '' : `printf '%s' '${input}' | `;
  console.log(`\n$ ${shown}strongroom ${args.join(' ')}`);

  const result = spawnSync(process.execPath, [bin, ...args], { env, input, encoding: 'utf8' });
  process.stdout.write(result.stdout);
  if (result.stdout && !result.stdout.endsWith('\n')) {
    process.stdout.write('\n');
  }
  process.stderr.write(result.stderr);
  if (result.status !== 0) {
    console.error(`demo: strongroom ${args[0]} exited with ${result.status}`);
    process.exit(1);
  }
  return result.stdout;
}

function section(title) {
  console.log(`\n## ${title}`);
}

console.log(`strongroom demo, data directory ${dataDir}`);

section('Store a customer webhook secret (the value comes from stdin, never an argument)');
run(['put', 'acme-corp', 'webhooks/signing-secret', '--description', 'Acme webhook secret'], first);

section('The customer rotates it: write a second version, only if version 1 is still newest');
run(['put', 'acme-corp', 'webhooks/signing-secret', '--expected-version', '1'], second);

section('Read the current version, then version 1');
const current = run(['get', 'acme-corp', 'webhooks/signing-secret']);
const older = run(['get', 'acme-corp', 'webhooks/signing-secret', '--version', '1']);
if (current !== second || older !== first) {
  console.error('demo: a value did not read back as written');
  process.exit(1);
}

section('The history, newest first');
run(['versions', 'acme-corp', 'webhooks/signing-secret']);

section('What is on disk: each version is an envelope, bound to tenant, name and version');
const db = new Database(join(dataDir, 'strongroom.db'), { readonly: true });
const rows = db
  .prepare('SELECT tenant, name, version, envelope FROM versions ORDER BY version')
  .all();
db.close();

let leaked = false;
for (const row of rows) {
  const bytes = Buffer.from(row.envelope);
  console.log(`\n${row.tenant} ${row.name} v${row.version}: ${bytes.length} bytes`);
  console.log(bytes.toString('hex').replace(/(.{64})/g, '$1\n'));
  for (const value of [first, second]) {
    leaked ||= bytes.includes(Buffer.from(value));
  }
}

if (leaked) {
  console.error('\ndemo: FAILED, a plaintext value appears in the stored bytes');
  process.exit(1);
}
console.log('\nNeither plaintext appears in the stored bytes.');
console.log('In real use, back up keyring.json (mode 0600): losing it loses every secret.');

rmSync(dataDir, { recursive: true, force: true });
console.log('Demo data directory removed.');
