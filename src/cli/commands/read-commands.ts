import type { Command } from 'commander';
import type { SecretDescription, SecretMetadata, VersionMetadata } from '../../store/types.js';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, globalOptions, integer } from '../options.js';
import {
  formatKey,
  formatLabels,
  formatPairs,
  formatTable,
  formatTags,
  iso,
  plural,
  writeBytes,
  writeJson,
  writeText,
} from '../output.js';
import { withStore } from '../session.js';

interface GetFlags {
  version?: number;
  label?: string;
}

interface ListFlags {
  prefix?: string;
  limit?: number;
  cursor?: string;
  includeDeleted?: boolean;
}

/** `get`, `describe`, `list` and `versions`: the commands that change nothing. */
export function registerReadCommands(program: Command, io: CliIo): void {
  registerGet(program, io);
  registerDescribe(program, io);
  registerList(program, io);
  registerVersions(program, io);
}

function registerGet(program: Command, io: CliIo): void {
  const command = program
    .command('get')
    .summary('write a version of a secret to stdout')
    .description(
      'Write the value of a version to stdout, byte for byte, with no newline added ' +
        '(current, unless --version or --label). With --json, print its metadata and the ' +
        'value in base64 (valueBase64).',
    )
    .argument('<tenant>', 'the tenant that owns the secret')
    .argument('<name>', 'the secret name')
    .option('--version <n>', 'this version number', integer(1))
    .option('--label <label>', 'the version this label points at');

  addGlobalOptions(command).action(async (tenant: string, name: string, flags: GetFlags) => {
    const options = globalOptions(command);
    const found = await withStore(io, options, ({ store }) =>
      store.get(tenant, name, {
        ...(flags.version === undefined ? {} : { version: flags.version }),
        ...(flags.label === undefined ? {} : { label: flags.label }),
      }),
    );

    const { value, ...metadata } = found;
    const bytes = value.bytes();
    value.wipe();
    try {
      if (options.json) {
        // A view, not Buffer.from(bytes): a copy could land in Node's shared pool, unwiped.
        const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        writeJson(io.stdout, { ...metadata, valueBase64: view.toString('base64') });
      } else {
        await writeBytes(io.stdout, bytes);
      }
    } finally {
      bytes.fill(0);
    }
  });
}

function registerDescribe(program: Command, io: CliIo): void {
  const command = program
    .command('describe')
    .summary('show a secret and its current version, without the value')
    .description('Show a secret and its current version. Decrypts nothing.')
    .argument('<tenant>', 'the tenant that owns the secret')
    .argument('<name>', 'the secret name');

  addGlobalOptions(command).action(async (tenant: string, name: string) => {
    const options = globalOptions(command);
    const description = await withStore(io, options, ({ store }) => store.describe(tenant, name));

    if (options.json) {
      writeJson(io.stdout, description);
    } else {
      writeText(io.stdout, describeText(description));
    }
  });
}

function describeText(secret: SecretDescription): string {
  const current = secret.current;

  return formatPairs([
    ['tenant', secret.tenant],
    ['name', secret.name],
    ['current version', String(secret.currentVersion)],
    ['latest version', String(secret.latestVersion)],
    ['versions', String(secret.versionCount)],
    ['labels', formatLabels(secret.labels)],
    ['description', secret.description],
    ['tags', formatTags(secret.tags)],
    ['created', iso(secret.createdAt)],
    ['updated', iso(secret.updatedAt)],
    ['deleted', iso(secret.deletedAt)],
    ['recoverable until', iso(secret.recoverableUntil)],
    ['content type', current.contentType],
    ['size', `${plural(current.size, 'byte')} (${current.storedSize} stored)`],
    ['expires', iso(current.expiresAt)],
    ['sealed', `${current.mode}, ${formatKey(current.key)}`],
  ]);
}

function registerList(program: Command, io: CliIo): void {
  const command = program
    .command('list')
    .summary("list a tenant's secrets")
    .description(
      "List a tenant's secrets in name order, one line each. When more follow, the cursor " +
        'for the next page is printed on stderr (in --json: the cursor field).',
    )
    .argument('<tenant>', 'the tenant')
    .option('--prefix <prefix>', 'only names that start with this')
    .option('--limit <n>', 'at most this many secrets (default 100)', integer(1, 1000))
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .option('--include-deleted', 'include deleted secrets still in their recovery window');

  addGlobalOptions(command).action(async (tenant: string, flags: ListFlags) => {
    const options = globalOptions(command);
    const page = await withStore(io, options, ({ store }) =>
      store.list(tenant, {
        ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        includeDeleted: flags.includeDeleted === true,
      }),
    );

    if (options.json) {
      writeJson(io.stdout, { secrets: page.secrets, cursor: page.cursor ?? null });
      return;
    }
    writeText(io.stdout, formatTable(page.secrets.map(listRow)));
    if (page.cursor !== undefined) {
      io.stderr.write(`strongroom: more secrets follow: --cursor ${page.cursor}\n`);
    }
  });
}

function listRow(secret: SecretMetadata): string[] {
  const deleted =
    secret.deletedAt === undefined
      ? ''
      : `deleted, restorable until ${iso(secret.recoverableUntil)}`;

  return [
    secret.name,
    `current ${secret.currentVersion}`,
    plural(secret.versionCount, 'version'),
    `updated ${iso(secret.updatedAt)}`,
    deleted,
  ];
}

function registerVersions(program: Command, io: CliIo): void {
  const command = program
    .command('versions')
    .summary("list a secret's versions, newest first")
    .description("List every stored version's metadata, newest first. Decrypts nothing.")
    .argument('<tenant>', 'the tenant that owns the secret')
    .argument('<name>', 'the secret name');

  addGlobalOptions(command).action(async (tenant: string, name: string) => {
    const options = globalOptions(command);
    const versions = await withStore(io, options, ({ store }) => store.versions(tenant, name));

    if (options.json) {
      writeJson(io.stdout, { tenant, name, versions });
    } else {
      const header = ['VERSION', 'LABELS', 'CREATED', 'SIZE', 'MODE', 'KEY', 'EXPIRES'];
      writeText(io.stdout, formatTable([header, ...versions.map(versionRow)]));
    }
  });
}

function versionRow(version: VersionMetadata): string[] {
  return [
    String(version.version),
    version.labels.length === 0 ? '-' : version.labels.join(','),
    iso(version.createdAt) ?? '-',
    String(version.size),
    version.mode,
    formatKey(version.key),
    iso(version.expiresAt) ?? '-',
  ];
}
