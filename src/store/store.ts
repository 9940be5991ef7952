import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  SecretDeletedError,
  SecretExpiredError,
} from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import {
  RevisionConflict,
  type SecretRecord,
  type StorageBackend,
  type VersionRecord,
} from '../storage/storage-backend.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { openValue, rewrapValue, type SealMode, sealValue } from './envelopes.js';
import { type EventHook, type EventTarget, observe } from './events.js';
import { CURRENT, labelsAfterPut, moveLabel, PREVIOUS, versionsToDestroy } from './labels.js';
import { secretMetadata, versionMetadata } from './metadata.js';
import { SecretValue } from './secret-value.js';
import type {
  DeleteOptions,
  GetOptions,
  LabelOptions,
  ListOptions,
  PutOptions,
  RewrapOptions,
  RewrapResult,
  SecretDescription,
  SecretList,
  SecretMetadata,
  SecretVersion,
  StoreOptions,
  VersionMetadata,
} from './types.js';
import * as check from './validation.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 100;
const REWRAP_PAGE = 100;

/**
 * Secrets of many tenants, each value sealed in an envelope bound to its tenant, name and
 * version. Open one with {@link openStore}.
 */
export class SecretStore {
  readonly #keys: KeyProvider;
  readonly #storage: StorageBackend;
  readonly #mode: SealMode;
  readonly #maxVersions: number;
  readonly #recoveryDays: number;
  readonly #onEvent: EventHook | undefined;
  readonly #now: () => number;

