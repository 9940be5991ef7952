import { InvalidInputError, NotFoundError } from '../errors.js';
import type { SecretRecord, StorageBackend } from '../storage/storage-backend.js';
import { checkLabelExpectation, checkLabelOptions, checkNames, checkWindow } from './checks.js';
import { CURRENT, moveLabel, PREVIOUS } from './labels.js';
import type { SecretRecords } from './records.js';
import type { LabelOptions, SecretMetadata } from './types.js';
import * as check from './validation.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the writes that change a secret's record (not its versions) work with. */
export interface UpdateParts {
  readonly records: SecretRecords;
  readonly storage: StorageBackend;
  readonly now: () => number;
}

/** Points `label` at `version`, with the check-and-set of `options`. */
export function moveSecretLabel(
  { records }: UpdateParts,
  target: { tenant: string; name: string; label: string; version: number },
  options: LabelOptions,
): Promise<SecretMetadata> {
  const { tenant, name, label, version } = target;
  checkNames(tenant, name);
  check.checkLabel(label);
  check.checkVersion(version);
  checkLabelOptions(options);

  return records.update(tenant, name, (secret) => {
    checkLabelExpectation(secret, label, options);
    if (!secret.versions.includes(version)) {
      throw new NotFoundError(`version ${version} of secret ${name} of tenant ${tenant}`);
    }
    return { labels: moveLabel(secret.labels, label, version) };
  });
}

/** Removes a label other than `current`. */
export function removeSecretLabel(
  { records }: UpdateParts,
  target: { tenant: string; name: string; label: string },
  options: LabelOptions,
): Promise<SecretMetadata> {
  const { tenant, name, label } = target;
  checkNames(tenant, name);
  check.checkLabel(label);
  checkLabelOptions(options);
  if (label === CURRENT) {
    throw new InvalidInputError('label', 'current cannot be removed; move it instead');
  }

  return records.update(tenant, name, (secret) => {
    checkLabelExpectation(secret, label, options);
    if (secret.labels[label] === undefined) {
      throw new NotFoundError(`label ${label} of secret ${name} of tenant ${tenant}`);
    }
    const labels = { ...secret.labels };
    delete labels[label];
    return { labels };
  });
}

/** Moves `current` back to `previous`, or to `version`; returns the new current version. */
export async function rollbackSecret(
  { records }: UpdateParts,
  tenant: string,
  name: string,
  version: number | undefined,
): Promise<number> {
  checkNames(tenant, name);
  if (version !== undefined) {
    check.checkVersion(version, 'options.version');
  }

  const updated = await records.update(tenant, name, (secret) => {
    const target = version ?? secret.labels[PREVIOUS];
    if (target === undefined || !secret.versions.includes(target)) {
      throw new NotFoundError(`version to roll back to for secret ${name} of tenant ${tenant}`);
    }
    return { labels: moveLabel(secret.labels, CURRENT, target) };
  });

  return updated.currentVersion;
}

/** Soft delete for `days`; deleting a deleted secret changes nothing. */
export async function deleteSecret(
  { records, now }: UpdateParts,
  tenant: string,
  name: string,
  days: unknown,
): Promise<{ recoverableUntil: Date }> {
  checkNames(tenant, name);
  const window = checkWindow(days, 'options.recoveryWindowDays');

  const updated = await records.update(
    tenant,
    name,
    (secret) => {
      if (secret.deletedAt !== undefined) {
        return {};
      }
      const at = now();
      return { deletedAt: at, purgeAfter: at + window * DAY_MS };
    },
    { deleted: true },
  );

  return { recoverableUntil: updated.recoverableUntil as Date };
}

/** Undoes a delete; restoring a live secret changes nothing. */
export function restoreSecret(
  { records }: UpdateParts,
  tenant: string,
  name: string,
): Promise<SecretMetadata> {
  checkNames(tenant, name);

  // A live secret gets an empty change, which the update commits as no write at all.
  const restore = (secret: SecretRecord) =>
    secret.deletedAt === undefined ? {} : { deletedAt: undefined, purgeAfter: undefined };

  return records.update(tenant, name, restore, { deleted: true });
}

/** Destroys the secret and every version now; returns how many versions went. */
export function purgeSecret({ records, storage }: UpdateParts, tenant: string, name: string) {
  checkNames(tenant, name);

  return records.retry(async () => {
    const secret = await storage.getSecret(tenant, name);
    if (secret === undefined) {
      throw new NotFoundError(`secret ${name} of tenant ${tenant}`);
    }
    return storage.purgeSecret(tenant, name, secret.revision);
  });
}
