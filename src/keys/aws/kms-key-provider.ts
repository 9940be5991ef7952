import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import {
  IntegrityError,
  KeyAccessDeniedError,
  KeyNotFoundError,
  KeyProviderError,
  KeyUnavailableError,
} from '../../errors.js';
import type { EncryptionContext } from '../../format/context.js';
import type { KeyReference } from '../../format/envelope.js';
import type { BlobKind, GeneratedDataKey, KeyProvider, WrappedBlob } from '../key-provider.js';

/** Written into the key reference of everything this provider wraps. */
export const KMS_PROVIDER_ID = 'aws-kms';

/**
 * The encryption context key this provider adds to the store's context; its value is the
 * {@link BlobKind}, `data-key` or `value`. The store's own context must not use it.
 */
export const KMS_USE_CONTEXT_KEY = 'use';

// The KMS API reference: Encrypt takes 1 to 4,096 bytes; a ciphertext blob is at most 6,144.
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
const DATA_KEY_BYTES = 32;

// Key references only ever hold the key ARN KMS returned, so any other key id was not written by
// this provider, and is rejected before it reaches KMS.
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,64}$/;

// A legacy Decrypt names no key: the ciphertext does. Errors say so instead of naming one.
const LEGACY_KEY = '(named by the legacy ciphertext)';

/** What {@link KmsKeyProvider} is built from. */
export interface KmsKeyProviderOptions {
  /**
   * The caller's client: its Region, credentials, endpoint and retry settings are used as they
   * are. Standard retry mode with `maxAttempts: 5` gives headroom under KMS request quotas.
   */
  readonly client: KMSClient;
  /** The master key: key id, key ARN, alias name (`alias/x`) or alias ARN. */
  readonly keyId: string;
}

/**
 * Wraps data keys and small values with AWS KMS. Envelope mode asks `GenerateDataKey` (AES_256)
 * for each new data key and `Decrypt` to unwrap it; direct mode sends the value itself to
 * `Encrypt` and `Decrypt` (at most 4,096 bytes). Every `Decrypt` names the key ARN from the key
 * reference, so KMS refuses a blob that claims another key.
 *
 * The encryption context sent to KMS is the store's `{ tenant, secret, version }` plus one pair,
 * `use: 'data-key'` or `use: 'value'`, so that a wrapped data key can never be decrypted as the
 * direct value of the same row, or the other way round. KMS writes these pairs to CloudTrail in
 * clear (they hold names, never secrets), and IAM and key policies can condition on them, for
 * example `kms:EncryptionContext:tenant` to confine a principal to one tenant.
 *
 * Key references hold the key ARN KMS returns, with version 0: KMS rotates key material itself
 * and keeps the old material, so old ciphertexts keep decrypting. `rewrap` moves blobs to the
 * configured key with `ReEncrypt`, so the plaintext never leaves KMS.
 *
 * IAM actions: `kms:GenerateDataKey`, `kms:Encrypt`, `kms:Decrypt`; for `rewrap`,
 * `kms:ReEncryptFrom` on the old key and `kms:ReEncryptTo` on the configured one, plus
 * `kms:DescribeKey` when the configured key is not given as a key ARN.
 *
 * @example
 * import { KMSClient } from '@aws-sdk/client-kms';
 *
 * const keys = new KmsKeyProvider({
 *   client: new KMSClient({ retryMode: 'standard', maxAttempts: 5 }),
 *   keyId: 'alias/strongroom',
 * });
 */
export class KmsKeyProvider implements KeyProvider {
  readonly providerId = KMS_PROVIDER_ID;
  readonly maxDirectBytes = MAX_PLAINTEXT_BYTES;
  readonly #client: KMSClient;
  readonly #keyId: string;
  #keyArn: string | undefined;
  #resolving: Promise<string> | undefined;

  constructor(options: KmsKeyProviderOptions) {
    if (typeof options.keyId !== 'string' || options.keyId.trim().length === 0) {
      throw new TypeError('keyId must be a KMS key id, key ARN, alias name or alias ARN');
    }

    this.#client = options.client;
    this.#keyId = options.keyId;
    // A key ARN is already what key references hold; only an id or alias needs DescribeKey.
    this.#keyArn = KEY_ARN.test(options.keyId) ? options.keyId : undefined;
  }

