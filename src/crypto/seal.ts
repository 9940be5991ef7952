import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { type EncryptionContext, encodeContext } from '../format/context.js';
import {
  COMMITMENT_BYTES,
  encodeSealedPrefix,
  FORMAT_VERSION,
  type KeyReference,
  NONCE_BYTES,
  type SealedEnvelope,
  SUITE_ENVELOPE,
  TAG_BYTES,
} from '../format/envelope.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';

/** A data key is 256 bits: AES-256. */
export const DATA_KEY_BYTES = 32;

// The info strings separate the two HKDF outputs, as the AWS Encryption SDK's committing suites
// separate DERIVEKEY from COMMITKEY: one data key yields an encryption key and a commitment
// that cannot be confused with each other.
const ENCRYPTION_INFO = Buffer.from('strongroom v1 encryption key');
const COMMITMENT_INFO = Buffer.from('strongroom v1 commitment');

interface DerivedKeys {
  encryptionKey: Buffer;
  commitment: Buffer;
}

/** HKDF-SHA-256 with the envelope's nonce as salt (docs/FORMAT.md, "Key derivation"). */
export function deriveKeys(dataKey: Uint8Array, nonce: Uint8Array): DerivedKeys {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new RangeError('data key must be 32 bytes');
  }

  return {
    encryptionKey: Buffer.from(hkdfSync('sha256', dataKey, nonce, ENCRYPTION_INFO, 32)),
    commitment: Buffer.from(hkdfSync('sha256', dataKey, nonce, COMMITMENT_INFO, COMMITMENT_BYTES)),
  };
}

/**
 * The AAD: format version and suite, then the canonical context. The context binds the value
 * to its tenant, name and version; the two leading bytes stop a downgrade to another suite.
 */
function additionalData(context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.of(FORMAT_VERSION, SUITE_ENVELOPE), encodeContext(context)]);
}

export interface SealInput {
  plaintext: Uint8Array;
  context: EncryptionContext;
  dataKey: Uint8Array;
  wrappedKey: Uint8Array;
  keyRef: KeyReference;
  /** Only test vectors pass a nonce; every real seal draws a fresh random one. */
  nonce?: Uint8Array;
}

/**
 * Seals a value into a suite 0x01 envelope. The caller wipes `dataKey` afterwards; the derived
 * encryption key is wiped here.
 */
export function sealEnvelope(input: SealInput): Buffer {
  const nonce = input.nonce ?? randomBytes(NONCE_BYTES);
  const { encryptionKey, commitment } = deriveKeys(input.dataKey, nonce);

  try {
    const prefix = encodeSealedPrefix(input.keyRef, input.wrappedKey, nonce, commitment);
    const { ciphertext, tag } = gcmSeal(
      encryptionKey,
      nonce,
      additionalData(input.context),
      input.plaintext,
    );

    // One copy into the output buffer; no intermediate concatenation.
    const out = Buffer.allocUnsafe(prefix.length + ciphertext.length + TAG_BYTES);
    prefix.copy(out, 0);
    ciphertext.copy(out, prefix.length);
    tag.copy(out, prefix.length + ciphertext.length);

    return out;
  } finally {
    encryptionKey.fill(0);
  }
}

/**
 * Opens a suite 0x01 envelope. The commitment is checked before decryption and the tag before
 * any plaintext is returned; every failure is the same {@link IntegrityError}.
 */
export function openEnvelope(
  envelope: SealedEnvelope,
  dataKey: Uint8Array,
  context: EncryptionContext,
): Buffer {
  const wellFormed =
    envelope.nonce.length === NONCE_BYTES &&
    envelope.tag.length === TAG_BYTES &&
    envelope.commitment.length === COMMITMENT_BYTES &&
    dataKey.length === DATA_KEY_BYTES;
  if (!wellFormed) {
    throw new IntegrityError();
  }
  const { encryptionKey, commitment } = deriveKeys(dataKey, envelope.nonce);

  try {
    if (!timingSafeEqual(commitment, envelope.commitment)) {
      throw new IntegrityError();
    }

    return gcmOpen(
      encryptionKey,
      envelope.nonce,
      additionalData(context),
      envelope.ciphertext,
      envelope.tag,
    );
  } finally {
    encryptionKey.fill(0);
  }
}
