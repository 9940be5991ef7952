import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./sqlite-writer.ts', import.meta.url));

/** A writer process (see sqlite-writer.ts) that has opened the store and waits to be told. */
export interface WriterProcess {
  /** Resolves once the process has opened its store. */
  readonly ready: Promise<void>;
  /** Lets it write; resolves with the versions its puts got, in order. */
  go(): Promise<number[]>;
}

/**
 * Starts a separate Node process that puts `<label> <i>` `puts` times into acme/db of the
 * SQLite file at `path`, with the keyring document `keyring`.
 */
export function startWriter(path: string, puts: number, label: string, keyring: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(puts), label], {
    cwd: REPO,
    env: { ...process.env, STRONGROOM_TEST_KEYRING: keyring },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');

  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('ready\n')) {
        resolve();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready`)));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exit ${code}`))));
  });
  // Awaited in go(); this only keeps a failure before go() from going unhandled.
  exited.catch(() => undefined);

  const writer: WriterProcess = {
    ready,
    async go() {
      child.stdin.end('go\n');
      await exited;

      return JSON.parse(output.slice('ready\n'.length));
    },
  };

  return writer;
}
