import { createHmac, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { ConflictError, KeyringCorruptError, KeyringMissingError } from '../../errors.js';

/** One version of the local master key. */
export interface MasterKey {
  readonly version: number;
  readonly createdAt: string;
  /** 32 bytes. Never serialized except by {@link serializeKeyring}. */
  readonly material: Buffer;
}

const FORMAT = 'strongroom-keyring';
const KEY_BYTES = 32;
const CHECK_INFO = 'strongroom key check value';

/**
 * A set of versioned 256-bit master keys with a random id. The newest version wraps new data
 * keys; every version stays to open what it wrapped. Inspecting or stringifying it shows only
 * its id and versions.
 */
export class Keyring {
  readonly id: string;
  readonly keys: readonly MasterKey[];

  constructor(id: string, keys: readonly MasterKey[]) {
    if (keys.length === 0) {
      throw new RangeError('a keyring holds at least one key');
    }
    this.id = id;
    this.keys = Object.freeze([...keys].sort((a, b) => a.version - b.version));
  }

  get newest(): MasterKey {
    return this.keys[this.keys.length - 1] as MasterKey;
  }

  key(version: number): MasterKey | undefined {
    return this.keys.find((key) => key.version === version);
  }

  toJSON(): object {
    return { id: this.id, versions: this.keys.map((key) => key.version) };
  }

  [inspect.custom](): string {
    return `Keyring ${this.id} { versions: [${this.keys.map((key) => key.version).join(', ')}] }`;
  }
}

/**
 * A short public digest of a key (a key check value): it shows on load that the material was
 * not damaged, and reveals nothing usable about the key.
 */
function checkValue(material: Buffer): string {
  return createHmac('sha256', material).update(CHECK_INFO).digest('hex').slice(0, 16);
}

/**
 * A frozen master key whose material is not enumerable, so that `util.inspect`,
 * `console.log` and `JSON.stringify` of a key (or of `keyring.keys`) never show it. The bytes
 * live in a buffer of their own, outside Node's shared allocation pool.
 */
function masterKey(version: number, createdAt: string, bytes: Uint8Array): MasterKey {
  const material = Buffer.alloc(KEY_BYTES);
  material.set(bytes);
  const key = { version, createdAt } as MasterKey;
  Object.defineProperty(key, 'material', { value: material, enumerable: false });

  return Object.freeze(key);
}

function newKey(version: number): MasterKey {
  const bytes = randomBytes(KEY_BYTES);
  try {
    return masterKey(version, new Date().toISOString(), bytes);
  } finally {
    bytes.fill(0);
  }
}

/** A keyring with one fresh key, version 1. */
export function createKeyring(): Keyring {
  return new Keyring(`kr-${randomBytes(6).toString('hex')}`, [newKey(1)]);
}

/** The same keyring with one more version, which becomes the newest. */
export function rotateKeyring(keyring: Keyring): Keyring {
  return new Keyring(keyring.id, [...keyring.keys, newKey(keyring.newest.version + 1)]);
}

/** The keyring file's text. It holds key material: write it only with mode 0600. */
export function serializeKeyring(keyring: Keyring): string {
  const keys = keyring.keys.map((key) => ({
    version: key.version,
    createdAt: key.createdAt,
    material: key.material.toString('base64'),
    check: checkValue(key.material),
  }));

  return `${JSON.stringify({ format: FORMAT, formatVersion: 1, id: keyring.id, keys }, null, 2)}\n`;
}

function fail(source: string, reason: string): never {
  throw new KeyringCorruptError(source, reason);
}

function parseKey(entry: unknown, source: string): MasterKey {
  const fields = entry as Record<string, unknown>;
  if (typeof entry !== 'object' || entry === null) {
    fail(source, 'a key entry is not an object');
  }
  if (!Number.isInteger(fields.version) || (fields.version as number) < 1) {
    fail(source, 'a key version is not a positive integer');
  }
  if (typeof fields.material !== 'string' || typeof fields.check !== 'string') {
    fail(source, `key version ${fields.version} lacks material or check`);
  }

  const material = Buffer.from(fields.material, 'base64');
  if (material.length !== KEY_BYTES || checkValue(material) !== fields.check) {
    fail(source, `key version ${fields.version} is damaged (check value mismatch)`);
  }

  try {
    const createdAt = typeof fields.createdAt === 'string' ? fields.createdAt : '';
    return masterKey(fields.version as number, createdAt, material);
  } finally {
    material.fill(0);
  }
}

/** Parses a keyring file's text; `source` names it in errors (a path, or an env variable). */
export function parseKeyring(text: string, source: string): Keyring {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message can quote the text, which holds key material: leave it out.
    fail(source, 'not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== FORMAT) {
    fail(source, `not a ${FORMAT} document`);
  }
  if (doc.formatVersion !== 1) {
    fail(source, 'unsupported formatVersion');
  }
  if (typeof doc.id !== 'string' || !/^kr-[0-9a-f]{12}$/.test(doc.id)) {
    fail(source, 'missing or malformed id');
  }
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) {
    fail(source, 'holds no keys');
  }

  const keys = doc.keys.map((entry) => parseKey(entry, source));
  if (new Set(keys.map((key) => key.version)).size !== keys.length) {
    fail(source, 'has a key version twice');
  }

  return new Keyring(doc.id, keys);
}

/** Reads a keyring file, or returns `undefined` when there is none at `path`. */
export async function readKeyringFile(path: string): Promise<Keyring | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new KeyringCorruptError(path, 'cannot be read', { cause: error });
  }

  return parseKeyring(text, path);
}

async function writeExclusive(path: string, text: string): Promise<void> {
  // O_EXCL: never replace a file that appeared meanwhile; 0600: key material is for the owner.
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a new keyring file with mode 0600. Fails if any file is already at `path`. */
export async function writeNewKeyringFile(path: string, keyring: Keyring): Promise<void> {
  await writeExclusive(path, serializeKeyring(keyring));
  await syncDirectory(path);
}

/**
 * Syncs the folder that holds `path`, so that the file's directory entry (a new keyring, or a
 * rotation's rename) survives a crash: losing it after data was sealed under the key would
 * lose that data.
 */
async function syncDirectory(path: string): Promise<void> {
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Adds a version to a keyring file. A lock file keeps two rotations from racing (the loser of
 * a race would otherwise replace a version that already sealed data). The new file is written
 * beside the old, synced, then renamed over it, so a crash leaves one whole keyring or the
 * other. Every existing version is kept.
 */
export async function rotateKeyringFile(path: string): Promise<Keyring> {
  const lock = `${path}.lock`;
  try {
    await writeExclusive(lock, String(process.pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConflictError(
        `keyring ${path} is being rotated by another process (remove ${lock} if none is)`,
      );
    }
    throw error;
  }

  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const current = await readKeyringFile(path);
    if (current === undefined) {
      throw new KeyringMissingError(path);
    }

    const next = rotateKeyring(current);
    await writeExclusive(temporary, serializeKeyring(next));
    await rename(temporary, path);
    await syncDirectory(path);

    return next;
  } finally {
    await unlink(temporary).catch(() => undefined);
    await unlink(lock).catch(() => undefined);
  }
}
