import { createCipheriv, createDecipheriv } from 'node:crypto';
import { IntegrityError } from '../errors.js';

/** AES-256-GCM output: the ciphertext (as long as the plaintext) and the 16-byte tag. */
export interface GcmSealed {
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** The length of an AES-GCM authentication tag. */
export const GCM_TAG_BYTES = 16;

/**
 * How much {@link gcmSealInto} encrypts per update(). node:crypto cannot encrypt into a caller's
 * buffer, so each update() output is copied into `out` once. Slices keep that output, and the
 * copy node:crypto makes of it itself, small and in cache: one update() over a whole large value
 * would allocate two more buffers as large as the value. Smaller slices cost more in calls (a
 * few microseconds each) than they save.
 */
export const GCM_SLICE_BYTES = 256 * 1024;

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
 * {@link gcmSeal} into a buffer the caller laid out: the ciphertext at `offset`, then the tag.
 * `out` must have room for `plaintext.length + 16` bytes from `offset`; every one is written.
 */
export function gcmSealInto(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  out: Uint8Array,
  offset: number,
): void {
  if (offset < 0 || offset + plaintext.length + GCM_TAG_BYTES > out.length) {
    throw new RangeError('output has no room for the ciphertext and tag');
  }
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);

  let at = offset;
  for (let start = 0; start < plaintext.length; start += GCM_SLICE_BYTES) {
    const slice = cipher.update(plaintext.subarray(start, start + GCM_SLICE_BYTES));
    out.set(slice, at);
    at += slice.length;
  }
  cipher.final();

  // GCM is a stream mode: update() gives back as many bytes as it takes. Were that ever not so,
  // bytes of `out` would be left unwritten, so this stops rather than return them.
  if (at !== offset + plaintext.length) {
    throw new Error('AES-GCM returned fewer bytes than it was given');
  }

  out.set(cipher.getAuthTag(), at);
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
