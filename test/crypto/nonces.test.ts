import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { drawNonce, GCM_NONCE_BYTES, writeNonce } from '../../src/crypto/nonces.js';

describe('nonces', () => {
  test('writes 12 bytes at the offset and leaves the rest of the buffer alone', () => {
    const out = Buffer.alloc(30, 0xee);

    writeNonce(out, 9);

    assert.ok(out.subarray(0, 9).every((byte) => byte === 0xee));
    assert.ok(out.subarray(9 + GCM_NONCE_BYTES).every((byte) => byte === 0xee));
  });

  test('never hands out the same nonce twice, across several refills of the pool', () => {
    const seen = new Set<string>();

    for (let index = 0; index < 5000; index += 1) {
      seen.add(drawNonce().toString('hex'));
    }

    assert.equal(seen.size, 5000);
  });

  test('draws nonces whose bytes look uniform: every byte value appears', () => {
    const bytes = Buffer.concat(Array.from({ length: 2000 }, () => drawNonce()));
    const values = new Set(bytes);

    assert.equal(values.size, 256);
  });

  test('rejects an output without room for a nonce with a RangeError', () => {
    for (const [length, offset] of [
      [11, 0],
      [12, 1],
      [20, -1],
    ] as const) {
      assert.throws(() => writeNonce(Buffer.alloc(length), offset), {
        name: 'RangeError',
        message: 'output has no room for the nonce',
      });
    }
  });
});
