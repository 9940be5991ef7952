import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerAwsCommands } from './commands/aws-commands.js';
import { registerCostCommand } from './commands/cost-command.js';
import { registerKeyCommands } from './commands/key-commands.js';
import { registerLifecycleCommands } from './commands/lifecycle-commands.js';
import { registerPut } from './commands/put-command.js';
import { registerReadCommands } from './commands/read-commands.js';
import { EXIT_OK, exitCodeFor } from './exit-codes.js';
import { addGlobalOptions } from './options.js';
import { reportError } from './report-error.js';

export type { CliIo } from './cli-io.js';

const MAX_HELP_WIDTH = 100;

const EPILOG = `
Storage and keys: DynamoDB and AWS KMS when a table or key is named (--table, --kms-key,
$SECRETS_TABLE_NAME, $KMS_KEY_ID; region, credentials and endpoints from the AWS SDK's default
chains, e.g. $AWS_ENDPOINT_URL_DYNAMODB); otherwise SQLite and a local keyring in the data
directory. The keyring comes from $STRONGROOM_KEYRING (the document), $STRONGROOM_KEYRING_FILE
(a path) or keyring.json in the data directory; never from an argument.

Exit codes: 0 ok, 1 other error, 2 usage, 3 not found (or deleted, expired), 4 conflict,
5 integrity failure (tampered, moved, or sealed under another keyring).`;

/**
 * Runs one strongroom command line and returns its exit code; it never calls `process.exit`,
 * so it runs in-process in tests. `argv` excludes the node binary and script.
 *
 * @example
 * const code = await runCli(['get', 'acme', 'api-key'], {
 *   stdin: process.stdin,
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 * });
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (!isHelpShown(error)) {
      reportError(io.stderr, error, wantsDebug(argv));
    }
    return exitCodeFor(error);
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command('strongroom')
    .description('Customer secrets in your own table, sealed with envelope encryption.')
    .version(packageVersion(), '-V, --version', 'print the strongroom version')
    // Global options before the command belong to the program, after it to the command: so
    // `get --version 3` reads version 3 instead of printing strongroom's version.
    .enablePositionalOptions()
    .exitOverride()
    .configureHelp({ sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => helpWidth(io.stdout),
      getErrHelpWidth: () => helpWidth(io.stderr),
      // Errors are reported once, by runCli, in the one-line form.
      outputError: () => undefined,
    })
    .addHelpText('after', EPILOG);
  addGlobalOptions(program);

  registerPut(program, io);
  registerReadCommands(program, io);
  registerLifecycleCommands(program, io);
  registerKeyCommands(program, io);
  registerAwsCommands(program, io);
  registerCostCommand(program, io);

  return program;
}

/** Help or the version went out already (also after a bare `strongroom`): nothing to add. */
function isHelpShown(error: unknown): boolean {
  return (
    error instanceof CommanderError &&
    ['commander.help', 'commander.helpDisplayed', 'commander.version'].includes(error.code)
  );
}

/** The terminal's width, at most 100 columns; 100 when writing to a pipe or a file. */
function helpWidth(stream: Writable): number {
  const columns = (stream as { columns?: number }).columns;
  return Math.min(columns ?? MAX_HELP_WIDTH, MAX_HELP_WIDTH);
}

/** Read from argv itself, so that a parse error is also reported with `--debug`. */
function wantsDebug(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug');
}

function packageVersion(): string {
  // The nearest package.json named strongroom above this module: src/cli/ under tsx, dist/cli/
  // or a bundle chunk of dist/ when built, each a different depth below it.
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const found = readPackage(new URL('package.json', dir));
    if (found?.name === 'strongroom') {
      return found.version;
    }
    if (dir.pathname === '/') {
      return 'unknown';
    }
  }
}

function readPackage(url: URL): { name?: string; version: string } | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version: string };
  } catch {
    return undefined;
  }
}
