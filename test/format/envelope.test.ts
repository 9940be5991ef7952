import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { deriveKeys, openEnvelope, sealEnvelope } from '../../src/crypto/seal.js';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../src/errors.js';
import { type EncryptionContext, encodeContext, secretContext } from '../../src/format/context.js';
import {
  COMMITMENT_BYTES,
  encodeDirect,
  encodeHeader,
  encodeSealedPrefix,
  type KeyReference,
  NONCE_BYTES,
  parseEnvelope,
  type SealedEnvelope,
  SUITE_DIRECT,
  SUITE_ENVELOPE,
  TAG_BYTES,
} from '../../src/format/envelope.js';
import { Keyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';

const keyring = new Keyring('kr-00112233aabb', [
  { version: 1, createdAt: '2024-01-01T00:00:00.000Z', material: randomBytes(32) },
]);
const provider = new LocalKeyProvider(keyring);
const context = secretContext('acme', 'db-password', 3);
const value = Buffer.from('correct horse battery staple');
const localRef: KeyReference = {
  provider: 'local',
  keyId: keyring.id,
  keyVersion: 1,
  layer: 'master',
};

/** Seals under a data key the test holds; the wrapped key is filler no provider opens. */
function sealRaw(dataKey: Uint8Array, keyRef: KeyReference = localRef): Buffer {
  return sealEnvelope({ plaintext: value, context, dataKey, wrappedKey: randomBytes(60), keyRef });
}

/** Seals like the store does in envelope mode: a fresh data key, wiped once sealed. */
async function sealLocal(plaintext: Uint8Array, ctx: EncryptionContext = context) {
  const dataKey = await provider.generateDataKey(ctx);
  try {
    return sealEnvelope({
      plaintext,
      context: ctx,
      dataKey: dataKey.plaintext,
      wrappedKey: dataKey.wrapped,
      keyRef: dataKey.keyRef,
    });
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/** Seals like the store does in direct mode: the provider encrypts the value itself. */
async function sealDirect(plaintext: Uint8Array, ctx: EncryptionContext = context) {
  const { blob, keyRef } = await provider.encrypt(plaintext, ctx);

  return encodeDirect(keyRef, blob);
}

/** The whole read path: parse, then the provider, then (suite 0x01) the local open. */
async function openStored(bytes: Uint8Array, ctx: EncryptionContext = context): Promise<Buffer> {
  const envelope = parseEnvelope(bytes);
  if (envelope.suite === SUITE_DIRECT) {
    return Buffer.from(await provider.decrypt(envelope.ciphertext, envelope.keyRef, ctx));
  }

  const dataKey = await provider.unwrapDataKey(envelope.wrappedKey, envelope.keyRef, ctx);
  try {
    return openEnvelope(envelope, dataKey, ctx);
  } finally {
    dataKey.fill(0);
  }
}

function parseSealed(bytes: Uint8Array): SealedEnvelope {
  const envelope = parseEnvelope(bytes);
  assert.equal(envelope.suite, SUITE_ENVELOPE);

  return envelope;
}

/** The one fixed integrity error, code and message. */
function isIntegrityError(error: unknown): boolean {
  assert.ok(error instanceof IntegrityError);
  assert.equal(error.code, 'ERR_INTEGRITY');
  assert.equal(error.message, INTEGRITY_MESSAGE);
  return true;
}

/**
 * An integrity failure of any kind: a changed key id or key version names a keyring the process
 * lacks, which is a WrongKeyringError, the IntegrityError subclass that says which to load.
 */
function isIntegrityFailure(error: unknown): boolean {
  assert.ok(error instanceof IntegrityError);
  assert.ok(error.code === 'ERR_INTEGRITY' || error.code === 'ERR_WRONG_KEYRING');
  return true;
}

describe('round trip', () => {
  test('opens a sealed envelope to the value it sealed, from empty to 64 KiB', async () => {
    for (const size of [0, 1, 15, 16, 17, 1000, 65536]) {
      const plaintext = randomBytes(size);

      const opened = await openStored(await sealLocal(plaintext));

      assert.deepEqual(opened, plaintext);
    }
  });

  test('opens a direct envelope to the value it sealed', async () => {
    for (const size of [0, 1, 1000, provider.maxDirectBytes]) {
      const plaintext = randomBytes(size);

      const opened = await openStored(await sealDirect(plaintext));

      assert.deepEqual(opened, plaintext);
    }
  });

  test('parses back every field it was sealed with', () => {
    const dataKey = randomBytes(32);
    const wrappedKey = randomBytes(60);
    const nonce = randomBytes(NONCE_BYTES);
    const keyRef: KeyReference = { ...localRef, keyId: 'kr-é', keyVersion: 0xffffffff };

    const envelope = parseSealed(
      sealEnvelope({ plaintext: value, context, dataKey, wrappedKey, keyRef, nonce }),
    );

    assert.deepEqual(envelope.keyRef, keyRef);
    assert.deepEqual(Buffer.from(envelope.wrappedKey), wrappedKey);
    assert.deepEqual(Buffer.from(envelope.nonce), nonce);
    assert.deepEqual(Buffer.from(envelope.commitment), deriveKeys(dataKey, nonce).commitment);
    assert.equal(envelope.ciphertext.length, value.length);
    assert.equal(envelope.tag.length, TAG_BYTES);
  });

  test('lays out the common header byte for byte as the specification does', () => {
    const keyRef: KeyReference = {
      provider: 'aws-kms',
      keyId: 'k1',
      keyVersion: 258,
      layer: 'tenant',
    };

    const header = encodeHeader(SUITE_DIRECT, keyRef);

    assert.equal(
      header.toString('hex'),
      '0102010007' + '6177732d6b6d73' + '02' + '6b31' + '00000102',
    );
  });

  test('seals the same value twice into two different envelopes', async () => {
    const first = parseSealed(await sealLocal(value));
    const second = parseSealed(await sealLocal(value));

    assert.notDeepEqual(first.wrappedKey, second.wrappedKey);
    assert.notDeepEqual(first.nonce, second.nonce);
    assert.notDeepEqual(first.ciphertext, second.ciphertext);
  });
});

describe('parse', () => {
  test('rejects every truncation of a sealed envelope of an empty value', async () => {
    const bytes = await sealLocal(Buffer.alloc(0));

    for (let length = 0; length < bytes.length; length += 1) {
      assert.throws(() => parseEnvelope(bytes.subarray(0, length)), isIntegrityError);
    }
  });

  test('rejects every truncation of a direct envelope up to the end of its header', async () => {
    const bytes = await sealDirect(value);
    const headerLength = encodeHeader(SUITE_DIRECT, localRef).length;

    for (let length = 0; length <= headerLength; length += 1) {
      assert.throws(() => parseEnvelope(bytes.subarray(0, length)), isIntegrityError);
    }
  });

  test('rejects every truncation of an envelope of either suite when opened', async () => {
    for (const bytes of [await sealLocal(value), await sealDirect(value)]) {
      for (let length = 0; length < bytes.length; length += 1) {
        await assert.rejects(openStored(bytes.subarray(0, length)), isIntegrityError);
      }
    }
  });

  test('rejects an unknown version, suite or layer, or a non-zero reserved byte', async () => {
    const bytes = await sealLocal(value);
    const changes: [number, number][] = [
      [0, 0],
      [0, 2],
      [1, 0],
      [1, 3],
      [2, 2],
      [2, 0xff],
      [3, 1],
    ];

    for (const [offset, byte] of changes) {
      const changed = Buffer.from(bytes);
      changed[offset] = byte;

      assert.throws(() => parseEnvelope(changed), isIntegrityError);
    }
  });

  test('rejects a wrapped key length of 0 or over 6144 bytes', async () => {
    const bytes = await sealLocal(value);
    const at = encodeHeader(SUITE_ENVELOPE, localRef).length;

    for (const length of [0, 6145, 0xffff]) {
      const changed = Buffer.from(bytes);
      changed.writeUInt16BE(length, at);

      assert.throws(() => parseEnvelope(changed), isIntegrityError);
    }
  });

  test('rejects a provider id outside [a-z0-9-] and a key id that is not UTF-8', async () => {
    const bytes = await sealDirect(value);
    const keyIdAt = 4 + 1 + 'local'.length + 1;

    const upper = Buffer.from(bytes);
    upper[5] = 'L'.charCodeAt(0);
    const notUtf8 = Buffer.from(bytes);
    notUtf8[keyIdAt] = 0xff;
    const noProvider = Buffer.concat([bytes.subarray(0, 4), Buffer.of(0), bytes.subarray(10)]);

    for (const changed of [upper, notUtf8, noProvider]) {
      assert.throws(() => parseEnvelope(changed), isIntegrityError);
    }
  });

  test('keeps a byte-order mark in a key id, so an envelope has no second encoding', async () => {
    const bytes = await sealDirect(value);
    const keyIdAt = 4 + 1 + 'local'.length + 1;
    const keyIdLength = bytes[keyIdAt - 1] as number;
    const withBom = Buffer.concat([
      bytes.subarray(0, keyIdAt - 1),
      Buffer.of(keyIdLength + 3, 0xef, 0xbb, 0xbf),
      bytes.subarray(keyIdAt),
    ]);

    assert.equal(parseEnvelope(withBom).keyRef.keyId, `\ufeff${keyring.id}`);
    await assert.rejects(openStored(withBom), isIntegrityFailure);
  });
});

describe('tampering', () => {
  for (const suite of ['sealed', 'direct'] as const) {
    const sealOne = () => (suite === 'sealed' ? sealLocal(value) : sealDirect(value));

    test(`rejects every single-bit flip of a ${suite} envelope at every position`, async () => {
      const bytes = await sealOne();
      const changed = Buffer.from(bytes);

      for (let at = 0; at < bytes.length; at += 1) {
        for (let bit = 0; bit < 8; bit += 1) {
          changed[at] = (bytes[at] as number) ^ (1 << bit);
          await assert.rejects(openStored(changed), isIntegrityFailure);
        }
        changed[at] = bytes[at] as number;
      }
    });

    test(`rejects any other value at any position of a ${suite} envelope (property)`, async () => {
      const bytes = await sealOne();
      const at = fc.nat({ max: bytes.length - 1 });
      const delta = fc.integer({ min: 1, max: 255 });

      await fc.assert(
        fc.asyncProperty(at, delta, async (position, step) => {
          const changed = Buffer.from(bytes);
          changed[position] = ((bytes[position] as number) + step) & 0xff;

          await assert.rejects(openStored(changed), isIntegrityFailure);
        }),
        { numRuns: 3000 },
      );
    });
  }

  test('rejects a single-byte change of any envelope sealed for any row (property)', async () => {
    const row = fc.record({
      plaintext: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      tenant: fc.string({ minLength: 1, maxLength: 12 }),
      name: fc.string({ minLength: 1, maxLength: 12 }),
      version: fc.integer({ min: 1, max: 1_000_000 }),
      direct: fc.boolean(),
    });
    const change = fc.tuple(
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.integer({ min: 1, max: 255 }),
    );

    await fc.assert(
      fc.asyncProperty(row, change, async (input, [where, delta]) => {
        const ctx = secretContext(input.tenant, input.name, input.version);
        const seal = input.direct ? sealDirect : sealLocal;
        const bytes = Buffer.from(await seal(input.plaintext, ctx));
        const at = Math.floor(where * bytes.length);

        bytes[at] = ((bytes[at] as number) + delta) & 0xff;

        await assert.rejects(openStored(bytes, ctx), isIntegrityFailure);
      }),
      { numRuns: 500 },
    );
  });

  const moves: [string, EncryptionContext][] = [
    ['another tenant', secretContext('acme2', 'db-password', 3)],
    ['another secret name', secretContext('acme', 'db-password-old', 3)],
    ['another version', secretContext('acme', 'db-password', 4)],
  ];
  for (const [where, moved] of moves) {
    test(`rejects an envelope moved to ${where}`, async () => {
      await assert.rejects(openStored(await sealLocal(value), moved), isIntegrityError);
      await assert.rejects(openStored(await sealDirect(value), moved), isIntegrityError);
    });

    test(`rejects an envelope moved to ${where} even with the right data key`, () => {
      const dataKey = randomBytes(32);
      const sealed = sealRaw(dataKey);

      assert.throws(() => openEnvelope(parseSealed(sealed), dataKey, moved), isIntegrityError);
    });
  }

  test('rejects a wrapped data key presented as a direct value of the same row', async () => {
    const sealed = parseSealed(await sealLocal(value));

    const forged = encodeDirect(sealed.keyRef, sealed.wrappedKey);

    await assert.rejects(openStored(forged), isIntegrityError);
  });

  test('rejects key layer 1 (per-tenant keys), which v1 readers do not support', async () => {
    const { blob } = await provider.encrypt(value, context);

    const forged = encodeDirect({ ...localRef, layer: 'tenant' }, blob);

    await assert.rejects(openStored(forged), isIntegrityError);
  });
});

describe('commitment', () => {
  test('rejects a valid envelope whose commitment was replaced', async () => {
    const bytes = await sealLocal(value);
    const envelope = parseSealed(bytes);

    const forged = Buffer.from(bytes);
    forged.set(
      randomBytes(COMMITMENT_BYTES),
      bytes.length - value.length - TAG_BYTES - COMMITMENT_BYTES,
    );

    assert.notDeepEqual(parseSealed(forged).commitment, envelope.commitment);
    await assert.rejects(openStored(forged), isIntegrityError);
  });

  test('rejects a replaced commitment before decrypting, though the tag is valid', () => {
    const dataKey = randomBytes(32);
    const sealed = sealRaw(dataKey);
    const envelope = parseSealed(sealed);
    let ciphertextRead = false;

    // The commitment is outside the AAD, so AES-GCM alone accepts the forged envelope.
    const { encryptionKey } = deriveKeys(dataKey, envelope.nonce);
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, envelope.nonce);
    decipher.setAAD(Buffer.concat([Buffer.of(1, SUITE_ENVELOPE), encodeContext(context)]));
    decipher.setAuthTag(envelope.tag);
    assert.deepEqual(
      Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]),
      value,
    );
    const forged: SealedEnvelope = {
      ...envelope,
      commitment: randomBytes(COMMITMENT_BYTES),
      get ciphertext() {
        ciphertextRead = true;
        return envelope.ciphertext;
      },
    };

    assert.throws(() => openEnvelope(forged, dataKey, context), isIntegrityError);
    assert.equal(ciphertextRead, false);
  });

  test('rejects a data key other than the one the envelope was sealed with', () => {
    const dataKey = randomBytes(32);
    const sealed = sealRaw(dataKey);

    assert.throws(
      () => openEnvelope(parseSealed(sealed), randomBytes(32), context),
      isIntegrityError,
    );
  });

  test('rejects a valid wrapped key of another data key put in place of the original', async () => {
    const sealed = parseSealed(await sealLocal(value));
    const other = await provider.generateDataKey(context);
    other.plaintext.fill(0);
    const prefix = encodeSealedPrefix(other.keyRef, other.wrapped, sealed.nonce, sealed.commitment);

    const forged = Buffer.concat([prefix, sealed.ciphertext, sealed.tag]);

    await assert.rejects(openStored(forged), isIntegrityError);
  });
});

