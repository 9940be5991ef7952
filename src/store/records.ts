import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, NotFoundError, SecretDeletedError } from '../errors.js';
import {
  type LegacyItem,
  RevisionConflict,
  type SecretRecord,
  type StorageBackend,
} from '../storage/storage-backend.js';
import { checkGetOptions } from './checks.js';
import { CURRENT } from './labels.js';
import { secretMetadata } from './metadata.js';
import type { GetOptions, SecretMetadata } from './types.js';

const MAX_ATTEMPTS = 100;

/**
 * The store's reads and conditional writes of secret records: the recovery window, the
 * optimistic-lock retries and the version lookups every operation shares.
 */
export class SecretRecords {
  readonly #storage: StorageBackend;
  readonly #now: () => number;
  readonly #migrate: (item: LegacyItem) => Promise<boolean>;

  /** `migrate` upgrades one legacy item; a write to a legacy secret runs it first. */
  constructor(
    storage: StorageBackend,
    now: () => number,
    migrate: (item: LegacyItem) => Promise<boolean>,
  ) {
    this.#storage = storage;
    this.#now = now;
    this.#migrate = migrate;
  }

  /**
   * Before a write, a legacy secret is upgraded to the current layout, then the write retries
   * against the upgraded record (a RevisionConflict sends it round the retry loop).
   */
  async upgradeForWrite(secret: SecretRecord | undefined): Promise<void> {
    if (!secret?.legacy) {
      return;
    }

    const record = await this.#storage.getVersion(secret.tenant, secret.name, 1);
    if (record?.legacy) {
      const { tenant, name, envelope: blob, createdAt } = record;
      await this.#migrate({ tenant, name, blob, createdAt });
    }
    throw new RevisionConflict();
  }

  /** Retries optimistic-lock conflicts with jittered backoff. */
  async retry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof RevisionConflict)) {
          throw error;
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictError('too many concurrent writers; nothing was written, try again');
        }
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }

  /**
   * The secret record, with the recovery window applied: a secret deleted past its window is
   * purged here and reads as absent. A deleted secret in its window throws, unless `forWrite`
   * is false and the caller handles it.
   */
  async live(tenant: string, name: string, { forWrite }: { forWrite: boolean }) {
    const secret = await this.#storage.getSecret(tenant, name);
    if (secret?.deletedAt === undefined) {
      return secret;
    }

    if ((secret.purgeAfter ?? 0) <= this.#now()) {
      // Past its recovery window the secret is gone; purging it here frees the name. A writer
      // re-reads afterwards; a reader that loses a race to purge it sees it absent all the same.
      const purged = this.#storage.purgeSecret(tenant, name, secret.revision);
      if (forWrite) {
        await purged;
        throw new RevisionConflict();
      }
      await purged.catch((error) => {
        if (!(error instanceof RevisionConflict)) {
          throw error;
        }
      });
      return undefined;
    }

    throw new SecretDeletedError(tenant, name, new Date(secret.purgeAfter as number));
  }

  /** The secret record, or NotFoundError; deleted secrets throw as in {@link live}. */
  async readable(tenant: string, name: string): Promise<SecretRecord> {
    const secret = await this.live(tenant, name, { forWrite: false });
    if (secret === undefined) {
      throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
    }
    return secret;
  }

  /** The secret and the version a get names: `current`, a version or a label. */
  async version(tenant: string, name: string, options: GetOptions) {
    checkGetOptions(options);

    if (options.version === undefined && options.label === undefined) {
      return this.current(tenant, name);
    }

    const secret = await this.readable(tenant, name);
    const label = options.label;
    const version = label === undefined ? options.version : secret.labels[label];
    if (version === undefined) {
      throw new NotFoundError(`label ${label} of secret ${name} of tenant ${tenant}`);
    }

    const record = await this.#storage.getVersion(tenant, name, version);
    if (record === undefined) {
      throw new NotFoundError(`version ${version} of secret ${name} of tenant ${tenant}`);
    }

    return { secret, record };
  }

  /** The hot path: the secret and its current version, in one backend read. */
  async current(tenant: string, name: string) {
    const found = await this.#storage.getCurrent(tenant, name);
    if (found === undefined) {
      throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
    }

    let { secret, version: record } = found;
    if (secret.deletedAt !== undefined) {
      // Rare: the full path applies the recovery window, and reads again in case a restore
      // landed in between.
      secret = await this.readable(tenant, name);
      record = await this.#storage.getVersion(tenant, name, secret.labels[CURRENT] ?? 0);
    }
    if (record === undefined) {
      throw new NotFoundError(`current version of secret ${name} of tenant ${tenant}`);
    }

    return { secret, record };
  }

  /** A conditional change to a secret record, retried on conflicts. */
  async update(
    tenant: string,
    name: string,
    change: (secret: SecretRecord) => Partial<SecretRecord>,
    { deleted = false }: { deleted?: boolean } = {},
  ): Promise<SecretMetadata> {
    return this.retry(async () => {
      const secret = deleted
        ? await this.#storage.getSecret(tenant, name)
        : await this.live(tenant, name, { forWrite: false });
      const expired = secret?.deletedAt !== undefined && (secret.purgeAfter ?? 0) <= this.#now();
      if (secret === undefined || expired) {
        throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
      }

      const delta = change(secret);
      if (Object.keys(delta).length > 0) {
        await this.upgradeForWrite(secret);
      }
      if (Object.keys(delta).length === 0) {
        return secretMetadata(secret);
      }
      const next = { ...secret, ...delta, revision: secret.revision + 1, updatedAt: this.#now() };
      await this.#storage.updateSecret(next, secret.revision);

      return secretMetadata(next);
    });
  }
}
