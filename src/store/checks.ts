import { ConflictError, InvalidInputError } from '../errors.js';
import type { SecretRecord } from '../storage/storage-backend.js';
import type { LabelOptions, PutOptions } from './types.js';
import * as check from './validation.js';

/** Checks of the store's arguments that combine the rules of validation.ts. */

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
