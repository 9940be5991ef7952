import { CommanderError } from 'commander';
import {
  ConflictError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  SecretDeletedError,
  SecretExpiredError,
  ValueTooLargeError,
} from '../errors.js';
import { UsageError } from './usage-error.js';

/** The command did what it was asked. */
export const EXIT_OK = 0;

/** Any failure without a code of its own: keyring missing, corrupt or read-only, storage. */
export const EXIT_ERROR = 1;

/** Bad arguments or options, an invalid tenant, name or label, a value over the size limit. */
export const EXIT_USAGE = 2;

/** No such secret, version or label; or the secret is deleted, or the version expired. */
export const EXIT_NOT_FOUND = 3;

/** A check-and-set expectation (`--expected-version`) did not hold; nothing was written. */
export const EXIT_CONFLICT = 4;

/**
 * Stored data failed its integrity check: tampered with, moved to another tenant, name or
 * version, or sealed under a keyring other than the loaded one. Scripts should alert on it.
 */
export const EXIT_INTEGRITY = 5;

/** Every code the CLI exits with. */
export type ExitCode =
  | typeof EXIT_OK
  | typeof EXIT_ERROR
  | typeof EXIT_USAGE
  | typeof EXIT_NOT_FOUND
  | typeof EXIT_CONFLICT
  | typeof EXIT_INTEGRITY;

/** The exit code for an error a command raised. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    // Commander exits 0 after --help and --version; every other exit of its is a usage error.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (
    error instanceof UsageError ||
    error instanceof InvalidInputError ||
    error instanceof ValueTooLargeError
  ) {
    return EXIT_USAGE;
  }
  if (
    error instanceof NotFoundError ||
    error instanceof SecretDeletedError ||
    error instanceof SecretExpiredError
  ) {
    return EXIT_NOT_FOUND;
  }
  if (error instanceof ConflictError) {
    return EXIT_CONFLICT;
  }
  if (error instanceof IntegrityError) {
    return EXIT_INTEGRITY;
  }
  return EXIT_ERROR;
}
