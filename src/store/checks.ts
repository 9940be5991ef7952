import { ConflictError, InvalidInputError } from '../errors.js';
import type { SecretRecord } from '../storage/storage-backend.js';
import type { GetManyOptions, GetOptions, LabelOptions, PutOptions } from './types.js';
import * as check from './validation.js';

/** Checks of the store's arguments that combine the rules of validation.ts. */

/**
 * The most names one `getMany` takes: a full `list` page (1,000) passes as it is. Backends
 * split them to suit their own limits (DynamoDB's BatchGetItem takes 100 keys).
 */
export const MAX_GET_MANY_NAMES = 1000;

export function checkNames(tenant: string, name: string): void {
  check.checkTenant(tenant);
  check.checkSecretName(name);
}

export function checkWindow(days: unknown, field: string): number {
  if (!(Number.isSafeInteger(days) && (days as number) >= 1 && (days as number) <= 365)) {
    throw new InvalidInputError(field, 'must be an integer from 1 to 365 days');
  }
  return days as number;
}

export function checkPutOptions(options: PutOptions, now: number): void {
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

/** A get names a version or a label (or neither, for `current`), and maybe `fresh`. */
export function checkGetOptions(options: GetOptions): void {
  if (options.version !== undefined && options.label !== undefined) {
    throw new InvalidInputError('options', 'give a version or a label, not both');
  }
  if (options.version !== undefined) {
    check.checkVersion(options.version, 'options.version');
  }
  if (options.label !== undefined) {
    check.checkLabel(options.label);
  }
  checkFresh(options.fresh);
}

/**
 * At most {@link MAX_GET_MANY_NAMES} names, each valid, checked before any request so that one
 * bad name never leaves the others half read.
 */
export function checkGetMany(tenant: string, names: readonly string[], options: GetManyOptions) {
  check.checkTenant(tenant);
  if (!Array.isArray(names)) {
    throw new InvalidInputError('names', 'must be an array of secret names');
  }
  if (names.length > MAX_GET_MANY_NAMES) {
    throw new InvalidInputError('names', `holds at most ${MAX_GET_MANY_NAMES} names`);
  }
  for (const name of names) {
    check.checkSecretName(name);
  }
  checkFresh(options.fresh);
}

function checkFresh(fresh: unknown): void {
  if (fresh !== undefined && typeof fresh !== 'boolean') {
    throw new InvalidInputError('options.fresh', 'must be a boolean');
  }
}

export function checkLabelOptions(options: LabelOptions): void {
  if (options.expectedVersion !== undefined) {
    check.checkExpectedVersion(options.expectedVersion, 'options.expectedVersion');
  }
}

export function checkLabelExpectation(secret: SecretRecord, label: string, options: LabelOptions) {
  const now = secret.labels[label] ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== now) {
    throw new ConflictError(
      `label ${label} of secret ${secret.name} of tenant ${secret.tenant} points at ` +
        `${now === 0 ? 'no version' : `version ${now}`}, ` +
        `not the expected ${options.expectedVersion}`,
    );
  }
}
