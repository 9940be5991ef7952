import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  firstBlockInfo,
  HKDF_BLOCK_BYTES,
  hkdfExpandBlock,
  hkdfExtract,
} from '../../src/crypto/hkdf.js';
import { deriveKeys } from '../../src/crypto/seal.js';

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), HKDF_BLOCK_BYTES));

describe('hkdf', () => {
  test('one Extract and one Expand block give what hkdfSync gives (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (ikm, salt, info) => {
          const prk = hkdfExtract(salt, ikm);

          const block = hkdfExpandBlock(prk, firstBlockInfo(info));

          assert.deepEqual(block, hkdf(ikm, salt, info));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('gives the PRK and the first 32 bytes of OKM of RFC 5869 test case 1', () => {
    const ikm = Buffer.alloc(22, 0x0b);
    const salt = Buffer.from('000102030405060708090a0b0c', 'hex');
    const info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex');

    const prk = hkdfExtract(salt, ikm);
    const block = hkdfExpandBlock(prk, Buffer.concat([info, Buffer.of(0x01)]));

    assert.equal(
      prk.toString('hex'),
      '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    );
    assert.equal(
      block.toString('hex'),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf',
    );
  });

  test('firstBlockInfo is the UTF-8 info followed by the block counter 0x01', () => {
    assert.equal(firstBlockInfo('aé').toString('hex'), '61c3a901');
    assert.equal(firstBlockInfo('').toString('hex'), '01');
  });
});

describe('deriveKeys', () => {
  test('gives the two hkdfSync outputs of docs/FORMAT.md for any data key and nonce', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (dataKey, nonce) => {
          const { encryptionKey, commitment } = deriveKeys(dataKey, nonce);

          assert.deepEqual(encryptionKey, hkdf(dataKey, nonce, 'strongroom v1 encryption key'));
          assert.deepEqual(commitment, hkdf(dataKey, nonce, 'strongroom v1 commitment'));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('keeps each output in memory of its own, outside Node’s shared Buffer pool', () => {
    const { encryptionKey, commitment } = deriveKeys(Buffer.alloc(32, 1), Buffer.alloc(12, 2));

    assert.equal(encryptionKey.buffer.byteLength, 32);
    assert.equal(commitment.buffer.byteLength, 32);
  });

  test('rejects a data key that is not 32 bytes with a RangeError', () => {
    for (const length of [0, 16, 31, 33]) {
      assert.throws(() => deriveKeys(Buffer.alloc(length), Buffer.alloc(12)), {
        name: 'RangeError',
        message: 'data key must be 32 bytes',
      });
    }
  });
});
