import { IntegrityError } from '../errors.js';

/**
 * The binary envelope, format v1. docs/FORMAT.md is the specification; this module only lays
 * out and reads bytes. Sealing and opening live in crypto/.
 */

export const FORMAT_VERSION = 1;

/** AES-256-GCM under a key derived with HKDF-SHA-256 from a data key, with key commitment. */
export const SUITE_ENVELOPE = 0x01;

/** The key provider encrypted the whole value itself (KMS Encrypt, or the local master key). */
export const SUITE_DIRECT = 0x02;

export const NONCE_BYTES = 12;
export const COMMITMENT_BYTES = 32;
export const TAG_BYTES = 16;
export const MAX_WRAPPED_KEY_BYTES = 6144;

/** Which key wraps the data key: the master key itself, or a per-tenant key it wraps. */
export type KeyLayer = 'master' | 'tenant';

const LAYER_CODES: Record<KeyLayer, number> = { master: 0, tenant: 1 };

/** Names the key that unwraps an envelope. Not secret. */
export interface KeyReference {
  /** The key provider's id, for example `local` or `aws-kms`: ASCII `[a-z0-9-]`, 1 to 32. */
  readonly provider: string;
  /** The provider's key id (keyring id, KMS key ARN): UTF-8, at most 255 bytes. */
  readonly keyId: string;
  /** The master key version (local keyring), or 0 where the provider versions keys itself. */
  readonly keyVersion: number;
  readonly layer: KeyLayer;
}

/** An envelope of suite 0x01: a wrapped data key and a value sealed locally. */
export interface SealedEnvelope {
  readonly suite: typeof SUITE_ENVELOPE;
  readonly keyRef: KeyReference;
  readonly wrappedKey: Uint8Array;
  readonly nonce: Uint8Array;
  readonly commitment: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** An envelope of suite 0x02: the provider's own ciphertext of the whole value. */
export interface DirectEnvelope {
  readonly suite: typeof SUITE_DIRECT;
  readonly keyRef: KeyReference;
  readonly ciphertext: Uint8Array;
}

export type Envelope = SealedEnvelope | DirectEnvelope;

// ignoreBOM: a leading byte-order mark is kept as bytes, so no key id has two encodings.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const PROVIDER_PATTERN = /^[a-z0-9-]{1,32}$/;

/** The bytes of the common header: version, suite, layer and key reference. */
export function encodeHeader(suite: number, keyRef: KeyReference): Buffer {
  const keyIdBytes = checkKeyRef(keyRef);
  const out = Buffer.alloc(headerLength(keyRef, keyIdBytes));
  writeHeader(out, suite, keyRef, keyIdBytes);

  return out;
}

/** Checks a key reference against the header's limits; returns the UTF-8 length of its keyId. */
function checkKeyRef(keyRef: KeyReference): number {
  if (!PROVIDER_PATTERN.test(keyRef.provider)) {
    throw new RangeError('key reference provider must match [a-z0-9-]{1,32}');
  }
  const keyIdBytes = Buffer.byteLength(keyRef.keyId, 'utf8');
  if (keyIdBytes > 255) {
    throw new RangeError('key reference keyId must be at most 255 bytes');
  }
  if (!(keyRef.layer in LAYER_CODES)) {
    throw new RangeError('key reference layer must be master or tenant');
  }
  const version = keyRef.keyVersion;
  if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
    throw new RangeError('key reference keyVersion must be an unsigned 32-bit integer');
  }

  return keyIdBytes;
}

function headerLength(keyRef: KeyReference, keyIdBytes: number): number {
  return 4 + 1 + keyRef.provider.length + 1 + keyIdBytes + 4;
}

/**
 * Precondition: `keyRef` passed {@link checkKeyRef}, which gave `keyIdBytes`. Writes every byte
 * of the header from offset 0 and returns the offset after it.
 */
function writeHeader(out: Buffer, suite: number, keyRef: KeyReference, keyIdBytes: number) {
  let at = out.writeUInt8(FORMAT_VERSION, 0);
  at = out.writeUInt8(suite, at);
  at = out.writeUInt8(LAYER_CODES[keyRef.layer], at);
  at = out.writeUInt8(0, at);

  at = out.writeUInt8(keyRef.provider.length, at);
  at += out.write(keyRef.provider, at, 'ascii');

  // The same bytes as a TextEncoder, written in place; a lone surrogate becomes U+FFFD in both.
  at = out.writeUInt8(keyIdBytes, at);
  at += out.write(keyRef.keyId, at, 'utf8');

  return out.writeUInt32BE(keyRef.keyVersion, at);
}

/**
 * The part of a suite 0x01 envelope before the ciphertext. The key reference and wrapped key are
 * not in the AAD, so that a rewrap can replace them without touching the ciphertext; they are
 * authenticated by the key provider's own wrapping, bound to the same context.
 *
 * With `room`, the buffer is that many bytes longer and they are left for the caller to write
 * (the ciphertext and tag), unzeroed: the caller writes every one of them before the buffer
 * leaves it, which spares a large value a copy into a second buffer.
 */
