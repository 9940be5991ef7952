import { randomBytes } from 'node:crypto';
import { gcmOpen, gcmSeal } from '../../crypto/aes-gcm.js';
import { IntegrityError } from '../../errors.js';
import { type EncryptionContext, encodeContext } from '../../format/context.js';
import type { KeyReference } from '../../format/envelope.js';

/**
 * The per-tenant key layer's own cryptography (docs/FORMAT.md, "Per-tenant keys"): a data key
 * wrapped locally under a tenant key, in the local provider's blob layout. No I/O here; the
 * store finds the tenant key and keeps it cached.
 */

/** The provider id of the key reference of every envelope whose data key a tenant key wraps. */
export const TENANT_PROVIDER_ID = 'tenant';

/** A tenant key, like a data key, is 256 bits. */
export const TENANT_KEY_BYTES = 32;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

// The local provider's kind byte for a data key: the blob means the same thing under either.
const DATA_KEY_KIND = 0x01;

/**
 * The key reference of a data key wrapped by version `version` of the row's tenant key. The key
 * id is empty: the tenant comes from the row's own context, so an envelope moved to another
 * tenant meets that tenant's key, which refuses it.
 */
export function tenantKeyRef(version: number): KeyReference {
  return { provider: TENANT_PROVIDER_ID, keyId: '', keyVersion: version, layer: 'tenant' };
}

/**
 * The context a master key wraps version `version` of a tenant's key under. It has no `secret`
 * pair, so no wrapped tenant key can pass for the wrapped data key of a row, and its version
 * pair stops one version's record from standing in for another's.
 */
export function tenantKeyContext(tenant: string, version: number): EncryptionContext {
  return Object.freeze({ tenant, version: String(version) });
}

/** The version a key reference names, if it is a valid tenant-layer reference; else throws. */
export function tenantKeyVersion(keyRef: KeyReference): number {
  const valid =
    keyRef.layer === 'tenant' &&
    keyRef.provider === TENANT_PROVIDER_ID &&
    keyRef.keyId === '' &&
    keyRef.keyVersion >= 1;
  if (!valid) {
    throw new IntegrityError();
  }

  return keyRef.keyVersion;
}

function aad(context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.of(DATA_KEY_KIND), encodeContext(context)]);
}

/**
 * Wraps a 32-byte data key under a tenant key, bound to the row's context. Only test vectors
 * pass `nonce`; every real wrap draws a fresh random one.
 */
export function wrapWithTenantKey(
  tenantKey: Uint8Array,
  dataKey: Uint8Array,
  context: EncryptionContext,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Buffer {
  if (tenantKey.length !== TENANT_KEY_BYTES || dataKey.length !== DATA_KEY_BYTES) {
    throw new RangeError('tenant key and data key must be 32 bytes');
  }
  if (nonce.length !== NONCE_BYTES) {
    throw new RangeError('nonce must be 12 bytes');
  }

  const { ciphertext, tag } = gcmSeal(tenantKey, nonce, aad(context), dataKey);

  return Buffer.concat([nonce, ciphertext, tag]);
}

/**
 * Opens a data key wrapped under a tenant key. Every failure, a blob of the wrong length
 * included, is the one {@link IntegrityError}.
 */
export function unwrapWithTenantKey(
  tenantKey: Uint8Array,
  blob: Uint8Array,
  context: EncryptionContext,
): Buffer {
  if (tenantKey.length !== TENANT_KEY_BYTES) {
    throw new IntegrityError();
  }
  if (blob.length !== NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES) {
    throw new IntegrityError();
  }

  const nonce = blob.subarray(0, NONCE_BYTES);
  const ciphertext = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);

  return gcmOpen(tenantKey, nonce, aad(context), ciphertext, tag);
}
