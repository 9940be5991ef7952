import type { Command } from 'commander';
import type { PutOptions } from '../../store/types.js';
import { checkSecretName, checkTenant } from '../../store/validation.js';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, collectTag, globalOptions, integer, isoDate } from '../options.js';
import { writeJson, writeText } from '../output.js';
import { readValue } from '../read-value.js';
import { withStore } from '../session.js';
import { UsageError } from '../usage-error.js';

interface PutFlags {
  file?: string;
  expectedVersion?: number;
  description?: string;
  tag?: Record<string, string>;
  contentType?: string;
  expiresAt?: Date;
  allowEmpty?: boolean;
  trimNewline?: boolean;
}

const PUT_HELP = `
The value is read from stdin (or --file), byte for byte, and never from an argument: an
argument would show in shell history and in every process listing. Note that echo adds a
newline; use printf '%s' or pass --trim-newline.

Examples:
  printf '%s' "$API_KEY" | strongroom put acme api-key
  strongroom put acme tls/key.pem --file key.pem --content-type application/x-pem-file
  strongroom put acme api-key --expected-version 0 < value.txt`;

/** `strongroom put TENANT NAME`: writes a new version and prints its number. */
export function registerPut(program: Command, io: CliIo): void {
  const command = program
    .command('put')
    .summary('write a new version of a secret, read from stdin')
    .description('Write a new version of a secret and print its number.')
    .argument('<tenant>', 'the tenant that owns the secret')
    .argument('<name>', 'the secret name')
    .option('--file <path>', 'read the value from this file instead of stdin')
    .option(
      '--expected-version <n>',
      'write only if the newest version is n (0: only if the secret does not exist)',
      integer(0),
    )
    .option('--description <text>', 'a description kept on the secret')
    .option('--tag <key=value>', 'a tag kept on the secret (repeatable)', collectTag)
    .option('--content-type <type>', 'the content type of this version')
    .option('--expires-at <iso-8601>', 'this version stops reading after this instant', isoDate)
    .option('--allow-empty', 'accept an empty value')
    .option('--trim-newline', 'drop one trailing newline from the value (echo adds one)')
    .allowExcessArguments()
    .addHelpText('after', PUT_HELP);

  addGlobalOptions(command).action(async (tenant: string, name: string, flags: PutFlags) => {
    if (command.args.length > 2) {
      // Deliberately vague about what was passed: the extra argument may well be the value.
      throw new UsageError(
        'put takes no value argument: pipe the value on stdin or pass --file PATH',
      );
    }

    // Checked before reading, so that nobody types a value into a terminal only to see it refused.
    checkTenant(tenant);
    checkSecretName(name);

    const options = globalOptions(command);
    const value = await readValue(io, flags);

    try {
      const version = await withStore(
        io,
        options,
        ({ store }) => store.put(tenant, name, value, putOptions(flags)),
        { create: true },
      );

      if (options.json) {
        writeJson(io.stdout, { tenant, name, version });
      } else {
        writeText(io.stdout, String(version));
      }
    } finally {
      value.fill(0);
    }
  });
}

function putOptions(flags: PutFlags): PutOptions {
  return {
    ...(flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion }),
    ...(flags.description === undefined ? {} : { description: flags.description }),
    ...(flags.tag === undefined ? {} : { tags: flags.tag }),
    ...(flags.contentType === undefined ? {} : { contentType: flags.contentType }),
    ...(flags.expiresAt === undefined ? {} : { expiresAt: flags.expiresAt }),
  };
}