  /** The configured key, as given: key id, key ARN, alias name or alias ARN. */
  get keyId(): string {
    return this.#keyId;
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const request = {
      KeyId: this.#keyId,
      KeySpec: 'AES_256' as const,
      EncryptionContext: kmsContext(context, 'data-key'),
    };
    const output = await this.#call('kms:GenerateDataKey', this.#keyId, () =>
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
    const output = await this.#call('kms:Encrypt', this.#keyId, () =>
      this.#client.send(new EncryptCommand(request)),
    );

    const blob = copyBlob(output.CiphertextBlob, 'Encrypt', this.#keyId);

    return { blob, keyRef: this.#written(output.KeyId, 'Encrypt') };
  }

  async decrypt(blob: Uint8Array, keyRef: KeyReference, context: EncryptionContext) {
    return this.#decrypt(blob, keyRef, context, 'value');
  }

  async unwrapDataKey(wrapped: Uint8Array, keyRef: KeyReference, context: EncryptionContext) {
    const dataKey = await this.#decrypt(wrapped, keyRef, context, 'data-key');
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
    const sourceArn = keyArnOf(keyRef, blob);
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
    // and KMS may refuse either key: an error names both.
    const keys = `${sourceArn} or ${destinationArn}`;
    const output = await this.#call('kms:ReEncrypt*', keys, () =>
      this.#client.send(new ReEncryptCommand(request)),
    );

    const next = copyBlob(output.CiphertextBlob, 'ReEncrypt', destinationArn);

    return { blob: next, keyRef: keyReference(output.KeyId, 'ReEncrypt', destinationArn) };
  }

  /**
   * Decrypts a bare KMS ciphertext written before strongroom, with no encryption context. No
   * key is named, since the legacy item does not record one: KMS takes it from the ciphertext,
   * so the principal's `kms:Decrypt` permissions decide which keys such items may use.
   */
  async decryptLegacy(blob: Uint8Array): Promise<Uint8Array> {
    checkBlobSize(blob);

    const output = await this.#call('kms:Decrypt', LEGACY_KEY, () =>
      this.#client.send(new DecryptCommand({ CiphertextBlob: blob })),
    );

    return takePlaintext(output.Plaintext, 'Decrypt', LEGACY_KEY);
  }

  async #decrypt(
    blob: Uint8Array,
    keyRef: KeyReference,
    context: EncryptionContext,
    kind: BlobKind,
  ): Promise<Buffer> {
    const keyArn = keyArnOf(keyRef, blob);
    const request = {
      CiphertextBlob: blob,
      KeyId: keyArn,
      EncryptionContext: kmsContext(context, kind),
    };

    const output = await this.#call('kms:Decrypt', keyArn, () =>
      this.#client.send(new DecryptCommand(request)),
    );

    return takePlaintext(output.Plaintext, 'Decrypt', keyArn);
  }

  /** The key reference of a fresh blob; the ARN KMS named is where the configured key points. */
  #written(keyId: string | undefined, operation: string): KeyReference {
    const keyRef = keyReference(keyId, operation, this.#keyId);
    this.#keyArn = keyRef.keyId;

    return keyRef;
  }

  /**
   * The configured key's ARN, for comparing with key references. An alias can be re-pointed, so
   * it is resolved per provider instance: once with DescribeKey, then kept up to date by the
   * key ARN each GenerateDataKey and Encrypt returns.
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
    const output = await this.#call('kms:DescribeKey', this.#keyId, () =>
      this.#client.send(new DescribeKeyCommand({ KeyId: this.#keyId })),
    );

    const arn = output.KeyMetadata?.Arn;
    if (arn === undefined || !KEY_ARN.test(arn)) {
      throw incomplete('DescribeKey', this.#keyId);
    }
    this.#keyArn ??= arn;

    return this.#keyArn;
  }

  async #call<T>(action: string, keyLabel: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw kmsError(error, action, keyLabel);
    }
  }
}

/** The store's context plus the `use` pair that keeps data keys and values apart. */
function kmsContext(context: EncryptionContext, kind: BlobKind): Record<string, string> {
  if (Object.hasOwn(context, KMS_USE_CONTEXT_KEY)) {
    throw new RangeError(`encryption context key ${KMS_USE_CONTEXT_KEY} is reserved for KMS`);
  }

  return { ...context, [KMS_USE_CONTEXT_KEY]: kind };
}

