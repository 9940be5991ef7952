import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildVectors } from '../../scripts/make-vectors.js';
import { sealEnvelope } from '../../src/crypto/seal.js';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../src/errors.js';
import type { EncryptionContext } from '../../src/format/context.js';
import { parseEnvelope, SUITE_DIRECT } from '../../src/format/envelope.js';
import { Keyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import {
  tenantKeyContext,
  tenantKeyRef,
  wrapWithTenantKey,
} from '../../src/keys/tenant/tenant-key-wrap.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { openValue } from '../../src/store/envelopes.js';
import { LayeredKeys } from '../../src/store/layered-keys.js';
import { TenantKeys } from '../../src/store/tenant-keys.js';

/**
 * The per-tenant key layer's vectors (docs/vectors/v1.json, `tenantLayer`), made by
 * scripts/make-vectors.ts from docs/FORMAT.md without src/: the reference must produce and open
 * exactly these bytes, and refuse every negative with the integrity error.
 */
const vectors = JSON.parse(
  readFileSync(new URL('../../docs/vectors/v1.json', import.meta.url), 'utf8'),
) as ReturnType<typeof buildVectors>;
const { tenantKey, positive, negative } = vectors.tenantLayer;
const hex = (text: string) => Buffer.from(text, 'hex');

const keyring = new Keyring(
  vectors.keyring.id,
  vectors.keyring.keys.map((key) => ({
    version: key.version,
    createdAt: '2024-01-01T00:00:00.000Z',
    material: hex(key.materialHex),
  })),
);
const master = new LocalKeyProvider(keyring);

/** The reader of a store whose backend holds acme's tenant key record from the vectors. */
async function reader() {
  const storage = new MemoryBackend();
  await storage.addTenantKey({
    tenant: tenantKey.tenant,
    version: tenantKey.version,
    wrapped: hex(tenantKey.recordHex),
    createdAt: 0,
  });
  const tenantKeys = new TenantKeys({ master, storage, cache: undefined, now: Date.now });

  return new LayeredKeys(master, tenantKeys, 'tenant');
}

describe('per-tenant key layer vectors', () => {
  test('docs/vectors/v1.json is what scripts/make-vectors.ts writes', () => {
    assert.deepEqual(vectors.tenantLayer, buildVectors().tenantLayer);
  });

  test('the tenant key record opens to the tenant key, under its own context only', async () => {
    const record = parseEnvelope(hex(tenantKey.recordHex));
    assert.equal(record.suite, SUITE_DIRECT);
    const context = tenantKeyContext(tenantKey.tenant, tenantKey.version);
    assert.deepEqual(context, tenantKey.wrapContext);
    const blob = record.suite === SUITE_DIRECT ? record.ciphertext : new Uint8Array();

    const opened = await master.unwrapDataKey(blob, record.keyRef, context, 'tenant-key');

    assert.equal(Buffer.from(opened).toString('hex'), tenantKey.tenantKeyHex);
    for (const kind of ['data-key', undefined] as const) {
      await assert.rejects(
        master.unwrapDataKey(blob, record.keyRef, context, kind),
        IntegrityError,
      );
    }
  });

  test('the reference seals exactly the positive vector', () => {
    const context = positive.context as EncryptionContext;
    const wrapped = wrapWithTenantKey(
      hex(tenantKey.tenantKeyHex),
      hex(positive.dataKeyHex),
      context,
      hex(positive.wrapNonceHex),
    );

    const envelope = sealEnvelope({
      plaintext: hex(positive.plaintextHex),
      context,
      dataKey: hex(positive.dataKeyHex),
      wrappedKey: wrapped,
      keyRef: tenantKeyRef(1),
      nonce: hex(positive.nonceHex),
    });

    assert.equal(wrapped.toString('hex'), positive.wrappedKeyHex);
    assert.equal(envelope.toString('hex'), positive.envelopeHex);
  });

  test('a reader opens the positive vector, and 138 bytes is all it adds', async () => {
    const keys = await reader();

    const plaintext = await openValue(keys, hex(positive.envelopeHex), positive.context);

    assert.equal(Buffer.from(plaintext).toString('hex'), positive.plaintextHex);
    assert.equal(hex(positive.envelopeHex).length - hex(positive.plaintextHex).length, 138);
  });

  for (const vector of negative) {
    test(`rejects ${vector.name}: ${vector.description}`, async () => {
      const keys = await reader();

      await assert.rejects(
        openValue(keys, hex(vector.envelopeHex), vector.context as EncryptionContext),
        (error: unknown) =>
          error instanceof IntegrityError &&
          error.code === 'ERR_INTEGRITY' &&
          error.message === INTEGRITY_MESSAGE,
      );
    });
  }
});
