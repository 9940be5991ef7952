import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { IntegrityError } from '../../errors.js';
import type { EncryptionContext } from '../../format/context.js';
import type { KeyReference } from '../../format/envelope.js';
import type {
  BlobKind,
  GeneratedDataKey,
  KeyKind,
  KeyProvider,
  WrappedBlob,
} from '../key-provider.js';
import { type CallKind, kmsError } from './kms-errors.js';
import {
  checkBlobSize,
  copyBlob,
  DATA_KEY_BYTES,
  incomplete,
  KEY_ARN,
  KMS_PROVIDER_ID,
  keyArnOf,
  keyReference,
  kmsContext,
  MAX_PLAINTEXT_BYTES,
  takePlaintext,
} from './kms-wire.js';

export { KMS_PROVIDER_ID, KMS_USE_CONTEXT_KEY } from './kms-wire.js';

/** What {@link KmsKeyProvider} is built from. */
export interface KmsKeyProviderOptions {
  /**
   * The caller's client: its Region, credentials, endpoint and retry settings are used as they
   * are. Standard retry mode with `maxAttempts: 5` gives headroom under KMS request quotas.
   */
  readonly client: KMSClient;
  /** The master key: key id, key ARN, alias name (`alias/x`) or alias ARN. */
  readonly keyId: string;
  /**
   * Key ARNs of earlier master keys whose blobs this provider may still open, for example until a
   * rewrap to the configured key completes. The configured key is always trusted; a stored blob
   * under any other key is an integrity failure. Key ARNs only: an alias could be re-pointed.
   */
  readonly trustedKeyIds?: readonly string[] | undefined;
  /** Destroy the client on `close()`: for a client made for this provider alone. */
  readonly destroyClientOnClose?: boolean | undefined;
}

/**
 * Wraps data keys and small values with AWS KMS. Envelope mode asks `GenerateDataKey` (AES_256)
 * for each new data key and `Decrypt` to unwrap it; direct mode sends the value itself to
 * `Encrypt` and `Decrypt` (at most 4,096 bytes).
 *
 * Only trusted keys are asked to open stored data: the configured key and the key ARNs in
 * `trustedKeyIds`. A blob whose key reference names any other key fails with `IntegrityError`
 * before any KMS call. Without that rule, someone who can write to the table could point an
 * envelope at a KMS key in an account of their own whose key policy lets anyone decrypt, wrap a
 * data key of their choosing under it, and so forge an envelope that a reader allowed
 * `kms:Decrypt` on `*` would open as authentic. Every `Decrypt` also names the trusted key ARN, so
 * KMS refuses a blob that was sealed under another key.
 *
 * The encryption context sent to KMS is the store's `{ tenant, secret, version }` plus one pair,
 * `use: 'data-key'` or `use: 'value'`, so that a wrapped data key can never be decrypted as the
 * direct value of the same row, or the other way round (tenant keys: `{ tenant, version }` and
 * `use: 'tenant-key'`). KMS writes these pairs to CloudTrail in
 * clear (they hold names, never secrets), and IAM and key policies can condition on them, for
 * example `kms:EncryptionContext:tenant` to confine a principal to one tenant.
 *
 * Key references hold the key ARN KMS returns, with version 0: KMS rotates key material itself
 * and keeps the old material, so old ciphertexts keep decrypting. Moving to another KMS key is a
 * rewrap: configure the new key, list the old key's ARN in `trustedKeyIds`, and run `rewrap`,
 * which moves blobs to the configured key with `ReEncrypt`, so the plaintext never leaves KMS. A
 * blob under a key that is not trusted fails the rewrap as an integrity failure. Once the rewrap
 * reports nothing failed, the old key can be dropped from the list.
 *
 * Legacy items (a bare KMS ciphertext, see {@link KmsKeyProvider.decryptLegacy}) do not name their
 * key, so they open only under the configured key.
 *
 * An alias is resolved to its key ARN once per provider instance (with `DescribeKey`, unless a
 * write has already returned the ARN), and every ARN it resolves to stays trusted. A provider
 * that resolved an alias before it was re-pointed does not trust the key it points to now: open
 * a new provider, listing the old key in `trustedKeyIds` until a rewrap completes.
 *
 * IAM actions: `kms:GenerateDataKey`, `kms:Encrypt`, `kms:Decrypt`; for `rewrap`,
 * `kms:ReEncryptFrom` on the old key and `kms:ReEncryptTo` on the configured one; and
 * `kms:DescribeKey` when the configured key is not given as a key ARN.
 *
 * @example
 * import { KMSClient } from '@aws-sdk/client-kms';
 *
 * const keys = new KmsKeyProvider({
 *   client: new KMSClient({ retryMode: 'standard', maxAttempts: 5 }),
 *   keyId: 'alias/strongroom',
 *   // Until a rewrap from the previous key completes.
 *   trustedKeyIds: ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
 * });
 */
