import { IntegrityError, KeyProviderError } from '../../errors.js';
import type { EncryptionContext } from '../../format/context.js';
import type { KeyReference } from '../../format/envelope.js';
import type { BlobKind } from '../key-provider.js';

/**
 * What the KMS key provider sends to KMS and takes from it: the context with its `use` pair,
 * the key ARNs of key references, the size limits of blobs, and copies of what KMS returns.
 */

/** Written into the key reference of everything this provider wraps. */
export const KMS_PROVIDER_ID = 'aws-kms';

/**
 * The encryption context key this provider adds to the store's context; its value is the
 * {@link BlobKind}: `data-key`, `value` or `tenant-key`. The store's own context must not use it.
 */
export const KMS_USE_CONTEXT_KEY = 'use';

// The KMS API reference: Encrypt takes 1 to 4,096 bytes; a ciphertext blob is at most 6,144.
export const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
export const DATA_KEY_BYTES = 32;

// Key references only ever hold the key ARN KMS returned, so any other key id was not written by
// this provider, and is rejected before it reaches KMS.
export const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,64}$/;

/** The store's context plus the `use` pair that keeps data keys and values apart. */
export function kmsContext(context: EncryptionContext, kind: BlobKind): Record<string, string> {
  if (Object.hasOwn(context, KMS_USE_CONTEXT_KEY)) {
    throw new RangeError(`encryption context key ${KMS_USE_CONTEXT_KEY} is reserved for KMS`);
  }

  return { ...context, [KMS_USE_CONTEXT_KEY]: kind };
}

/**
 * The key ARN a stored key reference names. Stored bytes are untrusted: anything this provider
 * could not have written, including an oversized blob, is an IntegrityError with no KMS call.
 */
export function keyArnOf(keyRef: KeyReference, blob: Uint8Array): string {
  const ours = keyRef.provider === KMS_PROVIDER_ID && keyRef.layer === 'master';
  if (!ours || keyRef.keyVersion !== 0 || !KEY_ARN.test(keyRef.keyId)) {
    throw new IntegrityError();
  }
  checkBlobSize(blob);

  return keyRef.keyId;
}

export function checkBlobSize(blob: Uint8Array): void {
  if (blob.length < 1 || blob.length > MAX_CIPHERTEXT_BYTES) {
    throw new IntegrityError();
  }
}

export function keyReference(
  keyId: string | undefined,
  operation: string,
  label: string,
): KeyReference {
  if (keyId === undefined || !KEY_ARN.test(keyId)) {
    throw incomplete(operation, label);
  }

  return { provider: KMS_PROVIDER_ID, keyId, keyVersion: 0, layer: 'master' };
}

/** A fresh copy of a blob KMS returned, so that nothing shares the SDK's buffer. */
export function copyBlob(bytes: Uint8Array | undefined, operation: string, label: string): Buffer {
  if (bytes === undefined || bytes.length < 1 || bytes.length > MAX_CIPHERTEXT_BYTES) {
    throw incomplete(operation, label);
  }

  return Buffer.from(bytes);
}

/**
 * Moves plaintext out of the SDK's buffer: a fresh, unpooled copy for the caller, the SDK's
 * buffer wiped. The base64 text it was decoded from is a string, which cannot be wiped.
 */
export function takePlaintext(
  bytes: Uint8Array | undefined,
  operation: string,
  label: string,
): Buffer {
  if (bytes === undefined) {
    throw incomplete(operation, label);
  }

  const copy = Buffer.alloc(bytes.length);
  copy.set(bytes);
  bytes.fill(0);

  return copy;
}

export function incomplete(operation: string, label: string): KeyProviderError {
  return new KeyProviderError(
    `AWS KMS ${operation} returned an incomplete response for key ${label}`,
  );
}
