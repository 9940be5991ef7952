import { openEnvelope, sealEnvelope } from '../crypto/seal.js';
import type { EncryptionContext } from '../format/context.js';
import {
  type Envelope,
  encodeDirect,
  parseEnvelope,
  replaceWrappedKey,
  SUITE_DIRECT,
} from '../format/envelope.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { KeyCache } from './key-cache.js';

/**
 * `envelope`: a data key from the provider, the value sealed locally (any size; lets a key
 * cache spare the provider). `direct`: the provider encrypts the value itself, for values of at
 * most its direct limit (4,096 bytes for KMS); larger or empty values fall back to envelope.
 */
export type SealMode = 'envelope' | 'direct';

/** Seals a value for one version; the data key is wiped before this returns. */
export async function sealValue(
  keys: KeyProvider,
  plaintext: Uint8Array,
  context: EncryptionContext,
  mode: SealMode,
): Promise<Uint8Array> {
  if (mode === 'direct' && plaintext.length >= 1 && plaintext.length <= keys.maxDirectBytes) {
    const { blob, keyRef } = await keys.encrypt(plaintext, context);
    return encodeDirect(keyRef, blob);
  }

  const dataKey = await keys.generateDataKey(context);
  try {
    return sealEnvelope({
      plaintext,
      context,
      dataKey: dataKey.plaintext,
      wrappedKey: dataKey.wrapped,
      keyRef: dataKey.keyRef,
    });
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/**
 * Opens an envelope of either suite; every failure is an IntegrityError. With `keyCache`, a
 * suite 0x01 data key unwrapped before for the same wrapped bytes, key and context is used
 * without asking the provider; the commitment and tag are checked either way.
 */
export async function openValue(
  keys: KeyProvider,
  bytes: Uint8Array,
  context: EncryptionContext,
  keyCache?: KeyCache,
): Promise<Uint8Array> {
  const envelope = parseEnvelope(bytes);
  if (envelope.suite === SUITE_DIRECT) {
    return keys.decrypt(envelope.ciphertext, envelope.keyRef, context);
  }

  const { wrappedKey: wrapped, keyRef } = envelope;
  const unwrap = () => keys.unwrapDataKey(wrapped, keyRef, context);
  if (keyCache !== undefined) {
    return keyCache.withDataKey({ wrapped, keyRef, context }, unwrap, (dataKey) =>
      openEnvelope(envelope, dataKey, context),
    );
  }

  const dataKey = await unwrap();
  try {
    return openEnvelope(envelope, dataKey, context);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Re-wraps an envelope under the provider's newest master key without re-encrypting the value
 * (for a direct envelope, the provider's ciphertext is the value). Returns `undefined` when the
 * envelope already uses the newest key.
 */
export async function rewrapValue(
  keys: KeyProvider,
  bytes: Uint8Array,
  context: EncryptionContext,
): Promise<Uint8Array | undefined> {
  const envelope: Envelope = parseEnvelope(bytes);

  if (envelope.suite === SUITE_DIRECT) {
    const next = await keys.rewrap(envelope.ciphertext, envelope.keyRef, context, 'value');
    return next && encodeDirect(next.keyRef, next.blob);
  }

  const next = await keys.rewrap(envelope.wrappedKey, envelope.keyRef, context, 'data-key');

  return next && replaceWrappedKey(envelope, next.blob, next.keyRef);
}
