import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import type { EncryptionContext } from '../format/context.js';
import type { KeyReference } from '../format/envelope.js';
import type {
  BlobKind,
  GeneratedDataKey,
  KeyKind,
  KeyProvider,
  WrappedBlob,
} from '../keys/key-provider.js';
import type { TenantKeys } from './tenant-keys.js';

/** Which key wraps the data keys of new versions. */
export type WriteLayer = 'master' | 'tenant';

/**
 * The key provider the store works through: the master key provider, with the per-tenant key
 * layer beside it. Reads go by the layer each envelope names, so a store reads envelopes of
 * both layers whichever it writes; writes use `layer`. Direct values are always the master
 * provider's.
 */
export class LayeredKeys implements KeyProvider {
  readonly providerId: string;
  readonly maxDirectBytes: number;
  readonly decryptLegacy?: (blob: Uint8Array) => Promise<Uint8Array>;
  readonly #master: KeyProvider;
  readonly #tenantKeys: TenantKeys;
  readonly #layer: WriteLayer;

  constructor(master: KeyProvider, tenantKeys: TenantKeys, layer: WriteLayer) {
    this.providerId = master.providerId;
    this.maxDirectBytes = master.maxDirectBytes;
    this.#master = master;
    this.#tenantKeys = tenantKeys;
    this.#layer = layer;
    const legacy = master.decryptLegacy;
    if (legacy !== undefined) {
      this.decryptLegacy = (blob) => legacy.call(master, blob);
    }
  }

  async generateDataKey(context: EncryptionContext, kind?: KeyKind): Promise<GeneratedDataKey> {
    if (this.#layer === 'master' || kind === 'tenant-key') {
      return this.#master.generateDataKey(context, kind);
    }

    const plaintext = randomBytes(32);
    try {
      const { blob, keyRef } = await this.#tenantKeys.wrapDataKey(plaintext, context);
      return { plaintext, wrapped: blob, keyRef };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    }
  }

  encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<WrappedBlob> {
    return this.#master.encrypt(plaintext, context);
  }

  decrypt(blob: Uint8Array, keyRef: KeyReference, context: EncryptionContext) {
    return this.#master.decrypt(blob, keyRef, context);
  }

  async unwrapDataKey(
    wrapped: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind?: KeyKind,
  ): Promise<Uint8Array> {
    if (keyRef.layer === 'tenant') {
      if (kind === 'tenant-key') {
        throw new IntegrityError();
      }
      return this.#tenantKeys.unwrapDataKey(wrapped, keyRef, context);
    }

    return this.#master.unwrapDataKey(wrapped, keyRef, context, kind);
  }

  /**
   * Moves a blob to where new writes go: a tenant-layer data key to its tenant's newest tenant
   * key; a master-layer data key, when this store writes the tenant layer, into it; anything
   * else to the newest master key. Data keys never leave the tenant layer once in it: turning
   * tenant keys off changes where new versions go, and old ones keep reading as they are.
   */
  async rewrap(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<WrappedBlob | undefined> {
    if (keyRef.layer === 'tenant') {
      if (kind !== 'data-key') {
        throw new IntegrityError();
      }
      return this.#tenantKeys.rewrapDataKey(blob, keyRef, context);
    }
    if (kind !== 'data-key' || this.#layer === 'master') {
      return this.#master.rewrap(blob, keyRef, context, kind);
    }

    const dataKey = await this.#master.unwrapDataKey(blob, keyRef, context);
    try {
      return await this.#tenantKeys.wrapDataKey(dataKey, context);
    } finally {
      dataKey.fill(0);
    }
  }

  async close(): Promise<void> {
    await this.#master.close?.();
  }

  /** Refreshes the master provider and forgets cached tenant key records. */
  async refresh(): Promise<void> {
    await this.#master.refresh?.();
    this.#tenantKeys.forget();
  }
}