describe('encoder', () => {
  const seal = (keyRef: KeyReference) => sealRaw(randomBytes(32), keyRef);

  test('rejects a key id over 255 bytes of UTF-8 with a RangeError', () => {
    const tooLong = ['a'.repeat(256), 'é'.repeat(128)];

    const error = { name: 'RangeError', message: /keyId must be at most 255 bytes/ };

    for (const keyId of tooLong) {
      assert.throws(() => encodeHeader(SUITE_DIRECT, { ...localRef, keyId }), error);
      assert.throws(() => encodeDirect({ ...localRef, keyId }, randomBytes(28)), error);
      assert.throws(() => seal({ ...localRef, keyId }), error);
    }
    assert.equal(
      encodeHeader(SUITE_DIRECT, { ...localRef, keyId: `${'é'.repeat(127)}a` }).length,
      270,
    );
  });

  test('rejects a provider id outside [a-z0-9-]{1,32} with a RangeError', () => {
    const bad = ['', 'Local', 'aws_kms', 'lo cal', 'lōcal', 'a'.repeat(33)];

    const error = { name: 'RangeError', message: /provider must match/ };

    for (const id of bad) {
      assert.throws(() => encodeHeader(SUITE_DIRECT, { ...localRef, provider: id }), error);
      assert.throws(() => seal({ ...localRef, provider: id }), error);
    }
    assert.ok(encodeHeader(SUITE_DIRECT, { ...localRef, provider: 'a'.repeat(32) }));
  });

  test('rejects a key version that is not an unsigned 32-bit integer with a RangeError', () => {
    for (const keyVersion of [-1, 1.5, Number.NaN, 2 ** 32]) {
      assert.throws(() => encodeHeader(SUITE_DIRECT, { ...localRef, keyVersion }), RangeError);
    }
  });

  test('rejects an empty or oversized wrapped key, a bad nonce and an empty direct value', () => {
    const nonce = randomBytes(NONCE_BYTES);
    const commitment = randomBytes(COMMITMENT_BYTES);

    assert.throws(
      () => encodeSealedPrefix(localRef, Buffer.alloc(0), nonce, commitment),
      RangeError,
    );
    assert.throws(
      () => encodeSealedPrefix(localRef, Buffer.alloc(6145), nonce, commitment),
      RangeError,
    );
    assert.throws(
      () => encodeSealedPrefix(localRef, randomBytes(60), randomBytes(16), commitment),
      RangeError,
    );
    assert.throws(() => encodeDirect(localRef, Buffer.alloc(0)), RangeError);
  });

  test('leaves room after the sealed prefix for the caller, the prefix unchanged', () => {
    const wrappedKey = randomBytes(60);
    const nonce = randomBytes(NONCE_BYTES);
    const commitment = randomBytes(COMMITMENT_BYTES);
    const keyRef = { ...localRef, keyId: 'kr-é\ud800', keyVersion: 0x80000000 };
    const prefix = encodeSealedPrefix(keyRef, wrappedKey, nonce, commitment);

    const roomy = encodeSealedPrefix(keyRef, wrappedKey, nonce, commitment, 1000);

    assert.equal(roomy.length, prefix.length + 1000);
    assert.deepEqual(roomy.subarray(0, prefix.length), prefix);
    const header = encodeHeader(SUITE_ENVELOPE, keyRef);
    assert.deepEqual(prefix.subarray(0, header.length), header);
  });

  test('rejects a negative or fractional room with a RangeError', () => {
    const nonce = randomBytes(NONCE_BYTES);
    const commitment = randomBytes(COMMITMENT_BYTES);

    for (const room of [-1, 1.5, Number.NaN]) {
      assert.throws(() => encodeSealedPrefix(localRef, randomBytes(60), nonce, commitment, room), {
        name: 'RangeError',
        message: 'room must be a non-negative integer',
      });
    }
  });

  test('a local envelope adds exactly 152 bytes to a value, a direct one 58', async () => {
    for (const size of [0, 1, 1000]) {
      const plaintext = randomBytes(size);

      assert.equal((await sealLocal(plaintext)).length - size, 152);
      assert.equal((await sealDirect(plaintext)).length - size, 58);
    }
  });
});
