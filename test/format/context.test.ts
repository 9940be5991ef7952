import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type EncryptionContext,
  encodeContext,
  encodePrefixedContext,
  secretContext,
} from '../../src/format/context.js';

/**
 * docs/FORMAT.md, "Encryption context", written as plainly as it reads: every key and value
 * encoded to UTF-8 first, the pairs sorted by the key's bytes. The encoder under test takes a
 * faster way for ASCII keys; these tests hold it to these bytes.
 */
function specEncoding(context: EncryptionContext): Buffer {
  const encoder = new TextEncoder();
  const pairs = Object.entries(context).map(([key, value]) => [
    Buffer.from(encoder.encode(key)),
    Buffer.from(encoder.encode(value)),
  ]);
  pairs.sort(([a], [b]) => Buffer.compare(a as Buffer, b as Buffer));

  const parts = [u16(pairs.length)];
  for (const [key, value] of pairs as [Buffer, Buffer][]) {
    parts.push(u16(key.length), key, u16(value.length), value);
  }

  return Buffer.concat(parts);
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

// Any UTF-16 code unit, lone surrogates included: TextEncoder writes those as U+FFFD.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const text = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 33, maxLength: 300 }),
);
const contexts = fc.dictionary(text, text, { maxKeys: 8 });

describe('encodeContext', () => {
  test('gives the bytes of the specification for any keys and values (property)', () => {
    fc.assert(
      fc.property(contexts, (context) => {
        assert.deepEqual(Buffer.from(encodeContext(context)), specEncoding(context));
      }),
      { numRuns: 2000 },
    );
  });

  test('gives the example of the specification for acme / db-password / 1', () => {
    const expected =
      '0003' +
      '0006736563726574000b64622d70617373776f7264' +
      '000674656e616e74000461636d65' +
      '000776657273696f6e000131';

    const encoded = Buffer.from(encodeContext(secretContext('acme', 'db-password', 1)));

    assert.equal(encoded.toString('hex'), expected);
  });

  test('sorts by UTF-8 bytes, not UTF-16 units, when a key is not ASCII', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 (0xFF5E > 0xD83D) but before it in UTF-8.
    const context = { '\u{1f600}': 'a', '\uff5e': 'b', z: 'c' };

    const encoded = Buffer.from(encodeContext(context));

    assert.deepEqual(encoded, specEncoding(context));
    assert.ok(encoded.indexOf(Buffer.from('\uff5e')) < encoded.indexOf(Buffer.from('\u{1f600}')));
  });

  test('encodes the empty context as a zero pair count', () => {
    assert.equal(Buffer.from(encodeContext({})).toString('hex'), '0000');
  });

  test('rejects a key or value over 65535 bytes of UTF-8 with a RangeError', () => {
    const long = 'a'.repeat(0x10000);
    const longUtf8 = 'é'.repeat(0x8000);

    for (const context of [{ [long]: 'v' }, { k: long }, { k: longUtf8 }, { é: longUtf8 }]) {
      assert.throws(() => encodeContext(context), {
        name: 'RangeError',
        message: 'encryption context key or value is too long',
      });
    }
  });

  test('accepts a key and a value of exactly 65535 bytes', () => {
    const context = { ['k'.repeat(0xffff)]: 'v'.repeat(0xffff) };

    assert.deepEqual(Buffer.from(encodeContext(context)), specEncoding(context));
  });

  test('rejects a context of more than 65535 pairs with a RangeError', () => {
    const context = Object.fromEntries(
      Array.from({ length: 0x10000 }, (_, index) => [`k${index}`, '']),
    );

    assert.throws(() => encodeContext(context), {
      name: 'RangeError',
      message: 'encryption context has too many pairs',
    });
  });
});

describe('encodePrefixedContext', () => {
  test('is the prefix followed by encodeContext, for any prefix and context (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4 }), contexts, (prefix, context) => {
        const expected = Buffer.concat([prefix, specEncoding(context)]);

        assert.deepEqual(encodePrefixedContext(prefix, context), expected);
      }),
      { numRuns: 500 },
    );
  });
});
