import type { Command } from 'commander';
import { IntegrityError } from '../../errors.js';
import { rotateLocalKeyring } from '../../local.js';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, globalOptions } from '../options.js';
import { writeJson, writeText } from '../output.js';
import { usesAws, withLocalStore, withStore } from '../session.js';
import { UsageError } from '../usage-error.js';
import { registerTenantKeyCommands, rotateTenantKey } from './tenant-key-commands.js';

interface TenantFlag {
  tenant?: string;
}

/** `keys rotate` and `rewrap`: master key rotation and moving data keys onto the newest. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const keys = program
    .command('keys')
    .summary('manage the master keys in the keyring')
    .description(
      'Manage the master keys in the keyring, and with --tenant the per-tenant keys of a tenant.',
    );

  const rotate = keys
    .command('rotate')
    .summary('add a master key version, or with --tenant a tenant key version')
    .description(
      'Add a master key version to the keyring file and print its number. New versions of ' +
        'secrets are sealed under it; older ones still open. Run rewrap afterwards to move ' +
        "every stored data key onto it. With --tenant, add a version of that tenant's tenant " +
        'key instead (local keyring or KMS), then run rewrap --tenant.',
    )
    .option('--tenant <tenant>', "rotate this tenant's tenant key, not the master key");

  addGlobalOptions(rotate).action(async (flags: TenantFlag) => {
    const options = globalOptions(rotate);
    if (flags.tenant !== undefined) {
      return rotateTenantKey(io, options, flags.tenant);
    }
    if (usesAws(options, io.env)) {
      // KMS rotates key material itself (yearly when enabled) and old ciphertexts keep
      // decrypting; moving to another key is a rewrap with --kms-key naming the new one.
      throw new UsageError(
        'keys rotate manages the local keyring; with KMS, enable automatic key rotation on ' +
          'the key, or run strongroom rewrap --kms-key NEW_KEY to move every data key to another',
      );
    }
    // Opening first makes the store vouch for the keyring: one is never rotated (or created)
    // over data it does not belong to.
    const { keyringId, source } = await withLocalStore(
      io,
      options,
      async ({ keys, source }) => ({ keyringId: keys.keyring.id, source }),
      { create: true },
    );
    const version = await rotateLocalKeyring(source);

    if (options.json) {
      writeJson(io.stdout, { keyringId, version });
    } else {
      writeText(io.stdout, String(version));
      io.stderr.write(
        `strongroom: keyring ${keyringId} now seals with master key version ${version}; ` +
          'run strongroom rewrap to move stored data keys onto it\n',
      );
    }
  });

  const rewrap = program
    .command('rewrap')
    .summary('move every stored data key onto the newest master key')
    .description(
      'Re-wrap every stored data key (and direct ciphertext) under the newest master key, ' +
        'without re-encrypting values, and every tenant key under the newest master key. With ' +
        '--tenant-keys, data keys move into the tenant key layer; with --tenant, only that ' +
        "tenant's versions and tenant keys (no table scan). Safe while the store is in use; a " +
        'second run rewraps nothing.',
    )
    .option('--tenant <tenant>', "only this tenant's versions and tenant keys");

  addGlobalOptions(rewrap).action(async (flags: TenantFlag) => {
    const options = globalOptions(rewrap);
    const progress = io.stderrIsTTY === true;

    const result = await withStore(io, options, ({ store }) =>
      store.rewrap({
        ...(flags.tenant === undefined ? {} : { tenant: flags.tenant }),
        onProgress: ({ scanned, rewrapped }) => {
          if (progress) {
            io.stderr.write(`\rrewrap: ${scanned} versions scanned, ${rewrapped} rewrapped`);
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
      writeText(io.stdout, `rewrapped ${result.rewrapped} of ${result.scanned} versions`);
      const { tenantKeys } = result;
      if (tenantKeys.scanned > 0) {
        writeText(
          io.stdout,
          `rewrapped ${tenantKeys.rewrapped} of ${tenantKeys.scanned} tenant key versions`,
        );
      }
    }

    // The rest were moved; each damaged version is named (never its value) and the run exits 5
    // so that a script notices the old master key cannot be retired yet.
    for (const { tenant, name, version, code } of result.failed) {
      io.stderr.write(
        `strongroom: rewrap skipped ${tenant} ${name} version ${version} (${code})\n`,
      );
    }
    for (const { tenant, version, code } of result.tenantKeys.failed) {
      io.stderr.write(
        `strongroom: rewrap skipped tenant key ${tenant} version ${version} (${code})\n`,
      );
    }
    const failures = result.failed.length + result.tenantKeys.failed.length;
    if (failures > 0) {
      throw new RewrapIncompleteError(failures);
    }
  });

  registerTenantKeyCommands(keys, io);
}

/** Some versions failed their integrity check during rewrap (exit code 5). */
class RewrapIncompleteError extends IntegrityError {
  constructor(count: number) {
    super();
    this.name = 'RewrapIncompleteError';
    this.message =
      `${count} version(s) failed their integrity check and still use the old key; ` +
      'inspect them before retiring it';
  }
}
