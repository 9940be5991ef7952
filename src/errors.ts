/**
 * Every error strongroom throws on purpose is a {@link StrongroomError} with a stable `code`.
 * Messages name the tenant, secret, version or field involved, never a value or key material;
 * an error from a dependency goes into `cause`, never into the message.
 */

/** The stable codes, one per error class. */
export type ErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_VALUE_TOO_LARGE'
  | 'ERR_NOT_FOUND'
  | 'ERR_DELETED'
  | 'ERR_EXPIRED'
  | 'ERR_CONFLICT'
  | 'ERR_INTEGRITY'
  | 'ERR_WRONG_KEYRING'
  | 'ERR_KEYRING_MISSING'
  | 'ERR_KEYRING_CORRUPT'
  | 'ERR_KEYRING_READ_ONLY'
  | 'ERR_KEY_PROVIDER'
  | 'ERR_KEY_ACCESS_DENIED'
  | 'ERR_KEY_UNAVAILABLE'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_STORAGE'
  | 'ERR_TABLE_NOT_FOUND';

/** The base class: `instanceof StrongroomError` catches everything strongroom raises. */
export class StrongroomError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'StrongroomError';
  }
}

/** A tenant, secret name, label, option or cursor that breaks the documented rules. */
export class InvalidInputError extends StrongroomError {
  /** The parameter at fault, for example `tenant` or `options.expectedVersion`. */
  readonly field: string;

  constructor(field: string, rule: string) {
    super('ERR_INVALID_INPUT', `invalid ${field}: ${rule}`);
    this.name = 'InvalidInputError';
    this.field = field;
  }
}

/** A value over the store's size limit. Nothing was written. */
export class ValueTooLargeError extends StrongroomError {
  readonly limit: number;
  readonly size: number;

  constructor(size: number, limit: number) {
    super('ERR_VALUE_TOO_LARGE', `value is ${size} bytes; the limit is ${limit} bytes`);
    this.name = 'ValueTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

/** No such secret, version or label. */
export class NotFoundError extends StrongroomError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('ERR_NOT_FOUND', `${what} not found`, options);
    this.name = 'NotFoundError';
  }
}

/** The secret is soft-deleted; it can be restored until `recoverableUntil`. */
export class SecretDeletedError extends StrongroomError {
  readonly recoverableUntil: Date;

  constructor(tenant: string, name: string, recoverableUntil: Date) {
    const until = recoverableUntil.toISOString();
    super(
      'ERR_DELETED',
      `secret ${name} of tenant ${tenant} is deleted; restore it before ${until} ` +
        `(strongroom restore ${tenant} ${name}, or store.restore())`,
    );
    this.name = 'SecretDeletedError';
    this.recoverableUntil = recoverableUntil;
  }
}

/** The requested version passed its `expiresAt`. */
export class SecretExpiredError extends StrongroomError {
  readonly expiredAt: Date;

  constructor(tenant: string, name: string, version: number, expiredAt: Date) {
    super(
      'ERR_EXPIRED',
      `version ${version} of secret ${name} of tenant ${tenant} expired at ` +
        `${expiredAt.toISOString()}`,
    );
    this.name = 'SecretExpiredError';
    this.expiredAt = expiredAt;
  }
}

/** A check-and-set expectation did not hold, or contention outlasted the retries. */
export class ConflictError extends StrongroomError {
  constructor(message: string) {
    super('ERR_CONFLICT', message);
    this.name = 'ConflictError';
  }
}

/**
 * One fixed message for every failed decryption or integrity check, so that the error tells an
 * attacker nothing about which check failed (tag, commitment, wrapped key, parse or context).
 */
export const INTEGRITY_MESSAGE =
  'integrity check failed: the stored data was altered, moved to another tenant, name or ' +
  'version, or sealed under another key';

/** Tampered, moved or undecryptable data. No plaintext is ever returned with it. */
export class IntegrityError extends StrongroomError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_INTEGRITY', INTEGRITY_MESSAGE, options);
    this.name = 'IntegrityError';
  }
}

/**
 * The envelope names a keyring other than the loaded one. It is an integrity failure (exit code
 * 5) with a message that says which keyring to load; keyring ids are not secret.
 */
export class WrongKeyringError extends IntegrityError {
  override readonly code = 'ERR_WRONG_KEYRING' as const;

  constructor(expected: string, loaded: string) {
    super();
    this.message =
      `data was sealed under keyring ${expected}, but the loaded keyring is ${loaded}: ` +
      'load the keyring this data was written with';
    this.name = 'WrongKeyringError';
  }
}

/** The keyring file is gone while data may exist. strongroom never creates a new one over it. */
export class KeyringMissingError extends StrongroomError {
  constructor(path: string) {
    super(
      'ERR_KEYRING_MISSING',
      `keyring file ${path} is missing: restore it from your backup (strongroom never ` +
        'creates a new keyring where secrets exist: a new one could not decrypt them)',
    );
    this.name = 'KeyringMissingError';
  }
}

/** The keyring could not be read or does not parse. */
export class KeyringCorruptError extends StrongroomError {
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_KEYRING_CORRUPT', `keyring ${source} is unreadable or corrupt: ${reason}`, options);
    this.name = 'KeyringCorruptError';
  }
}

/** The keyring came from an environment variable and cannot be rotated in place. */
export class KeyringReadOnlyError extends StrongroomError {
  constructor(source: string) {
    super(
      'ERR_KEYRING_READ_ONLY',
      `keyring ${source} is read-only here: rotate the keyring file it came from instead`,
    );
    this.name = 'KeyringReadOnlyError';
  }
}

/** The key provider failed for a reason other than integrity (access, availability). */
export class KeyProviderError extends StrongroomError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'ERR_KEY_PROVIDER', message, options);
    this.name = 'KeyProviderError';
  }
}

/** The caller may not use the key (IAM or key policy, or a grant): KMS AccessDeniedException. */
export class KeyAccessDeniedError extends KeyProviderError {
  constructor(keyId: string, operation: string, options?: { cause?: unknown }) {
    super(`access to key ${keyId} was denied for ${operation}`, {
      ...options,
      code: 'ERR_KEY_ACCESS_DENIED',
    });
    this.name = 'KeyAccessDeniedError';
  }
}

/** The key exists but cannot be used now: disabled, or pending deletion, or pending import. */
export class KeyUnavailableError extends KeyProviderError {
  constructor(keyId: string, state: string, options?: { cause?: unknown }) {
    super(`key ${keyId} cannot be used: ${state}`, { ...options, code: 'ERR_KEY_UNAVAILABLE' });
    this.name = 'KeyUnavailableError';
  }
}

/** No key with this id, ARN or alias in the account and Region. */
export class KeyNotFoundError extends KeyProviderError {
  constructor(keyId: string, options?: { cause?: unknown }) {
    super(`key ${keyId} not found`, { ...options, code: 'ERR_KEY_NOT_FOUND' });
    this.name = 'KeyNotFoundError';
  }
}

/** The storage backend failed. */
export class StorageError extends StrongroomError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'ERR_STORAGE', message, options);
    this.name = 'StorageError';
  }
}

/** The table does not exist (or is not visible to these credentials in this Region). */
export class TableNotFoundError extends StorageError {
  constructor(table: string, options?: { cause?: unknown }) {
    super(
      `table ${table} not found (create it with strongroom table create, or check the Region)`,
      {
        ...options,
        code: 'ERR_TABLE_NOT_FOUND',
      },
    );
    this.name = 'TableNotFoundError';
  }
}
