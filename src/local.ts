import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  KeyringMissingError,
  KeyringReadOnlyError,
  NotFoundError,
  WrongKeyringError,
} from './errors.js';
import {
  createKeyring,
  type Keyring,
  parseKeyring,
  readKeyringFile,
  rotateKeyringFile,
  writeNewKeyringFile,
} from './keys/local/keyring.js';
import { LocalKeyProvider } from './keys/local/local-key-provider.js';
import { SqliteBackend } from './storage/sqlite-backend.js';
import { openStore, type SecretStore } from './store/store.js';
import type { StoreOptions } from './store/types.js';

/** The file names inside a data directory. */
export const DATABASE_FILE = 'strongroom.db';
export const KEYRING_FILE = 'keyring.json';

/** The variable that may hold a keyring document itself (for containers). */
export const KEYRING_ENV = 'STRONGROOM_KEYRING';
/** The variable that may name a keyring file outside the data directory. */
export const KEYRING_FILE_ENV = 'STRONGROOM_KEYRING_FILE';
/** The variable that names the data directory. */
export const DATA_DIR_ENV = 'STRONGROOM_DATA_DIR';

/**
 * The data directory when none is given: `$STRONGROOM_DATA_DIR`, else
 * `$XDG_DATA_HOME/strongroom`, else `~/.local/share/strongroom`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env[DATA_DIR_ENV]) {
    return resolve(env[DATA_DIR_ENV]);
  }
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'strongroom');
}

export interface LocalStoreOptions extends Omit<StoreOptions, 'keys' | 'storage'> {
  /** Holds the SQLite file and, unless another source is given, the keyring. */
  readonly dataDir: string;
  /**
   * Where the keyring comes from. By default: `STRONGROOM_KEYRING` (the document itself), else
   * `STRONGROOM_KEYRING_FILE` (a path), else `keyring.json` in the data directory. Never from a
   * command-line argument.
   */
  readonly keyring?: KeyringSource;
  /**
   * Create the data directory, database and keyring when absent (the default). With `false`,
   * a missing store is a NotFoundError instead: a mistyped directory is not silently a new
   * empty store.
   */
  readonly create?: boolean;
}

export type KeyringSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'text'; readonly text: string; readonly label: string };

/** Which keyring source the environment selects. */
export function keyringSource(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
  const text = env[KEYRING_ENV];
  if (text) {
    return { kind: 'text', text, label: `from $${KEYRING_ENV}` } as const;
  }
  const path = env[KEYRING_FILE_ENV];
  return { kind: 'file', path: resolve(path || join(dataDir, KEYRING_FILE)) } as const;
}

/**
 * Where a keyring came from, without its contents: safe to print. A `text` source's document
 * (every master key) is never handed back.
 */
export type KeyringOrigin =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'text'; readonly label: string };

/** A store on the embedded default, with the origin of its keyring. */
export interface LocalStore {
  readonly store: SecretStore;
  readonly keys: LocalKeyProvider;
  readonly source: KeyringOrigin;
  /** True when this call created the keyring (the store was empty). */
  readonly createdKeyring: boolean;
}

/**
 * Opens the embedded default: SQLite and a local keyring in `dataDir`. A keyring is created
 * (mode 0600) only when none exists and the database holds no data; a missing keyring over
 * stored data is an error, because a new keyring could never decrypt it.
 *
 * @example
 * const { store } = await openLocalStore({ dataDir: './data' });
 * await store.put('customer-123', 'api-key', 'sk_live_...');
 */
export async function openLocalStore(options: LocalStoreOptions): Promise<LocalStore> {
  const { dataDir, keyring: chosen, create = true, ...storeOptions } = options;
  const database = join(dataDir, DATABASE_FILE);
  if (!create && !existsSync(database)) {
    throw new NotFoundError(`strongroom store in ${dataDir}`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const storage = new SqliteBackend(database);

  try {
    const source = chosen ?? keyringSource(dataDir);
    const { keyring, created } = await loadKeyring(source, async () =>
      create ? storage.hasData() : true,
    );
    // The database remembers the first keyring it was opened with; any other is refused
    // before anything is read or sealed, so one database never mixes two keyrings.
    // An empty database may move to a new keyring (its old one was lost before anything was
    // sealed under it).
    let bound = storage.bindKeyring(keyring.id);
    if (bound !== keyring.id && !(await storage.hasData())) {
      bound = storage.bindKeyring(keyring.id, { replace: true });
    }
    if (bound !== keyring.id) {
      throw new WrongKeyringError(bound, keyring.id);
    }

    const reload = source.kind === 'file' ? () => loadExisting(source.path) : undefined;
    const keys = new LocalKeyProvider(keyring, reload ? { reload } : {});
    const store = openStore({ ...storeOptions, keys, storage });

    const origin: KeyringOrigin =
      source.kind === 'file' ? source : { kind: 'text', label: source.label };
    return { store, keys, source: origin, createdKeyring: created };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function loadExisting(path: string): Promise<Keyring> {
  const keyring = await readKeyringFile(path);
  if (keyring === undefined) {
    throw new KeyringMissingError(path);
  }
  return keyring;
}

async function loadKeyring(source: KeyringSource, hasData: () => Promise<boolean>) {
  if (source.kind === 'text') {
    return { keyring: parseKeyring(source.text, source.label), created: false };
  }

  const existing = await readKeyringFile(source.path);
  if (existing !== undefined) {
    return { keyring: existing, created: false };
  }
  if (await hasData()) {
    throw new KeyringMissingError(source.path);
  }

  const keyring = createKeyring();
  await writeNewKeyringFile(source.path, keyring);
  return { keyring, created: true };
}

/**
 * Adds a master key version to a keyring file; new writes use it, older versions still
 * decrypt. Returns the new version number. A keyring from `STRONGROOM_KEYRING` cannot be
 * rotated in place.
 */
export async function rotateLocalKeyring(source: KeyringOrigin | KeyringSource) {
  if (source.kind === 'text') {
    throw new KeyringReadOnlyError(source.label);
  }
  const keyring = await rotateKeyringFile(source.path);
  return keyring.newest.version;
}
