import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { GCM_SLICE_BYTES } from '../../src/crypto/aes-gcm.js';
import { openEnvelope, sealEnvelope } from '../../src/crypto/seal.js';
import { type EncryptionContext, encodeContext, secretContext } from '../../src/format/context.js';
import { type KeyReference, parseEnvelope, SUITE_ENVELOPE } from '../../src/format/envelope.js';
import { Keyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';

/**
 * sealEnvelope and the local provider's wrap write their output in place, with one HKDF-Extract
 * for two outputs. These tests rebuild the same bytes from docs/FORMAT.md the slow, plain way
 * (two hkdfSync calls, concatenated parts) and require them to match.
 */

const u8 = (value: number) => Buffer.of(value);
const u16 = (value: number) => Buffer.of(value >> 8, value & 0xff);
const u32 = (value: number) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
};

function specHeader(keyRef: KeyReference): Buffer {
  const keyId = Buffer.from(keyRef.keyId, 'utf8');
  const layer = keyRef.layer === 'master' ? 0 : 1;
  const provider = Buffer.from(keyRef.provider, 'ascii');

  return Buffer.concat([
    Buffer.of(1, SUITE_ENVELOPE, layer, 0),
    u8(provider.length),
    provider,
    u8(keyId.length),
    keyId,
    u32(keyRef.keyVersion),
  ]);
}

interface SpecInput {
  plaintext: Uint8Array;
  context: EncryptionContext;
  dataKey: Uint8Array;
  wrappedKey: Uint8Array;
  keyRef: KeyReference;
  nonce: Uint8Array;
}

function specEnvelope(input: SpecInput): Buffer {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', input.dataKey, input.nonce, Buffer.from(info), 32));
  const encryptionKey = derive('strongroom v1 encryption key');
  const commitment = derive('strongroom v1 commitment');
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, input.nonce);
  cipher.setAAD(Buffer.concat([Buffer.of(1, SUITE_ENVELOPE), encodeContext(input.context)]));
  const ciphertext = Buffer.concat([cipher.update(input.plaintext), cipher.final()]);

  return Buffer.concat([
    specHeader(input.keyRef),
    u16(input.wrappedKey.length),
    input.wrappedKey,
    input.nonce,
    commitment,
    ciphertext,
    cipher.getAuthTag(),
  ]);
}

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const inputs = fc.record({
  plaintext: fc.uint8Array({ maxLength: 300 }),
  context: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })),
  dataKey: bytes(32),
  wrappedKey: fc.uint8Array({ minLength: 1, maxLength: 100 }),
  keyRef: fc.record({
    provider: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
    keyId: fc.string({ unit: 'binary', maxLength: 20 }),
    keyVersion: fc.nat({ max: 0xffffffff }),
    layer: fc.constantFrom('master' as const, 'tenant' as const),
  }),
  nonce: bytes(12),
});

describe('sealEnvelope', () => {
  test('gives the bytes of the specification for any input (property)', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        assert.deepEqual(sealEnvelope(input), specEnvelope(input));
      }),
      { numRuns: 500 },
    );
  });

  test('gives the bytes of the specification for values from 256 KiB - 1 to 1 MiB + 1', () => {
    const base = {
      context: secretContext('acme', 'db-password', 1),
      dataKey: randomBytes(32),
      wrappedKey: randomBytes(60),
      keyRef: { provider: 'local', keyId: 'kr-0123456789ab', keyVersion: 1, layer: 'master' },
      nonce: randomBytes(12),
    } as const;

    for (const size of [
      GCM_SLICE_BYTES - 1,
      GCM_SLICE_BYTES,
      GCM_SLICE_BYTES + 1,
      1024 * 1024 + 1,
    ]) {
      const input = { ...base, plaintext: randomBytes(size) };

      assert.deepEqual(sealEnvelope(input), specEnvelope(input));
    }
  });

  test('opens what it sealed under a nonce of its own drawing (property)', () => {
    fc.assert(
      fc.property(inputs, ({ nonce: _, ...input }) => {
        const envelope = parseEnvelope(sealEnvelope(input));
        assert.equal(envelope.suite, SUITE_ENVELOPE);

        const opened = openEnvelope(envelope, input.dataKey, input.context);

        assert.deepEqual(opened, Buffer.from(input.plaintext));
      }),
      { numRuns: 300 },
    );
  });
});

describe('local provider blob', () => {
  const material = randomBytes(32);
  const keyring = new Keyring('kr-00112233aabb', [
    { version: 1, createdAt: '2024-01-01T00:00:00.000Z', material },
  ]);
  const provider = new LocalKeyProvider(keyring);
  const context = secretContext('acme', 'db-password', 3);

  /** docs/FORMAT.md, "Local key provider": nonce | ciphertext | tag, AAD = kind | context. */
  function specUnwrap(blob: Uint8Array, kind: number): Buffer {
    const nonce = blob.subarray(0, 12);
    const decipher = createDecipheriv('aes-256-gcm', material, nonce);
    decipher.setAAD(Buffer.concat([Buffer.of(kind), encodeContext(context)]));
    decipher.setAuthTag(blob.subarray(blob.length - 16));

    return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
  }

  test('wraps a data key into the blob of the specification, kind 0x01', async () => {
    const { plaintext, wrapped } = await provider.generateDataKey(context);

    assert.equal(wrapped.length, 12 + 32 + 16);
    assert.deepEqual(specUnwrap(wrapped, 0x01), plaintext);
  });

  test('encrypts a direct value into the blob of the specification, kind 0x02', async () => {
    for (const size of [1, 100, provider.maxDirectBytes]) {
      const value = randomBytes(size);

      const { blob } = await provider.encrypt(value, context);

      assert.equal(blob.length, 12 + size + 16);
      assert.deepEqual(specUnwrap(blob, 0x02), value);
    }
  });

  test('draws a different nonce for every blob', async () => {
    const nonces = new Set<string>();

    for (let index = 0; index < 1000; index += 1) {
      const { wrapped } = await provider.generateDataKey(context);
      nonces.add(Buffer.from(wrapped.subarray(0, 12)).toString('hex'));
    }

    assert.equal(nonces.size, 1000);
  });

  test('unwraps a data key into memory of its own, outside Node’s Buffer pool', async () => {
    const { wrapped, keyRef } = await provider.generateDataKey(context);

    const dataKey = await provider.unwrapDataKey(wrapped, keyRef, context);

    assert.equal(dataKey.length, 32);
    assert.equal(dataKey.buffer.byteLength, 32);
  });
});
