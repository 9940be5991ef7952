import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, globalOptions } from '../options.js';
import { writeJson, writeText } from '../output.js';
import { withStore } from '../session.js';
import { UsageError } from '../usage-error.js';

/** `table create` and `migrate`: the DynamoDB table and the article's items. */
export function registerAwsCommands(program: Command, io: CliIo): void {
  const table = program
    .command('table')
    .summary('manage the DynamoDB table')
    .description(
      'Manage the DynamoDB table (for local use and tests; in production CDK makes it).',
    );

  const create = table
    .command('create')
    .summary('create the table')
    .description(
      'Create the DynamoDB table named by --table or $SECRETS_TABLE_NAME: partition key ' +
        'customerId, sort key secretId, on-demand billing. An existing table with that key ' +
        'schema is left as it is.',
    );

  addGlobalOptions(create).action(async () => {
    const options = globalOptions(create);
    const name = options.table ?? io.env.SECRETS_TABLE_NAME;
    if (!name) {
      throw new UsageError('name the table with --table or $SECRETS_TABLE_NAME');
    }

    const { createTableCommand } = await import('../aws-table.js');
    const created = await createTableCommand(name);

    if (options.json) {
      writeJson(io.stdout, { table: name, created });
    } else {
      writeText(io.stdout, created ? `created table ${name}` : `table ${name} already exists`);
    }
  });

  const migrate = program
    .command('migrate')
    .summary('upgrade items written before strongroom')
    .description(
      'Upgrade every item in the pre-strongroom layout (encryptedValue, a KMS ciphertext with ' +
        'no encryption context) to version 1 of the current layout, bound to its tenant, name ' +
        'and version. Safe while the table is in use; a second run migrates nothing.',
    );

  addGlobalOptions(migrate).action(async () => {
    const options = globalOptions(migrate);
    const progress = io.stderrIsTTY === true;

    const result = await withStore(io, options, ({ store }) =>
      store.migrate({
        onProgress: ({ scanned, migrated }) => {
          if (progress) {
            io.stderr.write(`\rmigrate: ${scanned} items found, ${migrated} migrated`);
          }
        },
      }),
    );
    if (progress) {
      io.stderr.write('\n');
    }

    if (options.json) {
      writeJson(io.stdout, result);
    } else {
      writeText(io.stdout, `migrated ${result.migrated} of ${result.scanned} legacy items`);
    }
  });
}
