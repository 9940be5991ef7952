import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The ciphertext blob of the test KMS: version (1) | key id (36, ASCII) | nonce (12) |
 * ciphertext | tag (16), sealed with AES-256-GCM under the key's own material. The AAD is the
 * version, the key id and the canonical encryption context, so any changed byte or context
 * fails to open. This module knows nothing of KMS errors: the emulator turns a failure into
 * InvalidCiphertextException.
 */

const BLOB_VERSION = 0x01;
const KEY_ID_BYTES = 36;
const HEADER_BYTES = 1 + KEY_ID_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** An encryption context, as the KMS API takes it: string keys to string values. */
export type EncryptionContext = Record<string, string>;

/** What sealing needs of a key: the id written into the blob and the AES-256 material. */
export interface BlobKey {
  readonly id: string;
  readonly material: Buffer;
}

// KMS compares contexts as sets of pairs, so the AAD sorts them: only the order may differ.
function canonicalContext(context: EncryptionContext): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/** Seals a plaintext under a key, bound to the encryption context. */
export function sealBlob(key: BlobKey, plaintext: Buffer, context: EncryptionContext): Buffer {
  const header = Buffer.concat([Buffer.of(BLOB_VERSION), Buffer.from(key.id, 'ascii')]);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, nonce);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));

  const ciphertext = cipher.update(plaintext);
  cipher.final();

  return Buffer.concat([header, nonce, ciphertext, cipher.getAuthTag()]);
}

/** The key id a blob names, or `undefined` where it is too short or of another version. */
export function blobKeyId(blob: Buffer): string | undefined {
  if (blob.length < HEADER_BYTES + NONCE_BYTES + 1 + TAG_BYTES || blob[0] !== BLOB_VERSION) {
    return undefined;
  }

  return blob.subarray(1, HEADER_BYTES).toString('latin1');
}

/**
 * Opens a blob that {@link blobKeyId} accepted, or gives `undefined` where the tag does not
 * verify under this key and context.
 */
export function openBlob(
  key: BlobKey,
  blob: Buffer,
  context: EncryptionContext,
): Buffer | undefined {
  const nonce = blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.material, nonce);
  decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_BYTES), canonicalContext(context)]));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));

  const plaintext = decipher.update(blob.subarray(HEADER_BYTES + NONCE_BYTES, -TAG_BYTES));
  try {
    decipher.final();
  } catch {
    return undefined;
  }

  return plaintext;
}