  constructor(options: StoreOptions) {
    const mode = options.mode ?? 'envelope';
    if (mode !== 'envelope' && mode !== 'direct') {
      throw new InvalidInputError('options.mode', "must be 'envelope' or 'direct'");
    }
    const maxVersions = options.maxVersions ?? Number.POSITIVE_INFINITY;
    if (
      maxVersions !== Number.POSITIVE_INFINITY &&
      !(Number.isSafeInteger(maxVersions) && maxVersions >= 1)
    ) {
      throw new InvalidInputError('options.maxVersions', 'must be an integer >= 1');
    }

    this.#keys = options.keys;
    this.#storage = options.storage;
    this.#mode = mode;
    this.#maxVersions = maxVersions;
    this.#recoveryDays = checkWindow(options.recoveryWindowDays ?? 7, 'options.recoveryWindowDays');
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Writes a new version and returns its number. The version and its label moves commit
   * together; concurrent writers each get their own number, and none is lost.
   */
  async put(
    tenant: string,
    name: string,
    value: string | Uint8Array,
    options: PutOptions = {},
  ): Promise<number> {
    return this.#observe(
      { operation: 'put', tenant, name },
      async () => {
        checkNames(tenant, name);
        const bytes = check.valueBytes(value);
        checkPutOptions(options, this.#now());

        return this.#retry(async () => {
          const secret = await this.#live(tenant, name, { forWrite: true });
          const latest = secret?.latestVersion ?? 0;
          if (options.expectedVersion !== undefined && options.expectedVersion !== latest) {
            throw new ConflictError(
              `secret ${name} of tenant ${tenant} is at version ${latest}, ` +
                `not the expected ${options.expectedVersion}; nothing was written`,
            );
          }

          const version = latest + 1;
          const envelope = await sealValue(
            this.#keys,
            bytes,
            secretContext(tenant, name, version),
            this.#mode,
          );
          const now = this.#now();
          const labels = labelsAfterPut(secret?.labels ?? {}, version);
          const versions = [...(secret?.versions ?? []), version];
          const destroy = versionsToDestroy(versions, labels, this.#maxVersions);

          await this.#storage.writeVersion({
            expectedRevision: secret?.revision ?? 0,
            destroyVersions: destroy,
            secret: {
              tenant,
              name,
              revision: (secret?.revision ?? 0) + 1,
              latestVersion: version,
              versions: versions.filter((v) => !destroy.includes(v)),
              labels,
              description: options.description ?? secret?.description,
              tags: options.tags ? { ...options.tags } : (secret?.tags ?? {}),
              createdAt: secret?.createdAt ?? now,
              updatedAt: now,
            },
            version: {
              tenant,
              name,
              version,
              envelope,
              createdAt: now,
              expiresAt: options.expiresAt?.getTime(),
              contentType: options.contentType,
              size: bytes.length,
            },
          });

          return version;
        });
      },
      (version) => version,
    );
  }

  /** Decrypts one version: `current` unless a version or a label is given. */
  async get(tenant: string, name: string, options: GetOptions = {}): Promise<SecretVersion> {
    return this.#observe(
      { operation: 'get', tenant, name },
      async () => {
        checkNames(tenant, name);
        const { secret, record } = await this.#version(tenant, name, options);

        const expiresAt = record.expiresAt;
        if (expiresAt !== undefined && expiresAt <= this.#now()) {
          throw new SecretExpiredError(tenant, name, record.version, new Date(expiresAt));
        }

        const context = secretContext(tenant, name, record.version);
        const plaintext = await openValue(this.#keys, record.envelope, context);

        return {
          ...versionMetadata(record, secret),
          tenant,
          name,
          value: new SecretValue(plaintext),
        };
      },
      (result) => result.version,
    );
  }

  /** The secret and its current version's metadata. Decrypts nothing. */
  async describe(tenant: string, name: string): Promise<SecretDescription> {
    return this.#observe({ operation: 'describe', tenant, name }, async () => {
      checkNames(tenant, name);
      const { secret, record } = await this.#version(tenant, name, {});

      return { ...secretMetadata(secret), current: versionMetadata(record, secret) };
    });
  }

  /** A tenant's secrets in name order, a page at a time. */
  async list(tenant: string, options: ListOptions = {}): Promise<SecretList> {
    return this.#observe({ operation: 'list', tenant }, async () => {
      check.checkTenant(tenant);
      const limit = options.limit ?? 100;
      check.checkLimit(limit, 1000);
      if (options.prefix !== undefined && typeof options.prefix !== 'string') {
        throw new InvalidInputError('options.prefix', 'must be a string');
      }

      const after =
        options.cursor === undefined
          ? undefined
          : decodeCursor(options.cursor, tenant, options.prefix);
      const now = this.#now();
      const secrets: SecretMetadata[] = [];
      let from = after;
      let more = true;

      // Deleted secrets are skipped after the query, so one query may not fill a page.
      while (secrets.length < limit && more) {
        const page = await this.#storage.listSecrets(tenant, {
          prefix: options.prefix,
          after: from,
          limit: limit - secrets.length,
        });
        for (const record of page.secrets) {
          from = record.name;
          if (isVisible(record, now, options.includeDeleted === true)) {
            secrets.push(secretMetadata(record));
          }
        }
        more = page.more;
      }

      const cursor =
        more && from !== undefined ? encodeCursor(tenant, options.prefix, from) : undefined;
      return { secrets, cursor };
    });
  }

  /** Every stored version's metadata, newest first. */
  async versions(tenant: string, name: string): Promise<VersionMetadata[]> {
    return this.#observe({ operation: 'versions', tenant, name }, async () => {
      checkNames(tenant, name);
      const secret = await this.#readable(tenant, name);
      const records = await this.#storage.listVersions(tenant, name);

      return records.map((record) => versionMetadata(record, secret));
    });
  }

  /**
   * Points a label at a version. Moving `current` keeps where it was as `previous`. With
   * `expectedVersion`, the move happens only if the label points there now.
   */
  async moveLabel(
    tenant: string,
    name: string,
    label: string,
    version: number,
    options: LabelOptions = {},
  ): Promise<SecretMetadata> {
    return this.#observe({ operation: 'moveLabel', tenant, name }, async () => {
      checkNames(tenant, name);
      check.checkLabel(label);
      check.checkVersion(version);
      checkLabelOptions(options);

      return this.#update(tenant, name, (secret) => {
        checkLabelExpectation(secret, label, options);
        if (!secret.versions.includes(version)) {
          throw new NotFoundError(`version ${version} of secret ${name} of tenant ${tenant}`);
        }
        return { labels: moveLabel(secret.labels, label, version) };
      });
    });
  }

  /** Removes a custom label (or `previous`); `current` cannot be removed. */
  async removeLabel(
    tenant: string,
    name: string,
    label: string,
    options: LabelOptions = {},
  ): Promise<SecretMetadata> {
    return this.#observe({ operation: 'removeLabel', tenant, name }, async () => {
      checkNames(tenant, name);
      check.checkLabel(label);
      checkLabelOptions(options);
      if (label === CURRENT) {
        throw new InvalidInputError('label', 'current cannot be removed; move it instead');
      }

      return this.#update(tenant, name, (secret) => {
        checkLabelExpectation(secret, label, options);
        if (secret.labels[label] === undefined) {
          throw new NotFoundError(`label ${label} of secret ${name} of tenant ${tenant}`);
        }
        const labels = { ...secret.labels };
        delete labels[label];
        return { labels };
      });
    });
  }

  /** Moves `current` back to `previous`, or to the version given. Returns the new current. */
  async rollback(tenant: string, name: string, options: { version?: number } = {}) {
    return this.#observe(
      { operation: 'rollback', tenant, name },
      async () => {
        checkNames(tenant, name);
        if (options.version !== undefined) {
          check.checkVersion(options.version, 'options.version');
        }

        const updated = await this.#update(tenant, name, (secret) => {
          const target = options.version ?? secret.labels[PREVIOUS];
          if (target === undefined || !secret.versions.includes(target)) {
            throw new NotFoundError(
              `version to roll back to for secret ${name} of tenant ${tenant}`,
            );
          }
          return { labels: moveLabel(secret.labels, CURRENT, target) };
        });

        return updated.currentVersion;
      },
      (version) => version,
    );
  }

  /**
   * Soft delete: the secret stops reading until `restore`, and may be purged once the recovery
   * window ends. Deleting a deleted secret changes nothing.
   */
  async delete(tenant: string, name: string, options: DeleteOptions = {}) {
    return this.#observe({ operation: 'delete', tenant, name }, async () => {
      checkNames(tenant, name);
      const days = checkWindow(
        options.recoveryWindowDays ?? this.#recoveryDays,
        'options.recoveryWindowDays',
      );

      const updated = await this.#update(
        tenant,
        name,
        (secret) => {
          if (secret.deletedAt !== undefined) {
            return {};
          }
          const now = this.#now();
          return { deletedAt: now, purgeAfter: now + days * DAY_MS };
        },
        { deleted: true },
      );

      return { recoverableUntil: updated.recoverableUntil as Date };
    });
  }

  /** Undoes a delete within the recovery window. Restoring a live secret changes nothing. */
  async restore(tenant: string, name: string): Promise<SecretMetadata> {
    return this.#observe({ operation: 'restore', tenant, name }, async () => {
      checkNames(tenant, name);

      // A live secret gets an empty change, which #update commits as no write at all.
      const restore = (secret: SecretRecord) =>
        secret.deletedAt === undefined ? {} : { deletedAt: undefined, purgeAfter: undefined };

      return this.#update(tenant, name, restore, { deleted: true });
    });
  }

  /** Destroys the secret and every version now, deleted or not. Returns how many versions. */
  async purge(tenant: string, name: string): Promise<number> {
    return this.#observe({ operation: 'purge', tenant, name }, async () => {
      checkNames(tenant, name);

      return this.#retry(async () => {
        const secret = await this.#storage.getSecret(tenant, name);
        if (secret === undefined) {
          throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
        }
        return this.#storage.purgeSecret(tenant, name, secret.revision);
      });
    });
  }

  /**
   * Moves every stored data key (and direct ciphertext) to the key provider's newest master
   * key without re-encrypting values. Safe while the store is in use: each swap is conditional
   * on the envelope it read. Run twice, the second run rewraps nothing.
   */
  async rewrap(options: RewrapOptions = {}): Promise<RewrapResult> {
    return this.#observe({ operation: 'rewrap' }, async () => {
      let scanned = 0;
      let rewrapped = 0;
      let from: VersionRecord | undefined;

      for (;;) {
        const page = await this.#storage.scanVersions(from, REWRAP_PAGE);
        for (const record of page) {
          const context = secretContext(record.tenant, record.name, record.version);
          const next = await rewrapValue(this.#keys, record.envelope, context);
          // A false swap means a purge or another rewrap got there first: nothing to redo.
          if (
            next !== undefined &&
            (await this.#storage.replaceEnvelope(record, record.envelope, next))
          ) {
            rewrapped += 1;
          }
        }
        scanned += page.length;
        options.onProgress?.({ scanned, rewrapped });

        if (page.length < REWRAP_PAGE) {
          return { scanned, rewrapped };
        }
        from = page[page.length - 1];
      }
    });
  }

  /** Closes the storage backend. */
  async close(): Promise<void> {
    await this.#storage.close();
  }

  #observe<T>(
    target: EventTarget,
    work: () => Promise<T>,
    versionOf?: (result: T) => number | undefined,
  ): Promise<T> {
    return observe(this.#onEvent, target, work, versionOf);
  }

  /** Retries optimistic-lock conflicts with jittered backoff. */
  async #retry<T>(work: () => Promise<T>): Promise<T> {
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
  async #live(tenant: string, name: string, { forWrite }: { forWrite: boolean }) {
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

  async #readable(tenant: string, name: string): Promise<SecretRecord> {
    const secret = await this.#live(tenant, name, { forWrite: false });
    if (secret === undefined) {
      throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
    }
    return secret;
  }

  async #version(tenant: string, name: string, options: GetOptions) {
    if (options.version !== undefined && options.label !== undefined) {
      throw new InvalidInputError('options', 'give a version or a label, not both');
    }
    if (options.version !== undefined) {
      check.checkVersion(options.version, 'options.version');
    }
    if (options.label !== undefined) {
      check.checkLabel(options.label);
    }

    if (options.version === undefined && options.label === undefined) {
      return this.#current(tenant, name);
    }

    const secret = await this.#readable(tenant, name);
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
  async #current(tenant: string, name: string) {
    const found = await this.#storage.getCurrent(tenant, name);
    if (found?.secret.deletedAt !== undefined) {
      // Rare: let the full path apply the recovery window.
      await this.#readable(tenant, name);
    }
    if (found === undefined || found.secret.deletedAt !== undefined) {
      throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
    }
    if (found.version === undefined) {
      throw new NotFoundError(`current version of secret ${name} of tenant ${tenant}`);
    }

    return { secret: found.secret, record: found.version };
  }

  /** A conditional change to a secret record, retried on conflicts. */
  async #update(
    tenant: string,
    name: string,
    change: (secret: SecretRecord) => Partial<SecretRecord>,
    { deleted = false }: { deleted?: boolean } = {},
  ): Promise<SecretMetadata> {
    return this.#retry(async () => {
      const secret = deleted
        ? await this.#storage.getSecret(tenant, name)
        : await this.#live(tenant, name, { forWrite: false });
      const expired = secret?.deletedAt !== undefined && (secret.purgeAfter ?? 0) <= this.#now();
      if (secret === undefined || expired) {
        throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
      }

      const delta = change(secret);
      if (Object.keys(delta).length === 0) {
        return secretMetadata(secret);
      }
      const next = { ...secret, ...delta, revision: secret.revision + 1, updatedAt: this.#now() };
      await this.#storage.updateSecret(next, secret.revision);

      return secretMetadata(next);
    });
  }
}

