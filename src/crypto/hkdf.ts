import { createHmac } from 'node:crypto';

/**
 * HKDF-SHA-256 (RFC 5869) for outputs of one hash block, as the envelope's key derivation needs:
 * one Extract, then one Expand block per output. It gives the bytes `hkdfSync('sha256', ...)`
 * gives for a length of 32, with three HMACs for two outputs where two `hkdfSync` calls would
 * extract twice. It is also faster per output: `hkdfSync` builds a KeyObject and a job for every
 * call, and costs about as much as four HMACs of this size.
 */

/** The length of a SHA-256 output, and so of one Expand block. */
export const HKDF_BLOCK_BYTES = 32;

/** The input of the first Expand block for `info`: `info || 0x01` (RFC 5869, section 2.3). */
export function firstBlockInfo(info: string): Buffer {
  return Buffer.concat([Buffer.from(info, 'utf8'), Buffer.of(0x01)]);
}

/**
 * HKDF-Extract: `PRK = HMAC-SHA-256(salt, ikm)` (RFC 5869, section 2.2). The PRK is as secret as
 * the input key; the caller wipes it once the outputs are expanded.
 */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/**
 * The first HKDF-Expand block, `T(1) = HMAC-SHA-256(PRK, info || 0x01)`: the whole output when
 * at most {@link HKDF_BLOCK_BYTES} are asked for. `blockInfo` comes from {@link firstBlockInfo}.
 */
export function hkdfExpandBlock(prk: Uint8Array, blockInfo: Uint8Array): Buffer {
  return createHmac('sha256', prk).update(blockInfo).digest();
}
