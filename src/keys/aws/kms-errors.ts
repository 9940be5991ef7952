import {
  IntegrityError,
  KeyAccessDeniedError,
  KeyNotFoundError,
  KeyProviderError,
  KeyUnavailableError,
} from '../../errors.js';

// When KMS refuses to open stored bytes because of the key or the ciphertext they name, the answer
// is about those bytes, not about the caller: the one integrity error, which says nothing more.
const STORED_DATA_FAULTS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'NotFoundException',
  'InvalidKeyUsageException',
]);

/** Whether a KMS call opens stored data (its key came from storage) or uses the configured key. */
export type CallKind = 'opens-stored' | 'configured';

/**
 * Maps an SDK error to strongroom's. The AWS error goes into `cause`, never into the message,
 * except for integrity failures, which carry no cause: the fixed message is all they say.
 *
 * Where a call opens stored data, an unknown key, a key of the wrong usage, a key other than the
 * ciphertext's, or a bad ciphertext is the integrity error: the bytes named it. Denied access, a
 * disabled key or one pending deletion stay typed errors even there, since they are about the
 * caller's rights or the key's state and the user must act; their message names a trusted key.
 */
export function kmsError(error: unknown, action: string, keyLabel: string, kind: CallKind): Error {
  const name = error instanceof Error ? error.name : undefined;
  const options = { cause: error };
  if (kind === 'opens-stored' && name !== undefined && STORED_DATA_FAULTS.has(name)) {
    return new IntegrityError();
  }

  switch (name) {
    case 'InvalidCiphertextException':
    case 'IncorrectKeyException':
      return new IntegrityError();
    case 'AccessDeniedException':
      return new KeyAccessDeniedError(keyLabel, action, options);
    case 'DisabledException':
      return new KeyUnavailableError(keyLabel, 'it is disabled', options);
    case 'KMSInvalidStateException':
      return new KeyUnavailableError(
        keyLabel,
        `it is pending deletion or in another state that does not allow ${action}`,
        options,
      );
    case 'KeyUnavailableException':
      return new KeyUnavailableError(keyLabel, 'its key material is unavailable now', options);
    case 'NotFoundException':
      return new KeyNotFoundError(keyLabel, options);
    case 'InvalidKeyUsageException':
      return new KeyProviderError(`key ${keyLabel} is not a symmetric encryption key`, options);
    case 'ThrottlingException':
      return new KeyProviderError(
        `AWS KMS throttled ${action} for key ${keyLabel} beyond the client's retries`,
        options,
      );
    default:
      return new KeyProviderError(`AWS KMS ${action} failed for key ${keyLabel}`, options);
  }
}
