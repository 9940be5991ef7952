import { randomBytes } from 'node:crypto';
import { gcmOpen, gcmSealInto } from '../../crypto/aes-gcm.js';
import { writeNonce } from '../../crypto/nonces.js';
import { IntegrityError, KeyringCorruptError, WrongKeyringError } from '../../errors.js';
import { type EncryptionContext, encodePrefixedContext } from '../../format/context.js';
import type { KeyReference } from '../../format/envelope.js';
import type {
  BlobKind,
  GeneratedDataKey,
  KeyKind,
  KeyProvider,
  WrappedBlob,
} from '../key-provider.js';
import type { Keyring, MasterKey } from './keyring.js';

export const LOCAL_PROVIDER_ID = 'local';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// Domain separation: a data key, a direct value and a tenant key wrapped under the same context
// can never be swapped for one another, because their AAD differs in this first byte.
const KIND_BYTE: Record<BlobKind, number> = { 'data-key': 0x01, value: 0x02, 'tenant-key': 0x03 };

export interface LocalKeyProviderOptions {
  /**
   * Returns the keyring as it is now, for example after another process ran `keys rotate`.
   * Called once when a blob names a key version the loaded keyring lacks, and by `refresh`.
   */
  reload?: () => Promise<Keyring>;
}

/**
 * Wraps data keys and small values with AES-256-GCM under the keyring's newest master key,
 * with the encryption context as authenticated data. Blob layout: nonce (12) | ciphertext |
 * tag (16).
 */
export class LocalKeyProvider implements KeyProvider {
  readonly providerId = LOCAL_PROVIDER_ID;
  readonly maxDirectBytes = 4096;
  #keyring: Keyring;
  readonly #reload: (() => Promise<Keyring>) | undefined;

  constructor(keyring: Keyring, options: LocalKeyProviderOptions = {}) {
    this.#keyring = keyring;
    this.#reload = options.reload;
  }

  /** The loaded keyring's id and newest version. */
  get keyring(): { id: string; newestVersion: number } {
    return { id: this.#keyring.id, newestVersion: this.#keyring.newest.version };
  }

  async generateDataKey(
    context: EncryptionContext,
    kind: KeyKind = 'data-key',
  ): Promise<GeneratedDataKey> {
    const plaintext = randomBytes(32);
    const { blob, keyRef } = this.#wrap(plaintext, context, kind);

    return { plaintext, wrapped: blob, keyRef };
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<WrappedBlob> {
    return this.#wrap(plaintext, context, 'value');
  }

  async decrypt(blob: Uint8Array, keyRef: KeyReference, context: EncryptionContext) {
    return this.#unwrap(blob, await this.#keyFor(keyRef), context, 'value');
  }

  async unwrapDataKey(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: KeyKind = 'data-key',
  ) {
    return this.#unwrap(blob, await this.#keyFor(keyRef), context, kind);
  }

  /**
   * Re-reads the keyring with the `reload` option, if there is one, so that a long-lived
   * process rewraps to (and seals under) a version another process added. Without `reload` it
   * does nothing. A keyring of another id is refused with a WrongKeyringError, and the loaded
   * one kept.
   */
  async refresh(): Promise<void> {
    if (this.#reload !== undefined) {
      await this.#reloadKeyring(this.#reload);
    }
  }

  async rewrap(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<WrappedBlob | undefined> {
    const key = await this.#keyFor(keyRef);
    if (key.version === this.#keyring.newest.version) {
      return undefined;
    }

    const plaintext = this.#unwrap(blob, key, context, kind);
    try {
      return this.#wrap(plaintext, context, kind);
    } finally {
      plaintext.fill(0);
    }
  }

  async #keyFor(keyRef: KeyReference): Promise<MasterKey> {
    if (keyRef.provider !== LOCAL_PROVIDER_ID || keyRef.layer !== 'master') {
      throw new IntegrityError();
    }
    if (keyRef.keyId !== this.#keyring.id) {
      throw new WrongKeyringError(keyRef.keyId, this.#keyring.id);
    }

    let key = this.#keyring.key(keyRef.keyVersion);
    if (key === undefined && this.#reload !== undefined) {
      await this.#reloadKeyring(this.#reload);
      key = this.#keyring.key(keyRef.keyVersion);
    }
    if (key === undefined) {
      throw new WrongKeyringError(`${keyRef.keyId} version ${keyRef.keyVersion}`, this.#describe());
    }

    return key;
  }

  /**
   * Swaps in the keyring `reload` returns, only if it has the loaded one's id: a file replaced
   * by another keyring must not silently start sealing under keys that the data already stored
   * (and every other process) knows nothing of.
   */
  async #reloadKeyring(reload: () => Promise<Keyring>): Promise<void> {
    const next = await reload();
    if (next.id !== this.#keyring.id) {
      throw new WrongKeyringError(this.#keyring.id, next.id);
    }

    // A keyring that lacks a version the loaded one holds is an older copy (a backup restored
    // over the file): sealing under it would go back to an old key, and data sealed under the
    // missing version would stop opening. Keep the loaded one and say so.
    const lost = this.#keyring.keys.find((key) => next.key(key.version) === undefined);
    if (lost !== undefined) {
      throw new KeyringCorruptError(
        `${this.#keyring.id} (reloaded)`,
        `it lacks master key version ${lost.version}, which the loaded keyring holds`,
      );
    }

    this.#keyring = next;
  }

  #describe(): string {
    return `${this.#keyring.id} (newest version ${this.#keyring.newest.version})`;
  }

  #aad(context: EncryptionContext, kind: BlobKind): Buffer {
    return encodePrefixedContext(Buffer.of(KIND_BYTE[kind]), context);
  }

  #wrap(plaintext: Uint8Array, context: EncryptionContext, kind: BlobKind): WrappedBlob {
    const key = this.#keyring.newest;

    // The blob is laid out once and written in place (nonce, then ciphertext and tag): nothing
    // is concatenated. It holds no key material unencrypted, so Node's shared pool may hold it.
    const blob = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
    writeNonce(blob, 0);
    const nonce = blob.subarray(0, NONCE_BYTES);
    gcmSealInto(key.material, nonce, this.#aad(context, kind), plaintext, blob, NONCE_BYTES);

    const keyRef: KeyReference = {
      provider: LOCAL_PROVIDER_ID,
      keyId: this.#keyring.id,
      keyVersion: key.version,
      layer: 'master',
    };

    return { blob, keyRef };
  }

  #unwrap(blob: Uint8Array, key: MasterKey, context: EncryptionContext, kind: BlobKind): Buffer {
    if (blob.length < NONCE_BYTES + TAG_BYTES) {
      throw new IntegrityError();
    }
    const nonce = blob.subarray(0, NONCE_BYTES);
    const ciphertext = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);

    return gcmOpen(key.material, nonce, this.#aad(context, kind), ciphertext, tag);
  }
}
