import { timingSafeEqual } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { type EncryptionContext, encodePrefixedContext } from '../format/context.js';
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
import { gcmOpen, gcmSealInto } from './aes-gcm.js';
import { firstBlockInfo, hkdfExpandBlock, hkdfExtract } from './hkdf.js';
import { drawNonce } from './nonces.js';

/** A data key is 256 bits: AES-256. */
export const DATA_KEY_BYTES = 32;

// The info strings separate the two HKDF outputs, as the AWS Encryption SDK's committing suites
// separate DERIVEKEY from COMMITKEY: one data key yields an encryption key and a commitment
// that cannot be confused with each other. Each output is 32 bytes, one Expand block.
const ENCRYPTION_INFO = firstBlockInfo('strongroom v1 encryption key');
const COMMITMENT_INFO = firstBlockInfo('strongroom v1 commitment');

interface DerivedKeys {
  encryptionKey: Buffer;
  commitment: Buffer;
}

/**
 * HKDF-SHA-256 with the envelope's nonce as salt (docs/FORMAT.md, "Key derivation"): one
 * Extract, shared by the two outputs, then one Expand block for each. The caller wipes the
 * encryption key; the pseudorandom key between the two steps is wiped here.
 */
export function deriveKeys(dataKey: Uint8Array, nonce: Uint8Array): DerivedKeys {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new RangeError('data key must be 32 bytes');
  }

  const prk = hkdfExtract(nonce, dataKey);
  try {
    return {
      encryptionKey: hkdfExpandBlock(prk, ENCRYPTION_INFO),
      commitment: hkdfExpandBlock(prk, COMMITMENT_INFO),
    };
  } finally {
    prk.fill(0);
  }
}

const AAD_PREFIX = Buffer.of(FORMAT_VERSION, SUITE_ENVELOPE);

/**
 * The AAD: format version and suite, then the canonical context. The context binds the value
 * to its tenant, name and version; the two leading bytes stop a downgrade to another suite.
 */
function additionalData(context: EncryptionContext): Buffer {
  return encodePrefixedContext(AAD_PREFIX, context);
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
  const nonce = input.nonce ?? drawNonce();
  const { encryptionKey, commitment } = deriveKeys(input.dataKey, nonce);

  try {
    // The ciphertext and tag are written straight into the envelope, after its prefix.
    const room = input.plaintext.length + TAG_BYTES;
    const out = encodeSealedPrefix(input.keyRef, input.wrappedKey, nonce, commitment, room);
    const aad = additionalData(input.context);
    gcmSealInto(encryptionKey, nonce, aad, input.plaintext, out, out.length - room);

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
