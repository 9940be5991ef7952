import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, type GlobalOptions, globalOptions } from '../options.js';
import { formatTable, iso, writeJson, writeText } from '../output.js';
import { withStore } from '../session.js';

/** `keys rotate --tenant`: adds a tenant key version and prints its number. */
export async function rotateTenantKey(
  io: CliIo,
  options: GlobalOptions,
  tenant: string,
): Promise<void> {
  const version = await withStore(io, options, ({ store }) => store.rotateTenantKey(tenant));

  if (options.json) {
    writeJson(io.stdout, { tenant, version });
  } else {
    writeText(io.stdout, String(version));
    io.stderr.write(
      `strongroom: tenant ${tenant} now wraps new data keys with tenant key version ` +
        `${version}; run strongroom rewrap --tenant ${tenant} to move stored ones onto it\n`,
    );
  }
}

/** `keys list --tenant` and `keys retire --tenant`: a tenant's tenant key versions. */
export function registerTenantKeyCommands(keys: Command, io: CliIo): void {
  const list = keys
    .command('list')
    .summary("list a tenant's tenant key versions")
    .description(
      "List a tenant's tenant key versions (per-tenant keys), oldest first, with the master " +
        'key that wraps each. Shows no key material.',
    )
    .requiredOption('--tenant <tenant>', 'the tenant');

  addGlobalOptions(list).action(async (flags: { tenant: string }) => {
    const options = globalOptions(list);
    const found = await withStore(io, options, ({ store }) => store.listTenantKeys(flags.tenant));

    if (options.json) {
      writeJson(io.stdout, { tenant: flags.tenant, tenantKeys: found });
      return;
    }
    const rows = found.map((key) => [
      String(key.version),
      iso(key.createdAt) ?? '',
      `${key.masterKey.provider} ${key.masterKey.keyId} v${key.masterKey.keyVersion}`,
    ]);
    writeText(io.stdout, formatTable([['VERSION', 'CREATED', 'WRAPPED BY'], ...rows]));
  });

  const retire = keys
    .command('retire')
    .summary("destroy a tenant's tenant key versions that nothing uses")
    .description(
      'Destroy the tenant key versions of a tenant that no stored version uses any more, ' +
        'always keeping the newest; run after rewrap --tenant. Refuses while the newest ' +
        'version is younger than the key cache age (5 minutes by default), since other ' +
        'processes may still write under an older one until then.',
    )
    .requiredOption('--tenant <tenant>', 'the tenant');

  addGlobalOptions(retire).action(async (flags: { tenant: string }) => {
    const options = globalOptions(retire);
    const result = await withStore(io, options, ({ store }) =>
      store.retireTenantKeys(flags.tenant),
    );

    if (options.json) {
      writeJson(io.stdout, { tenant: flags.tenant, ...result });
    } else {
      const names = (versions: readonly number[]) =>
        versions.length === 0 ? 'none' : versions.join(', ');
      writeText(io.stdout, `retired: ${names(result.retired)}; kept: ${names(result.kept)}`);
    }
  });
}