export class KmsKeyProvider implements KeyProvider {
  readonly providerId = KMS_PROVIDER_ID;
  readonly maxDirectBytes = MAX_PLAINTEXT_BYTES;
  readonly #client: KMSClient;
  readonly #destroyClient: boolean;
  readonly #keyId: string;
  #keyArn: string | undefined;
  #resolving: Promise<string> | undefined;
  // The key ARNs stored blobs may name: trustedKeyIds and each ARN the configured key resolved to.
  readonly #trusted: Set<string>;

  constructor(options: KmsKeyProviderOptions) {
    if (typeof options.keyId !== 'string' || options.keyId.trim().length === 0) {
      throw new TypeError('keyId must be a KMS key id, key ARN, alias name or alias ARN');
    }

    const trusted = options.trustedKeyIds ?? [];
    if (
      !Array.isArray(trusted) ||
      !trusted.every((id) => typeof id === 'string' && KEY_ARN.test(id))
    ) {
      throw new TypeError('trustedKeyIds must be KMS key ARNs (arn:aws:kms:region:account:key/id)');
    }

    this.#client = options.client;
    this.#destroyClient = options.destroyClientOnClose === true;
    this.#keyId = options.keyId;
    this.#trusted = new Set(trusted);
    // A key ARN is already what key references hold; only an id or alias needs DescribeKey.
    this.#keyArn = KEY_ARN.test(options.keyId) ? options.keyId : undefined;
    if (this.#keyArn !== undefined) {
      this.#trusted.add(this.#keyArn);
    }
  }

  /** The configured key, as given: key id, key ARN, alias name or alias ARN. */
  get keyId(): string {
    return this.#keyId;
  }

  /** Destroys the client if this provider was told it owns it; the store calls it on close. */
  async close(): Promise<void> {
    if (this.#destroyClient) {
      this.#client.destroy();
    }
  }

  async generateDataKey(
    context: EncryptionContext,
    kind: KeyKind = 'data-key',
  ): Promise<GeneratedDataKey> {
    const request = {
      KeyId: this.#keyId,
      KeySpec: 'AES_256' as const,
      EncryptionContext: kmsContext(context, kind),
    };
    const output = await this.#call('kms:GenerateDataKey', this.#keyId, 'configured', () =>
      this.#client.send(new GenerateDataKeyCommand(request)),
    );

