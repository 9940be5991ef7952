/**
 * `npm test`: starts DynamoDB Local once for the whole run, hands its endpoint to every test file
 * through STRONGROOM_TEST_DYNAMODB_ENDPOINT, runs the node test runner over every
 * `test/**\/*.test.ts` (or the files named on the command line) and exits with its code.
 *
 * Without Java the DynamoDB tests cannot run: in CI (`CI` set) that fails the run; elsewhere
 * they skip themselves (STRONGROOM_TEST_DYNAMODB=skip) after a loud warning.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaMajorVersion, startDynamoDbLocal } from './dynamodb-local.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENDPOINT_ENV = 'STRONGROOM_TEST_DYNAMODB_ENDPOINT';
const SKIP_ENV = 'STRONGROOM_TEST_DYNAMODB';

function log(message) {
  process.stderr.write(`${message}\n`);
}

function warn(message) {
  const rule = '!'.repeat(78);
  log(`\n${rule}\n${message}\n${rule}\n`);
}

function testFiles() {
  const named = process.argv.slice(2);
  if (named.length > 0) {
    return named;
  }

  return readdirSync(join(ROOT, 'test'), { recursive: true })
    .filter((path) => path.endsWith('.test.ts'))
    .map((path) => join('test', path))
    .sort();
}

/** Why DynamoDB Local cannot run here, or undefined when it can. */
function missingJava() {
  const major = javaMajorVersion();
  if (major === undefined) {
    return 'java was not found on the PATH';
  }
  return major < 17 ? `java ${major} was found; DynamoDB Local needs 17 or newer` : undefined;
}

/** Starts DynamoDB Local unless the environment says not to; returns it, or undefined. */
async function startEmulator(env) {
  if (env[SKIP_ENV] === 'skip' || env[ENDPOINT_ENV]) {
    return undefined;
  }

  const missing = missingJava();
  if (missing !== undefined && process.env.CI) {
    log(`DynamoDB Local cannot start: ${missing}. Install Java 17 or newer (CI is set).`);
    process.exit(1);
  }
  if (missing !== undefined) {
    warn(`WARNING: ${missing}.\nThe DynamoDB tests will be SKIPPED. Install Java 17+ to run them.`);
    env[SKIP_ENV] = 'skip';
    return undefined;
  }

  log('starting DynamoDB Local…');
  try {
    const emulator = await startDynamoDbLocal();
    log(`DynamoDB Local ready on ${emulator.endpoint}`);
    env[ENDPOINT_ENV] = emulator.endpoint;
    return emulator;
  } catch (error) {
    if (process.env.CI) {
      log(`DynamoDB Local did not start (CI is set, so the run fails): ${error.message}`);
      process.exit(1);
    }
    warn(
      `WARNING: DynamoDB Local did not start: ${error.message}\nDynamoDB tests will be SKIPPED.`,
    );
    env[SKIP_ENV] = 'skip';
    return undefined;
  }
}

function runTests(env) {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=2', ...testFiles()];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the runner too; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }

  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}

const env = { ...process.env };
const emulator = await startEmulator(env);
let code = 1;
try {
  code = await runTests(env);
} finally {
  if (emulator !== undefined) {
    await emulator.stop();
  }
}
process.exit(code);
