import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildVectors } from '../../scripts/make-vectors.js';
import { deriveKeys, openEnvelope, sealEnvelope } from '../../src/crypto/seal.js';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../src/errors.js';
import { type EncryptionContext, encodeContext } from '../../src/format/context.js';
import {
  encodeDirect,
  encodeHeader,
  FORMAT_VERSION,
  type KeyReference,
  parseEnvelope,
  replaceWrappedKey,
  SUITE_DIRECT,
  SUITE_ENVELOPE,
} from '../../src/format/envelope.js';
import { Keyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';

/**
 * docs/vectors/v1.json against src/. The vectors come from scripts/make-vectors.ts, which follows
 * docs/FORMAT.md without importing src/, so a match here means the two implementations agree.
 */

interface PositiveVector {
  name: string;
  suite: number;
  keyRef: { provider: string; keyId: string; keyVersion: number; layer: number };
  context: Record<string, string>;
  contextHex: string;
  plaintextHex: string;
  wrapNonceHex: string;
  wrapAadHex: string;
  headerHex: string;
  envelopeHex: string;
  // Suite 0x01 only.
  dataKeyHex?: string;
  wrappedKeyHex?: string;
  nonceHex?: string;
  encryptionKeyHex?: string;
  commitmentHex?: string;
  aadHex?: string;
  ciphertextHex?: string;
  tagHex?: string;
  // Suite 0x02 only.
  providerCiphertextHex?: string;
}

interface NegativeVector {
  name: string;
  description: string;
  context: Record<string, string>;
  envelopeHex: string;
}

interface Vectors {
  keyring: { id: string; keys: { version: number; materialHex: string; check: string }[] };
  positive: PositiveVector[];
  negative: NegativeVector[];
}

const text = readFileSync(new URL('../../docs/vectors/v1.json', import.meta.url), 'utf8');
const vectors = JSON.parse(text) as Vectors;

const hex = (value: string | undefined): Buffer => {
  assert.ok(value !== undefined, 'the vector lacks a field its suite needs');
  return Buffer.from(value, 'hex');
};

function byName<T extends { name: string }>(list: T[], name: string): T {
  const found = list.find((vector) => vector.name === name);
  assert.ok(found !== undefined, `no vector named ${name}`);

  return found;
}

const keyring = new Keyring(
  vectors.keyring.id,
  vectors.keyring.keys.map((key) => ({
    version: key.version,
    createdAt: '2024-01-01T00:00:00.000Z',
    material: hex(key.materialHex),
  })),
);
const provider = new LocalKeyProvider(keyring);
const ACME = byName(vectors.positive, 'sealed-ascii').context;

function keyRefOf(vector: PositiveVector): KeyReference {
  const { provider: id, keyId, keyVersion, layer } = vector.keyRef;
  assert.equal(layer, 0);

  return { provider: id, keyId, keyVersion, layer: 'master' };
}

/** The local provider's wrap with a fixed nonce, computed here from the spec's blob layout. */
function wrapLocal(
  keyVersion: number,
  kind: 0x01 | 0x02,
  nonce: Buffer,
  context: EncryptionContext,
  plaintext: Buffer,
): Buffer {
  const master = keyring.key(keyVersion);
  assert.ok(master !== undefined);

  const cipher = createCipheriv('aes-256-gcm', master.material, nonce);
  cipher.setAAD(Buffer.concat([Buffer.of(kind), encodeContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);

  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

/** The whole read path: parse, then the provider, then (suite 0x01) the local open. */
async function openStored(bytes: Uint8Array, context: EncryptionContext): Promise<Buffer> {
  const envelope = parseEnvelope(bytes);
  if (envelope.suite === SUITE_DIRECT) {
    return Buffer.from(await provider.decrypt(envelope.ciphertext, envelope.keyRef, context));
  }

  const dataKey = await provider.unwrapDataKey(envelope.wrappedKey, envelope.keyRef, context);
  try {
    return openEnvelope(envelope, dataKey, context);
  } finally {
    dataKey.fill(0);
  }
}

function isIntegrityError(error: unknown): boolean {
  assert.ok(error instanceof IntegrityError);
  assert.equal(error.code, 'ERR_INTEGRITY');
  assert.equal(error.message, INTEGRITY_MESSAGE);
  return true;
}

test('the vectors file is exactly what scripts/make-vectors.ts generates', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(buildVectors())), vectors);
});

test('the vectors cover both suites and at least one negative case each', () => {
  const suites = new Set(vectors.positive.map((vector) => vector.suite));
  const negatives = vectors.negative.map((vector) => vector.name.split('-')[0]);

  assert.deepEqual([...suites].sort(), [SUITE_ENVELOPE, SUITE_DIRECT]);
  assert.ok(negatives.includes('sealed') && negatives.includes('direct'));
});

describe('positive vectors', () => {
  for (const vector of vectors.positive) {
    const keyRef = keyRefOf(vector);
    const context = vector.context;
    const plaintext = hex(vector.plaintextHex);

    test(`${vector.name}: encodes the context and the header as stored`, () => {
      const header = encodeHeader(vector.suite, keyRef);

      assert.equal(Buffer.from(encodeContext(context)).toString('hex'), vector.contextHex);
      assert.equal(header.toString('hex'), vector.headerHex);
      assert.equal(vector.wrapAadHex, `0${vector.suite}${vector.contextHex}`);
    });

    if (vector.suite === SUITE_ENVELOPE) {
      test(`${vector.name}: the local wrap and sealEnvelope give the stored bytes`, () => {
        const dataKey = hex(vector.dataKeyHex);
        const nonce = hex(vector.nonceHex);
        const wrappedKey = wrapLocal(
          keyRef.keyVersion,
          0x01,
          hex(vector.wrapNonceHex),
          context,
          dataKey,
        );
        const derived = deriveKeys(dataKey, nonce);

        const envelope = sealEnvelope({ plaintext, context, dataKey, wrappedKey, keyRef, nonce });

        assert.equal(wrappedKey.toString('hex'), vector.wrappedKeyHex);
        assert.equal(derived.encryptionKey.toString('hex'), vector.encryptionKeyHex);
        assert.equal(derived.commitment.toString('hex'), vector.commitmentHex);
        assert.equal(envelope.toString('hex'), vector.envelopeHex);
      });

      test(`${vector.name}: parses into the stored fields`, () => {
        const envelope = parseEnvelope(hex(vector.envelopeHex));
        assert.equal(envelope.suite, SUITE_ENVELOPE);

        const aad = Buffer.concat([
          Buffer.of(FORMAT_VERSION, SUITE_ENVELOPE),
          encodeContext(context),
        ]);

        assert.deepEqual(envelope.keyRef, keyRef);
        assert.equal(Buffer.from(envelope.wrappedKey).toString('hex'), vector.wrappedKeyHex);
        assert.equal(Buffer.from(envelope.nonce).toString('hex'), vector.nonceHex);
        assert.equal(Buffer.from(envelope.commitment).toString('hex'), vector.commitmentHex);
        assert.equal(Buffer.from(envelope.ciphertext).toString('hex'), vector.ciphertextHex);
        assert.equal(Buffer.from(envelope.tag).toString('hex'), vector.tagHex);
        assert.equal(aad.toString('hex'), vector.aadHex);
      });
    } else {
      test(`${vector.name}: the local wrap and encodeDirect give the stored bytes`, () => {
        const blob = wrapLocal(
          keyRef.keyVersion,
          0x02,
          hex(vector.wrapNonceHex),
          context,
          plaintext,
        );

        const envelope = encodeDirect(keyRef, blob);

        assert.equal(blob.toString('hex'), vector.providerCiphertextHex);
        assert.equal(envelope.toString('hex'), vector.envelopeHex);
      });
    }

    test(`${vector.name}: LocalKeyProvider opens it to the expected plaintext`, async () => {
      const opened = await openStored(hex(vector.envelopeHex), context);

      assert.equal(opened.toString('hex'), vector.plaintextHex);
    });
  }
});

test('rewrapping sealed-ascii to master key version 2 gives sealed-ascii-rewrapped', () => {
  const source = byName(vectors.positive, 'sealed-ascii');
  const target = byName(vectors.positive, 'sealed-ascii-rewrapped');
  const envelope = parseEnvelope(hex(source.envelopeHex));
  assert.equal(envelope.suite, SUITE_ENVELOPE);

  const rewrapped = replaceWrappedKey(envelope, hex(target.wrappedKeyHex), keyRefOf(target));

  assert.equal(rewrapped.toString('hex'), target.envelopeHex);
});

describe('negative vectors', () => {
  for (const vector of vectors.negative) {
    test(`${vector.name}: fails with the integrity error (${vector.description})`, async () => {
      await assert.rejects(openStored(hex(vector.envelopeHex), vector.context), isIntegrityError);
    });
  }

  test('sealed-other-data-key holds a wrapped key that the provider does unwrap', async () => {
    const swapped = byName(vectors.negative, 'sealed-other-data-key');
    const envelope = parseEnvelope(hex(swapped.envelopeHex));
    assert.equal(envelope.suite, SUITE_ENVELOPE);

    const dataKey = await provider.unwrapDataKey(envelope.wrappedKey, envelope.keyRef, ACME);

    assert.equal(dataKey.length, 32);
    assert.notEqual(
      Buffer.from(dataKey).toString('hex'),
      byName(vectors.positive, 'sealed-ascii').dataKeyHex,
    );
  });

  test('sealed-commitment-flipped keeps a tag that AES-GCM alone accepts', () => {
    const flipped = byName(vectors.negative, 'sealed-commitment-flipped');
    const source = byName(vectors.positive, 'sealed-ascii');
    const envelope = parseEnvelope(hex(flipped.envelopeHex));
    assert.equal(envelope.suite, SUITE_ENVELOPE);

    const decipher = createDecipheriv('aes-256-gcm', hex(source.encryptionKeyHex), envelope.nonce);
    decipher.setAAD(hex(source.aadHex));
    decipher.setAuthTag(envelope.tag);
    const plaintext = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);

    assert.equal(plaintext.toString('hex'), source.plaintextHex);
  });
});
