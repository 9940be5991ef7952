import { createCipheriv, createDecipheriv } from 'node:crypto';
import { IntegrityError } from '../errors.js';

/** AES-256-GCM output: the ciphertext (as long as the plaintext) and the 16-byte tag. */
export interface GcmSealed {
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** Encrypts under a 32-byte key with a 12-byte nonce; `aad` is authenticated, not encrypted. */
export function gcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
) {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);

  // update()'s output is used as it is: for GCM, final() returns nothing, and concatenating the
  // two would copy a large value once more than the encryption needs.
  const ciphertext = cipher.update(plaintext);
  cipher.final();

  return { ciphertext, tag: cipher.getAuthTag() } satisfies GcmSealed;
}

/**
 * Decrypts and verifies. No plaintext leaves before the tag is verified; on failure what was
 * decrypted is wiped and the one fixed {@link IntegrityError} is thrown, with no cause, since
 * which check failed is exactly what the fixed message keeps to itself.
 */
export function gcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);

  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new IntegrityError();
  }

  return plaintext;
}