export function encodeSealedPrefix(
  keyRef: KeyReference,
  wrappedKey: Uint8Array,
  nonce: Uint8Array,
  commitment: Uint8Array,
  room = 0,
): Buffer {
  if (wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED_KEY_BYTES) {
    throw new RangeError(`wrapped key must be 1 to ${MAX_WRAPPED_KEY_BYTES} bytes`);
  }
  if (nonce.length !== NONCE_BYTES || commitment.length !== COMMITMENT_BYTES) {
    throw new RangeError('nonce must be 12 bytes and commitment 32 bytes');
  }
  if (!Number.isInteger(room) || room < 0) {
    throw new RangeError('room must be a non-negative integer');
  }
  const keyIdBytes = checkKeyRef(keyRef);

  const prefixLength =
    headerLength(keyRef, keyIdBytes) + 2 + wrappedKey.length + NONCE_BYTES + COMMITMENT_BYTES;
  const out = room > 0 ? Buffer.allocUnsafe(prefixLength + room) : Buffer.alloc(prefixLength);
  let at = writeHeader(out, SUITE_ENVELOPE, keyRef, keyIdBytes);

  at = out.writeUInt16BE(wrappedKey.length, at);
  out.set(wrappedKey, at);
  at += wrappedKey.length;

  out.set(nonce, at);
  out.set(commitment, at + NONCE_BYTES);

  return out;
}

/** Lays out a suite 0x02 envelope. */
export function encodeDirect(keyRef: KeyReference, ciphertext: Uint8Array): Buffer {
  if (ciphertext.length < 1) {
    throw new RangeError('direct ciphertext must not be empty');
  }
  const header = encodeHeader(SUITE_DIRECT, keyRef);

  return Buffer.concat([header, ciphertext]);
}

/** A cursor over untrusted bytes: any overrun is an integrity failure, never a RangeError. */
class Reader {
  at = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** A view of the next `length` bytes, not a copy: a large ciphertext stays where it is. */
  take(length: number): Uint8Array {
    const start = this.#skip(length);
    return this.bytes.subarray(start, start + length);
  }

  u8(): number {
    return this.bytes[this.#skip(1)] as number;
  }

  u16(): number {
    const at = this.#skip(2);
    return ((this.bytes[at] as number) << 8) | (this.bytes[at + 1] as number);
  }

  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }

  /** Moves past `length` bytes and returns where they start. */
  #skip(length: number): number {
    if (length < 0 || this.at + length > this.bytes.length) {
      throw new IntegrityError();
    }
    const start = this.at;
    this.at += length;
    return start;
  }
}

/** One character per byte: the bytes are not copied into a Buffer first to be decoded. */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += String.fromCharCode(byte);
  }

  return text;
}

function parseKeyRef(reader: Reader, layerCode: number): KeyReference {
  const layer = layerCode === 0 ? 'master' : layerCode === 1 ? 'tenant' : undefined;
  if (layer === undefined) {
    throw new IntegrityError();
  }

  const provider = latin1(reader.take(reader.u8()));
  if (!PROVIDER_PATTERN.test(provider)) {
    throw new IntegrityError();
  }

  let keyId: string;
  try {
    keyId = decoder.decode(reader.take(reader.u8()));
  } catch {
    throw new IntegrityError();
  }

  return { provider, keyId, keyVersion: reader.u32(), layer };
}

/**
 * Reads an envelope. Stored bytes are untrusted: every malformation is an {@link IntegrityError}
 * with the one fixed message.
 */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  const reader = new Reader(bytes);

  if (reader.u8() !== FORMAT_VERSION) {
    throw new IntegrityError();
  }
  const suite = reader.u8();
  const layerCode = reader.u8();
  if (reader.u8() !== 0) {
    throw new IntegrityError();
  }

  const keyRef = parseKeyRef(reader, layerCode);

  if (suite === SUITE_DIRECT) {
    const ciphertext = reader.take(bytes.length - reader.at);
    if (ciphertext.length === 0) {
      throw new IntegrityError();
    }
    return { suite, keyRef, ciphertext };
  }
  if (suite !== SUITE_ENVELOPE) {
    throw new IntegrityError();
  }

  const wrappedLength = reader.u16();
  if (wrappedLength === 0 || wrappedLength > MAX_WRAPPED_KEY_BYTES) {
    throw new IntegrityError();
  }
  const wrappedKey = reader.take(wrappedLength);
  const nonce = reader.take(NONCE_BYTES);
  const commitment = reader.take(COMMITMENT_BYTES);

  const ciphertext = reader.take(bytes.length - reader.at - TAG_BYTES);
  const tag = reader.take(TAG_BYTES);

  return { suite, keyRef, wrappedKey, nonce, commitment, ciphertext, tag };
}

/**
 * The same sealed envelope with another wrapped data key and key reference (a rewrap): nonce,
 * commitment, ciphertext and tag are kept byte for byte.
 */
export function replaceWrappedKey(
  envelope: SealedEnvelope,
  wrappedKey: Uint8Array,
  keyRef: KeyReference,
): Buffer {
  const { nonce, commitment, ciphertext, tag } = envelope;
  const room = ciphertext.length + tag.length;
  const out = encodeSealedPrefix(keyRef, wrappedKey, nonce, commitment, room);

  out.set(ciphertext, out.length - room);
  out.set(tag, out.length - tag.length);

  return out;
}
