import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  GCM_SLICE_BYTES,
  GCM_TAG_BYTES,
  gcmOpen,
  gcmSeal,
  gcmSealInto,
} from '../../src/crypto/aes-gcm.js';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../src/errors.js';

const key = randomBytes(32);
const nonce = randomBytes(12);
const aad = Buffer.from('aad');

/** Seals into a buffer first filled with `fill`, `offset` bytes in, and one byte to spare. */
function sealInto(plaintext: Uint8Array, offset: number, fill: number): Buffer {
  const out = Buffer.alloc(offset + plaintext.length + GCM_TAG_BYTES + 1, fill);
  gcmSealInto(key, nonce, aad, plaintext, out, offset);

  return out;
}

describe('gcmSealInto', () => {
  test('writes what gcmSeal gives, ciphertext then tag, across the slice size', () => {
    const slice = GCM_SLICE_BYTES;

    for (const size of [0, 1, 16, slice - 1, slice, slice + 1, 3 * slice + 5]) {
      const plaintext = randomBytes(size);
      const { ciphertext, tag } = gcmSeal(key, nonce, aad, plaintext);

      const out = sealInto(plaintext, 7, 0xaa);

      assert.deepEqual(out.subarray(7, 7 + size), ciphertext);
      assert.deepEqual(out.subarray(7 + size, 7 + size + GCM_TAG_BYTES), tag);
    }
  });

  test('writes every byte of its span and none outside it (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), (plaintext, offset) => {
        const end = offset + plaintext.length + GCM_TAG_BYTES;

        const a = sealInto(plaintext, offset, 0x00);
        const b = sealInto(plaintext, offset, 0xff);

        assert.deepEqual(a.subarray(offset, end), b.subarray(offset, end));
        assert.ok(a.subarray(0, offset).every((byte) => byte === 0x00));
        assert.equal(a[end], 0x00);
        assert.equal(b[end], 0xff);
      }),
    );
  });

  test('opens with gcmOpen to the plaintext it sealed', () => {
    const plaintext = randomBytes(100_000);
    const out = sealInto(plaintext, 3, 0);
    const ciphertext = out.subarray(3, 3 + plaintext.length);
    const tag = out.subarray(3 + plaintext.length, 3 + plaintext.length + GCM_TAG_BYTES);

    assert.deepEqual(gcmOpen(key, nonce, aad, ciphertext, tag), plaintext);
  });

  test('rejects an output without room for the ciphertext and tag with a RangeError', () => {
    const plaintext = randomBytes(10);

    for (const [length, offset] of [
      [10 + GCM_TAG_BYTES - 1, 0],
      [10 + GCM_TAG_BYTES, 1],
      [100, -1],
    ] as const) {
      assert.throws(() => gcmSealInto(key, nonce, aad, plaintext, Buffer.alloc(length), offset), {
        name: 'RangeError',
        message: 'output has no room for the ciphertext and tag',
      });
    }
  });
});

describe('gcmOpen', () => {
  test('fails with the one integrity error on a changed tag, ciphertext or AAD', () => {
    const { ciphertext, tag } = gcmSeal(key, nonce, aad, Buffer.from('value'));
    const flipped = (bytes: Buffer) => Buffer.from(bytes.map((byte, i) => (i ? byte : byte ^ 1)));
    const isIntegrityError = (error: unknown) =>
      error instanceof IntegrityError && error.message === INTEGRITY_MESSAGE;

    assert.throws(() => gcmOpen(key, nonce, aad, ciphertext, flipped(tag)), isIntegrityError);
    assert.throws(() => gcmOpen(key, nonce, aad, flipped(ciphertext), tag), isIntegrityError);
    assert.throws(() => gcmOpen(key, nonce, flipped(aad), ciphertext, tag), isIntegrityError);
  });

  test('returns the plaintext in memory of its own, outside Node’s shared Buffer pool', () => {
    const dataKey = randomBytes(32);
    const { ciphertext, tag } = gcmSeal(key, nonce, aad, dataKey);

    const opened = gcmOpen(key, nonce, aad, ciphertext, tag);

    assert.deepEqual(opened, dataKey);
    assert.equal(opened.buffer.byteLength, 32);
  });
});
