import { createInterface } from 'node:readline';
import { parseKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { SqliteBackend } from '../../src/storage/sqlite-backend.js';
import { openStore } from '../../src/store/store.js';

/**
 * A second process for the SQLite race test. Usage: `sqlite-writer.ts <database> <count>
 * <label>`, the keyring document in `STRONGROOM_TEST_KEYRING`. It opens the store, prints
 * `ready`, waits for a line on stdin, then puts `<label> <i>` `count` times into acme/db and
 * prints the versions it got as JSON.
 */
const [path = '', count = '0', label = ''] = process.argv.slice(2);
const keyring = parseKeyring(process.env.STRONGROOM_TEST_KEYRING ?? '', 'STRONGROOM_TEST_KEYRING');
const store = openStore({ keys: new LocalKeyProvider(keyring), storage: new SqliteBackend(path) });

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const versions: number[] = [];
for (let i = 0; i < Number(count); i += 1) {
  versions.push(await store.put('acme', 'db', `${label} ${i}`));
}
await store.close();

process.stdout.write(`${JSON.stringify(versions)}\n`);