/**
 * The key ARN a stored key reference names. Stored bytes are untrusted: anything this provider
 * could not have written, including an oversized blob, is an IntegrityError with no KMS call.
 */
function keyArnOf(keyRef: KeyReference, blob: Uint8Array): string {
  const ours = keyRef.provider === KMS_PROVIDER_ID && keyRef.layer === 'master';
  if (!ours || keyRef.keyVersion !== 0 || !KEY_ARN.test(keyRef.keyId)) {
    throw new IntegrityError();
  }
  checkBlobSize(blob);

  return keyRef.keyId;
}

function checkBlobSize(blob: Uint8Array): void {
  if (blob.length < 1 || blob.length > MAX_CIPHERTEXT_BYTES) {
    throw new IntegrityError();
  }
}

function keyReference(keyId: string | undefined, operation: string, label: string): KeyReference {
  if (keyId === undefined || !KEY_ARN.test(keyId)) {
    throw incomplete(operation, label);
  }

  return { provider: KMS_PROVIDER_ID, keyId, keyVersion: 0, layer: 'master' };
}

/** A fresh copy of a blob KMS returned, so that nothing shares the SDK's buffer. */
function copyBlob(bytes: Uint8Array | undefined, operation: string, label: string): Buffer {
  if (bytes === undefined || bytes.length < 1 || bytes.length > MAX_CIPHERTEXT_BYTES) {
    throw incomplete(operation, label);
  }

  return Buffer.from(bytes);
}

/**
 * Moves plaintext out of the SDK's buffer: a fresh, unpooled copy for the caller, the SDK's
 * buffer wiped. The base64 text it was decoded from is a string, which cannot be wiped.
 */
function takePlaintext(bytes: Uint8Array | undefined, operation: string, label: string): Buffer {
  if (bytes === undefined) {
    throw incomplete(operation, label);
  }

  const copy = Buffer.alloc(bytes.length);
  copy.set(bytes);
  bytes.fill(0);

  return copy;
}

function incomplete(operation: string, label: string): KeyProviderError {
  return new KeyProviderError(
    `AWS KMS ${operation} returned an incomplete response for key ${label}`,
  );
}

/**
 * Maps an SDK error to strongroom's. The AWS error goes into `cause`, never into the message,
 * except for integrity failures, which carry no cause: the fixed message is all they say.
 */
function kmsError(error: unknown, action: string, keyLabel: string): Error {
  const name = error instanceof Error ? error.name : undefined;
  const options = { cause: error };

  switch (name) {
    case 'InvalidCiphertextException':
    case 'IncorrectKeyException':
      return new IntegrityError();
    case 'AccessDeniedException':
      return new KeyAccessDeniedError(keyLabel, action, options);
    case 'DisabledException':
      return new KeyUnavailableError(keyLabel, 'it is disabled', options);
    case 'KMSInvalidStateException':
      return new KeyUnavailableError(
        keyLabel,
        `it is pending deletion or in another state that does not allow ${action}`,
        options,
      );
    case 'KeyUnavailableException':
      return new KeyUnavailableError(keyLabel, 'its key material is unavailable now', options);
    case 'NotFoundException':
      return new KeyNotFoundError(keyLabel, options);
    case 'InvalidKeyUsageException':
      return new KeyProviderError(`key ${keyLabel} is not a symmetric encryption key`, options);
    case 'ThrottlingException':
      return new KeyProviderError(
        `AWS KMS throttled ${action} for key ${keyLabel} beyond the client's retries`,
        options,
      );
    default:
      return new KeyProviderError(`AWS KMS ${action} failed for key ${keyLabel}`, options);
  }
}
