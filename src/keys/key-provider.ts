import type { EncryptionContext } from '../format/context.js';
import type { KeyReference } from '../format/envelope.js';

/** A fresh data key: the plaintext for sealing now, the wrapped copy for the envelope. */
export interface GeneratedDataKey {
  /** 32 bytes. The store wipes it as soon as the value is sealed. */
  readonly plaintext: Uint8Array;
  readonly wrapped: Uint8Array;
  readonly keyRef: KeyReference;
}

/** A blob (wrapped data key or direct ciphertext) and the key that can open it. */
export interface WrappedBlob {
  readonly blob: Uint8Array;
  readonly keyRef: KeyReference;
}

/**
 * What a blob holds. Providers that can keep the two apart do, so that a wrapped data key can
 * never be passed off as a direct value of the same row.
 */
export type BlobKind = KeyKind | 'value';

/**
 * What a wrapped key is: a data key, which seals one version, or a tenant key, which wraps the
 * data keys of one tenant (the per-tenant key layer). Kept apart like {@link BlobKind}.
 */
export type KeyKind = 'data-key' | 'tenant-key';

/**
 * The seam between the store and a master key: the local keyring or AWS KMS. Every method binds
 * its output to `context`; a provider must fail with an IntegrityError when the context, the
 * blob or the key does not match, and never return unauthenticated bytes.
 */
export interface KeyProvider {
  /** Written into every key reference this provider makes, for example `local`. */
  readonly providerId: string;

  /** The largest value `encrypt` takes (direct mode); larger values use envelope mode. */
  readonly maxDirectBytes: number;

  /** A fresh random 256-bit key (a data key unless `kind` says), under the newest master key. */
  generateDataKey(context: EncryptionContext, kind?: KeyKind): Promise<GeneratedDataKey>;

  /** Encrypts a small value (or a data key) under the newest master key. */
  encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<WrappedBlob>;

  /** Opens what `encrypt` made. */
  decrypt(blob: Uint8Array, keyRef: KeyReference, context: EncryptionContext): Promise<Uint8Array>;

  /** Opens a key that `generateDataKey` wrapped, of the same `kind` (a data key by default). */
  unwrapDataKey(
    wrapped: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind?: KeyKind,
  ): Promise<Uint8Array>;

  /**
   * Re-wraps a blob under the newest master key, or returns `undefined` when it is already
   * there. The plaintext never leaves the provider.
   */
  rewrap(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<WrappedBlob | undefined>;

  /**
   * Optional: re-reads the master key state from its source, for example a keyring file that
   * another process rotated, so that `rewrap` and new writes use the newest master key there is
   * rather than the newest one this provider saw when it started. The store calls it before a
   * rewrap; a provider whose newest key never changes under it need not have it.
   */
  refresh?(): Promise<void>;

  /** Optional: releases what the provider holds (a client it made); the store's close calls it. */
  close?(): Promise<void>;

  /**
   * Optional, for items written before strongroom (a bare KMS ciphertext with no encryption
   * context): decrypts such a blob. Only a storage backend's legacy items ever reach it.
   */
  decryptLegacy?(blob: Uint8Array): Promise<Uint8Array>;
}
