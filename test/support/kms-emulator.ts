import { randomBytes, randomUUID } from 'node:crypto';
import { blobKeyId, type EncryptionContext, openBlob } from './kms-blob.js';

/**
 * The state of the test KMS apart from HTTP: the keys, the aliases, their states and the log of
 * counted calls. The operations that read and change it are in `kms-operations.ts`.
 */

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

// Errors KMS answers with a 5xx status, which the SDK's standard retry mode retries.
const SERVER_FAULTS = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
]);

/** A key's lifecycle state, as `KeyMetadata.KeyState` names it. */
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** One call as the server received it. Holds no plaintext and no ciphertext. */
export interface KmsRequestRecord {
  readonly operation: string;
  /** `KeyId` as sent (Encrypt, Decrypt, GenerateDataKey, DescribeKey and the management calls). */
  readonly keyId?: string;
  /** The ARN of the key the call used, once resolved; for ReEncrypt, the destination key. */
  readonly keyArn?: string;
  readonly encryptionContext?: Record<string, string>;
  readonly sourceKeyId?: string;
  readonly sourceKeyArn?: string;
  readonly destinationKeyId?: string;
  readonly sourceEncryptionContext?: Record<string, string>;
  readonly destinationEncryptionContext?: Record<string, string>;
  /** The error name the call was answered with, if it failed. */
  readonly error?: string;
}

/** A record while its call runs: the operation fills it in as it learns each field. */
export type MutableRecord = { -readonly [K in keyof KmsRequestRecord]: KmsRequestRecord[K] };

/** A JSON object, as a request's input or an answer's payload. */
export type Json = Record<string, unknown>;

/** A key of the store. Its material never leaves the emulator. */
export interface StoredKey {
  readonly id: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly description: string;
  readonly created: Date;
  state: KmsKeyState;
  deletionDate?: Date;
  denied: Set<string> | 'all';
}

/** An error answer: the `__type` the SDK's JSON 1.1 parser turns into the error's name. */
export class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidCiphertext = () => new KmsFault('InvalidCiphertextException', '');
const pendingDeletion = (key: StoredKey) =>
  new KmsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`);

/** The keys, the aliases and the call log, apart from HTTP. */
export class KmsEmulator {
  readonly keys = new Map<string, StoredKey>();
  readonly aliases = new Map<string, string>();
  readonly #counts = new Map<string, number>();
  #requests: MutableRecord[] = [];
  #failures = { count: 0, errorName: '' };

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  get arnPrefix(): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:`;
  }

  /** Every counted call in order; a reset starts a new array and leaves the old one alone. */
  get requests(): readonly KmsRequestRecord[] {
    return this.#requests;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  resetCounts(): void {
    this.#counts.clear();
    this.#requests = [];
  }

  /** Logs and counts a call of a known operation, and returns its record to fill in. */
  logCall(operation: string): MutableRecord {
    const record: MutableRecord = { operation };
    this.#requests.push(record);
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);

    return record;
  }

  failNext(count: number, errorName: string): void {
    this.#failures = { count, errorName };
  }

  /** Throws the error {@link KmsEmulator.failNext} asked for, while any are left. */
  throwInjectedFailure(): void {
    if (this.#failures.count <= 0) {
      return;
    }
    this.#failures.count -= 1;

    const { errorName } = this.#failures;
    throw new KmsFault(
      errorName,
      'Injected by the test.',
      SERVER_FAULTS.has(errorName) ? 500 : 400,
    );
  }

  createKey(description: string): StoredKey {
    const id = randomUUID();
    const key: StoredKey = {
      id,
      arn: `${this.arnPrefix}key/${id}`,
      material: randomBytes(32),
      description,
      created: new Date(),
      state: 'Enabled',
      denied: new Set(),
    };
    this.keys.set(id, key);

    return key;
  }

  /** Resolves a key id or key ARN and, where `allowAlias`, an alias name or alias ARN. */
  resolve(keyId: string, allowAlias = true): StoredKey {
    let local = keyId;
    if (keyId.startsWith('arn:')) {
      const rest = keyId.startsWith(this.arnPrefix) ? keyId.slice(this.arnPrefix.length) : '';
      local = rest.startsWith('key/') ? rest.slice('key/'.length) : rest;
    }

    const isAlias = local.startsWith('alias/');
    const id = isAlias ? (allowAlias ? this.aliases.get(local) : undefined) : local;
    const key = id === undefined ? undefined : this.keys.get(id);
    if (key === undefined) {
      const message = isAlias ? `Alias ${keyId} is not found.` : `Key '${keyId}' does not exist`;
      throw new KmsFault('NotFoundException', message);
    }

    return key;
  }

  /** Answers AccessDeniedException where a test denied the IAM action on the key. */
  authorize(key: StoredKey, action: string): StoredKey {
    if (key.denied === 'all' || key.denied.has(action)) {
      throw new KmsFault(
        'AccessDeniedException',
        `User: arn:aws:iam::${this.accountId}:user/test is not authorized to perform: ` +
          `${action} on resource: ${key.arn} because no identity-based policy allows it`,
      );
    }

    return key;
  }

  /** A cryptographic use: authorization first, then the key state, as KMS checks them. */
  use(key: StoredKey, action: string): StoredKey {
    this.authorize(key, action);
    if (key.state === 'Disabled') {
      throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
    }
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }

    return key;
  }

  /** Finds the blob's key, checks a named key against it, and opens the blob. */
  decryptBlob(blob: Buffer, context: EncryptionContext, named: string | undefined, action: string) {
    const id = blobKeyId(blob);
    const key = id === undefined ? undefined : this.keys.get(id);
    if (key === undefined) {
      throw invalidCiphertext();
    }
    if (named !== undefined && this.resolve(named) !== key) {
      throw new KmsFault(
        'IncorrectKeyException',
        'The key ID in the request does not identify the key of the ciphertext.',
      );
    }

    const plaintext = openBlob(this.use(key, action), blob, context);
    if (plaintext === undefined) {
      throw invalidCiphertext();
    }

    return { key, plaintext };
  }

  metadata(key: StoredKey): Json {
    return {
      AWSAccountId: this.accountId,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.created.getTime() / 1000,
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      ...(key.deletionDate ? { DeletionDate: key.deletionDate.getTime() / 1000 } : {}),
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }

  createAlias(aliasName: string, targetKeyId: string): void {
    if (!ALIAS_NAME.test(aliasName) || aliasName.startsWith('alias/aws/')) {
      throw new KmsFault('InvalidAliasNameException', `Alias ${aliasName} is not valid.`);
    }
    if (this.aliases.has(aliasName)) {
      throw new KmsFault(
        'AlreadyExistsException',
        `An alias with the name ${aliasName} already exists`,
      );
    }

    const key = this.resolve(targetKeyId, false);
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }
    this.aliases.set(aliasName, key.id);
  }

  setState(keyId: string, state: KmsKeyState): StoredKey {
    const key = this.resolve(keyId, false);
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }
    key.state = state;

    return key;
  }

  scheduleDeletion(keyId: string, days: number): StoredKey {
    const key = this.resolve(keyId, false);
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }
    key.state = 'PendingDeletion';
    key.deletionDate = new Date(Date.now() + days * 86_400_000);

    return key;
  }
}
