import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, globalOptions, integer } from '../options.js';
import { formatLabels, iso, plural, writeJson, writeText } from '../output.js';
import { withStore } from '../session.js';
import { UsageError } from '../usage-error.js';

interface LabelFlags {
  expectedVersion?: number;
  remove?: boolean;
}

/** `label`, `rollback`, `delete`, `restore` and `purge`: the commands that move or remove. */
export function registerLifecycleCommands(program: Command, io: CliIo): void {
  registerLabel(program, io);
  registerRollback(program, io);
  registerDelete(program, io);
  registerRestore(program, io);
  registerPurge(program, io);
}

function secretCommand(program: Command, name: string, summary: string): Command {
  return program
    .command(name)
    .summary(summary)
    .argument('<tenant>', 'the tenant that owns the secret')
    .argument('<name>', 'the secret name');
}

function registerLabel(program: Command, io: CliIo): void {
  const command = secretCommand(program, 'label', 'point a label at a version, or remove it')
    .description(
      'Point LABEL at VERSION (moving current keeps where it was as previous), or remove ' +
        'LABEL with --remove. current cannot be removed, only moved.',
    )
    .argument('<label>', 'the label, for example current, previous or stable')
    .argument('[version]', 'the version to point it at', integer(1))
    .option(
      '--expected-version <n>',
      'only if the label points at version n now (0: only if it does not exist)',
      integer(0),
    )
    .option('--remove', 'remove the label instead of moving it');

  addGlobalOptions(command).action(
    async (
      tenant: string,
      name: string,
      label: string,
      version: number | undefined,
      flags: LabelFlags,
    ) => {
      if (flags.remove ? version !== undefined : version === undefined) {
        throw new UsageError('label takes either a VERSION to point at, or --remove');
      }

      const options = globalOptions(command);
      const expectation =
        flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion };

      const secret = await withStore(io, options, ({ store }) =>
        version === undefined
          ? store.removeLabel(tenant, name, label, expectation)
          : store.moveLabel(tenant, name, label, version, expectation),
      );

      if (options.json) {
        writeJson(io.stdout, secret);
      } else {
        writeText(io.stdout, `${name}: ${formatLabels(secret.labels)}`);
      }
    },
  );
}

function registerRollback(program: Command, io: CliIo): void {
  const command = secretCommand(program, 'rollback', 'move current back to previous')
    .description(
      'Move current back to the version previous points at, or to --version. Prints the new ' +
        'current version.',
    )
    .option('--version <n>', 'roll back to this version', integer(1));

  addGlobalOptions(command).action(
    async (tenant: string, name: string, flags: { version?: number }) => {
      const options = globalOptions(command);
      const current = await withStore(io, options, ({ store }) =>
        store.rollback(tenant, name, flags.version === undefined ? {} : { version: flags.version }),
      );

      if (options.json) {
        writeJson(io.stdout, { tenant, name, currentVersion: current });
      } else {
        writeText(io.stdout, String(current));
      }
    },
  );
}

function registerDelete(program: Command, io: CliIo): void {
  const command = secretCommand(program, 'delete', 'soft-delete a secret (restorable)')
    .description(
      'Soft-delete a secret: it stops reading at once, can be restored during the recovery ' +
        'window (7 days unless given) and is destroyed after it.',
    )
    .option('--recovery-window-days <n>', 'days it can be restored, 1 to 365', integer(1, 365));

  addGlobalOptions(command).action(
    async (tenant: string, name: string, flags: { recoveryWindowDays?: number }) => {
      const options = globalOptions(command);
      const { recoverableUntil } = await withStore(io, options, ({ store }) =>
        store.delete(
          tenant,
          name,
          flags.recoveryWindowDays === undefined
            ? {}
            : { recoveryWindowDays: flags.recoveryWindowDays },
        ),
      );

      if (options.json) {
        writeJson(io.stdout, { tenant, name, recoverableUntil });
      } else {
        writeText(io.stdout, `deleted ${name}; restorable until ${iso(recoverableUntil)}`);
      }
    },
  );
}

function registerRestore(program: Command, io: CliIo): void {
  const command = secretCommand(program, 'restore', 'undo a delete').description(
    'Bring back a deleted secret during its recovery window.',
  );

  addGlobalOptions(command).action(async (tenant: string, name: string) => {
    const options = globalOptions(command);
    const secret = await withStore(io, options, ({ store }) => store.restore(tenant, name));

    if (options.json) {
      writeJson(io.stdout, secret);
    } else {
      writeText(io.stdout, `restored ${name}; current version ${secret.currentVersion}`);
    }
  });
}

function registerPurge(program: Command, io: CliIo): void {
  const command = secretCommand(program, 'purge', 'destroy a secret and every version now')
    .description(
      'Destroy a secret and every one of its versions now, deleted or not. It cannot be ' +
        'undone, so it requires --yes.',
    )
    .option('--yes', 'confirm that every version is destroyed now, beyond recovery');

  addGlobalOptions(command).action(
    async (tenant: string, name: string, flags: { yes?: boolean }) => {
      if (!flags.yes) {
        throw new UsageError(
          `purge destroys every version of ${name} now, beyond recovery: pass --yes to confirm ` +
            `(delete ${tenant} ${name} is the restorable alternative)`,
        );
      }

      const options = globalOptions(command);
      const destroyed = await withStore(io, options, ({ store }) => store.purge(tenant, name));

      if (options.json) {
        writeJson(io.stdout, { tenant, name, purgedVersions: destroyed });
      } else {
        writeText(io.stdout, `purged ${name}: ${plural(destroyed, 'version')} destroyed`);
      }
    },
  );
}