    const plaintext = takePlaintext(output.Plaintext, 'GenerateDataKey', this.#keyId);
    try {
      if (plaintext.length !== DATA_KEY_BYTES) {
        throw incomplete('GenerateDataKey', this.#keyId);
      }
      const wrapped = copyBlob(output.CiphertextBlob, 'GenerateDataKey', this.#keyId);

      return { plaintext, wrapped, keyRef: this.#written(output.KeyId, 'GenerateDataKey') };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    }
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext): Promise<WrappedBlob> {
    if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new RangeError(`a direct value must be 1 to ${MAX_PLAINTEXT_BYTES} bytes for KMS`);
    }

    const request = {
      KeyId: this.#keyId,
      Plaintext: plaintext,
      EncryptionContext: kmsContext(context, 'value'),
    };
    const output = await this.#call('kms:Encrypt', this.#keyId, 'configured', () =>
      this.#client.send(new EncryptCommand(request)),
    );

    const blob = copyBlob(output.CiphertextBlob, 'Encrypt', this.#keyId);

    return { blob, keyRef: this.#written(output.KeyId, 'Encrypt') };
  }

  async decrypt(blob: Uint8Array, keyRef: KeyReference, context: EncryptionContext) {
    return this.#decrypt(blob, keyRef, context, 'value');
  }

  async unwrapDataKey(
    wrapped: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: KeyKind = 'data-key',
  ) {
    const dataKey = await this.#decrypt(wrapped, keyRef, context, kind);
    if (dataKey.length !== DATA_KEY_BYTES) {
      dataKey.fill(0);
      throw new IntegrityError();
    }

    return dataKey;
  }

  async rewrap(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<WrappedBlob | undefined> {
    // Precondition: the source key is trusted. ReEncrypt opens the blob inside KMS, so a blob
    // under someone else's key would otherwise be adopted as authentic under ours.
    const sourceArn = await this.#trustedArnOf(keyRef, blob);
    const destinationArn = await this.#configuredKeyArn();
    if (sourceArn === destinationArn) {
      return undefined;
    }

    // The same context on both sides: the blob stays bound to its row and kind.
    const bound = kmsContext(context, kind);
    const request = {
      CiphertextBlob: blob,
      SourceKeyId: sourceArn,
      SourceEncryptionContext: bound,
      DestinationKeyId: destinationArn,
      DestinationEncryptionContext: bound,
    };
    // ReEncrypt needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination,
    // and KMS may refuse either key: an error names both, and both are trusted keys.
    const keys = `${sourceArn} or ${destinationArn}`;
    const output = await this.#call('kms:ReEncrypt*', keys, 'opens-stored', () =>
      this.#client.send(new ReEncryptCommand(request)),
    );

    const next = copyBlob(output.CiphertextBlob, 'ReEncrypt', destinationArn);

    return { blob: next, keyRef: keyReference(output.KeyId, 'ReEncrypt', destinationArn) };
  }

  /**
   * Decrypts a bare KMS ciphertext written before strongroom, with no encryption context. The
   * legacy item records no key, and it was written under the configured key: Decrypt names that
   * key's ARN, so KMS refuses a blob under any other key (an integrity failure) rather than
   * opening whatever key a planted ciphertext names. To read legacy items written under another
   * key, configure that key (and migrate them) first; `trustedKeyIds` does not apply here.
   */
  async decryptLegacy(blob: Uint8Array): Promise<Uint8Array> {
    checkBlobSize(blob);
    const keyArn = await this.#configuredKeyArn();

    const request = { CiphertextBlob: blob, KeyId: keyArn };
    const output = await this.#call('kms:Decrypt', keyArn, 'opens-stored', () =>
      this.#client.send(new DecryptCommand(request)),
    );

    return takePlaintext(output.Plaintext, 'Decrypt', keyArn);
  }

  async #decrypt(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<Buffer> {
    const keyArn = await this.#trustedArnOf(keyRef, blob);
    const request = {
      CiphertextBlob: blob,
      KeyId: keyArn,
      EncryptionContext: kmsContext(context, kind),
    };

    const output = await this.#call('kms:Decrypt', keyArn, 'opens-stored', () =>
      this.#client.send(new DecryptCommand(request)),
    );

    return takePlaintext(output.Plaintext, 'Decrypt', keyArn);
  }

  /**
   * The key ARN of a stored key reference, once it is known to be trusted. Precondition: the key
   * reference names the configured key or one of `trustedKeyIds`; otherwise an IntegrityError,
   * with no KMS call but, for a configured alias not yet resolved, its one DescribeKey.
   */
  async #trustedArnOf(keyRef: KeyReference, blob: Uint8Array): Promise<string> {
    const keyArn = keyArnOf(keyRef, blob);
    if (!this.#trusted.has(keyArn) && this.#keyArn === undefined) {
      await this.#configuredKeyArn();
    }
    if (!this.#trusted.has(keyArn)) {
      throw new IntegrityError();
    }

    return keyArn;
  }

  /** The key reference of a fresh blob; the ARN KMS named is where the configured key points. */
  #written(keyId: string | undefined, operation: string): KeyReference {
    const keyRef = keyReference(keyId, operation, this.#keyId);
    this.#keyArn = keyRef.keyId;
    this.#trusted.add(keyRef.keyId);

    return keyRef;
  }

  /**
   * The configured key's ARN, for comparing with key references. An alias can be re-pointed, so
   * it is resolved per provider instance: once with DescribeKey, then kept up to date by the
   * key ARN each GenerateDataKey and Encrypt returns. Each ARN it had stays trusted.
   */
  async #configuredKeyArn(): Promise<string> {
    if (this.#keyArn !== undefined) {
      return this.#keyArn;
    }

    this.#resolving ??= this.#describeKeyArn().finally(() => {
      this.#resolving = undefined;
    });

    return this.#resolving;
  }

  async #describeKeyArn(): Promise<string> {
    const output = await this.#call('kms:DescribeKey', this.#keyId, 'configured', () =>
      this.#client.send(new DescribeKeyCommand({ KeyId: this.#keyId })),
    );

    const arn = output.KeyMetadata?.Arn;
    if (arn === undefined || !KEY_ARN.test(arn)) {
      throw incomplete('DescribeKey', this.#keyId);
    }
    this.#keyArn ??= arn;
    this.#trusted.add(arn);

    return this.#keyArn;
  }

  /** `keyLabel` goes into error messages: the configured key as given, or a trusted key ARN. */
  async #call<T>(
    action: string,
    keyLabel: string,
    kind: CallKind,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw kmsError(error, action, keyLabel, kind);
    }
  }
}
