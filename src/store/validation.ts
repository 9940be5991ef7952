import { InvalidInputError, ValueTooLargeError } from '../errors.js';

/**
 * The largest value a version holds: 256 KiB, four times Secrets Manager's 64 KB, and well
 * inside a DynamoDB item (400 KB) with the envelope's overhead.
 */
export const MAX_VALUE_BYTES = 256 * 1024;

/** Tenants: 1 to 128 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Secret names: 1 to 256 of `A-Z a-z 0-9 . _ - / + = @` (Secrets Manager's set), starting with
 * a letter or digit. No `#`: the DynamoDB layout uses it as a separator.
 */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/+=@]{0,255}$/;

/** Labels: 1 to 64 of `A-Z a-z 0-9 _ -`, starting with a letter. */
export const LABEL_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const MAX_DESCRIPTION_LENGTH = 2048;
export const MAX_TAGS = 50;
const TAG_KEY_PATTERN = /^[\p{L}\p{N} _.:/=+@-]{1,128}$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{N} _.:/=+@-]{0,256}$/u;
const CONTENT_TYPE_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

function check(ok: boolean, field: string, rule: string): void {
  if (!ok) {
    throw new InvalidInputError(field, rule);
  }
}

export function checkTenant(tenant: unknown): asserts tenant is string {
  check(
    typeof tenant === 'string' && TENANT_PATTERN.test(tenant),
    'tenant',
    'use 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit',
  );
}

export function checkSecretName(name: unknown): asserts name is string {
  check(
    typeof name === 'string' && SECRET_NAME_PATTERN.test(name),
    'secret name',
    'use 1 to 256 of A-Z a-z 0-9 . _ - / + = @, starting with a letter or digit',
  );
}

export function checkLabel(label: unknown): asserts label is string {
  check(
    typeof label === 'string' && LABEL_PATTERN.test(label),
    'label',
    'use 1 to 64 of A-Z a-z 0-9 _ -, starting with a letter',
  );
}

/** A version number: a positive integer. */
export function checkVersion(version: unknown, field = 'version'): asserts version is number {
  check(
    Number.isSafeInteger(version) && (version as number) >= 1,
    field,
    'must be an integer >= 1',
  );
}

/** A check-and-set expectation: 0 means "must not exist yet". */
export function checkExpectedVersion(value: unknown, field: string): void {
  check(Number.isSafeInteger(value) && (value as number) >= 0, field, 'must be an integer >= 0');
}

/** Turns a value into bytes without keeping another copy around. */
export function valueBytes(value: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    bytes = new TextEncoder().encode(value);
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw new InvalidInputError('value', 'must be a string or a Uint8Array');
  }

  if (bytes.length > MAX_VALUE_BYTES) {
    throw new ValueTooLargeError(bytes.length, MAX_VALUE_BYTES);
  }

  return bytes;
}

export function checkDescription(description: unknown): void {
  check(
    typeof description === 'string' && description.length <= MAX_DESCRIPTION_LENGTH,
    'options.description',
    `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
  );
}

export function checkTags(tags: unknown): asserts tags is Record<string, string> {
  const ok = typeof tags === 'object' && tags !== null && !Array.isArray(tags);
  check(ok, 'options.tags', 'must be an object of string keys and values');

  const entries = Object.entries(tags as object);
  check(entries.length <= MAX_TAGS, 'options.tags', `holds at most ${MAX_TAGS} tags`);
  for (const [key, value] of entries) {
    check(TAG_KEY_PATTERN.test(key), 'options.tags', 'keys are 1 to 128 letters, digits, _.:/=+@-');
    check(
      typeof value === 'string' && TAG_VALUE_PATTERN.test(value),
      'options.tags',
      'values are strings of at most 256 letters, digits, spaces and _.:/=+@-',
    );
  }
}

export function checkContentType(contentType: unknown): void {
  check(
    typeof contentType === 'string' && CONTENT_TYPE_PATTERN.test(contentType),
    'options.contentType',
    'must be 1 to 255 printable ASCII characters',
  );
}

export function checkDate(value: unknown, field: string): asserts value is Date {
  check(value instanceof Date && !Number.isNaN(value.getTime()), field, 'must be a valid Date');
}

export function checkLimit(limit: unknown, max: number): void {
  check(
    Number.isSafeInteger(limit) && (limit as number) >= 1 && (limit as number) <= max,
    'options.limit',
    `must be an integer from 1 to ${max}`,
  );
}