/** Opens a store over a key provider and a storage backend. */
export function openStore(options: StoreOptions): SecretStore {
  return new SecretStore(options);
}

function checkNames(tenant: string, name: string): void {
  check.checkTenant(tenant);
  check.checkSecretName(name);
}

function checkWindow(days: unknown, field: string): number {
  if (!(Number.isSafeInteger(days) && (days as number) >= 1 && (days as number) <= 365)) {
    throw new InvalidInputError(field, 'must be an integer from 1 to 365 days');
  }
  return days as number;
}

function checkPutOptions(options: PutOptions, now: number): void {
  if (options.expectedVersion !== undefined) {
    check.checkExpectedVersion(options.expectedVersion, 'options.expectedVersion');
  }
  if (options.description !== undefined) {
    check.checkDescription(options.description);
  }
  if (options.tags !== undefined) {
    check.checkTags(options.tags);
  }
  if (options.contentType !== undefined) {
    check.checkContentType(options.contentType);
  }
  if (options.expiresAt !== undefined) {
    check.checkDate(options.expiresAt, 'options.expiresAt');
    if (options.expiresAt.getTime() <= now) {
      throw new InvalidInputError('options.expiresAt', 'must be in the future');
    }
  }
}

function checkLabelOptions(options: LabelOptions): void {
  if (options.expectedVersion !== undefined) {
    check.checkExpectedVersion(options.expectedVersion, 'options.expectedVersion');
  }
}

function checkLabelExpectation(secret: SecretRecord, label: string, options: LabelOptions) {
  const now = secret.labels[label] ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== now) {
    throw new ConflictError(
      `label ${label} of secret ${secret.name} of tenant ${secret.tenant} points at ` +
        `${now === 0 ? 'no version' : `version ${now}`}, not the expected ${options.expectedVersion}`,
    );
  }
}

function isVisible(record: SecretRecord, now: number, includeDeleted: boolean): boolean {
  if (record.deletedAt === undefined) {
    return true;
  }
  return includeDeleted && (record.purgeAfter ?? 0) > now;
}
