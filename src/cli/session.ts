import { resolve } from 'node:path';
import { defaultDataDir, keyringSource, type LocalStore, openLocalStore } from '../local.js';
import type { SecretStore } from '../store/store.js';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './options.js';

/** The data directory: `--data-dir`, else `$STRONGROOM_DATA_DIR`, else the XDG default. */
export function dataDirOf(options: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return options.dataDir ? resolve(options.dataDir) : defaultDataDir(env);
}

/**
 * True when the command runs on DynamoDB and KMS: a table or a key is named by `--table`,
 * `--kms-key`, `$SECRETS_TABLE_NAME` or `$KMS_KEY_ID`. Otherwise it runs on the embedded default.
 */
export function usesAws(options: GlobalOptions, env: NodeJS.ProcessEnv): boolean {
  return Boolean(options.table || options.kmsKey || env.SECRETS_TABLE_NAME || env.KMS_KEY_ID);
}

/**
 * Opens the store for one command, runs `work` and closes the store: DynamoDB and KMS when
 * {@link usesAws}, else SQLite and the local keyring. The AWS SDK is loaded only on that path.
 */
export async function withStore<T>(
  io: CliIo,
  options: GlobalOptions,
  work: (store: { store: SecretStore }) => Promise<T>,
  { create = false }: { create?: boolean } = {},
): Promise<T> {
  if (!usesAws(options, io.env)) {
    return withLocalStore(io, options, work, { create });
  }

  const { withAwsStore } = await import('./aws-session.js');
  return withAwsStore(io, options, work);
}

/**
 * Opens the local store for one command, runs `work` and closes the store. Only commands that
 * write (`create`) make a new store; the others report a missing one, so a mistyped data
 * directory is not silently a new empty store. The keyring comes from the environment or the
 * data directory, never from an argument, where it would show in shell history and `ps`.
 */
export async function withLocalStore<T>(
  io: CliIo,
  options: GlobalOptions,
  work: (local: LocalStore) => Promise<T>,
  { create = false }: { create?: boolean } = {},
): Promise<T> {
  const dataDir = dataDirOf(options, io.env);
  const local = await openLocalStore({
    dataDir,
    create,
    keyring: keyringSource(dataDir, io.env),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.maxVersions === undefined ? {} : { maxVersions: options.maxVersions }),
    ...(options.tenantKeys === undefined ? {} : { tenantKeys: options.tenantKeys }),
  });

  if (local.createdKeyring && local.source.kind === 'file') {
    // The only copy of every master key: say so once, loudly, where a human will see it.
    io.stderr.write(
      `strongroom: created a new keyring at ${local.source.path}; back it up now, ` +
        'losing it loses every secret\n',
    );
  }

  try {
    return await work(local);
  } finally {
    await local.store.close();
  }
}
