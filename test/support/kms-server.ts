import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A small AWS KMS for tests and benchmarks: the AWS JSON 1.1 protocol on 127.0.0.1, symmetric
 * keys only. It checks that an Authorization header is present but never verifies SigV4.
 *
 * Ciphertext blob: version (1) | key id (36, ASCII) | nonce (12) | ciphertext | tag (16), sealed
 * with AES-256-GCM under the key's own material. The AAD is the version, the key id and the
 * canonical encryption context, so any changed byte or context gives InvalidCiphertextException.
 */

const BLOB_VERSION = 0x01;
const KEY_ID_BYTES = 36;
const HEADER_BYTES = 1 + KEY_ID_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// The limits of the KMS API reference, so that a test against this server meets them too.
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
const MAX_DATA_KEY_BYTES = 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

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

/** Settings of {@link startKmsServer}. */
export interface KmsServerOptions {
  /** Written into ARNs; `us-east-1` by default. */
  readonly region?: string;
  /** Written into ARNs; `111122223333` by default. */
  readonly accountId?: string;
  /** Latency added to every call, in milliseconds (a timer: it does not hold the CPU). */
  readonly delayMs?: number;
  /** CPU time burned on every call, in milliseconds, like a slow emulator's. */
  readonly cpuMs?: number;
}

/** A running server. Helpers change state directly, without a request, and are not counted. */
export interface KmsServer {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Every counted call in order, for checking what a client sends (IAM conditions). */
  readonly requests: readonly KmsRequestRecord[];
  delayMs: number;
  cpuMs: number;
  /**
   * Calls per operation since the start or the last {@link KmsServer.resetCounts}, failed ones
   * included. A request without an Authorization header or for an unknown operation is not one.
   */
  counts(): Record<string, number>;
  /** Clears the counts and the request log. */
  resetCounts(): void;
  /** Creates an enabled symmetric key and returns its ARN. */
  createKey(description?: string): Promise<string>;
  /** Points `alias/<name>` (or the given `alias/...` name) at a key. */
  createAlias(aliasName: string, keyArn: string): void;
  disableKey(keyArn: string): void;
  enableKey(keyArn: string): void;
  scheduleKeyDeletion(keyArn: string): void;
  /** Denies IAM actions (`kms:Decrypt`, `kms:ReEncryptFrom`, ...) on a key; all when omitted. */
  denyKey(keyArn: string, actions?: readonly string[]): void;
  allowKey(keyArn: string): void;
  /** Answers the next `count` counted calls with this error (500 for internal errors). */
  failNext(count: number, errorName: string): void;
  close(): Promise<void>;
}

interface ServerKey {
  readonly id: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly description: string;
  readonly created: Date;
  state: KmsKeyState;
  deletionDate?: Date;
  denied: Set<string> | 'all';
}

type Json = Record<string, unknown>;
type Context = Record<string, string>;

/** An error answer: the `__type` the SDK's JSON 1.1 parser turns into the error's name. */
class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidCiphertext = () => new KmsFault('InvalidCiphertextException', '');
const pendingDeletion = (key: ServerKey) =>
  new KmsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`);

// KMS names the member in lower camel case in this message: 'plaintext', not 'Plaintext'.
function validation(member: string, rule: string): KmsFault {
  const field = member.charAt(0).toLowerCase() + member.slice(1);

  return new KmsFault(
    'ValidationException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

function stringField(input: Json, name: string, required: true): string;
function stringField(input: Json, name: string, required?: false): string | undefined;
function stringField(input: Json, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined && !required) {
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(name, 'Member must not be null');
  }

  return value;
}

function blobField(input: Json, name: string, max: number): Buffer {
  const value = input[name];
  if (typeof value !== 'string') {
    throw validation(name, 'Member must not be null');
  }

  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) {
    throw validation(name, 'Member must have length greater than or equal to 1');
  }
  if (bytes.length > max) {
    throw validation(name, `Member must have length less than or equal to ${max}`);
  }

  return bytes;
}

function contextField(input: Json, name: string): Context | undefined {
  const value = input[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw new KmsFault('SerializationException', `${name} must be a map`);
  }
  if (!Object.values(value).every((entry) => typeof entry === 'string')) {
    throw new KmsFault('SerializationException', `${name} values must be strings`);
  }

  return { ...(value as Context) };
}

// KMS compares contexts as sets of pairs, so the AAD sorts them: only the order may differ.
function canonicalContext(context: Context): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

function seal(key: ServerKey, plaintext: Buffer, context: Context): Buffer {
  const header = Buffer.concat([Buffer.of(BLOB_VERSION), Buffer.from(key.id, 'ascii')]);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, nonce);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));

  const ciphertext = cipher.update(plaintext);
  cipher.final();

  return Buffer.concat([header, nonce, ciphertext, cipher.getAuthTag()]);
}

function blobKeyId(blob: Buffer): string {
  if (blob.length < HEADER_BYTES + NONCE_BYTES + 1 + TAG_BYTES || blob[0] !== BLOB_VERSION) {
    throw invalidCiphertext();
  }

  return blob.subarray(1, HEADER_BYTES).toString('latin1');
}

function open(key: ServerKey, blob: Buffer, context: Context): Buffer {
  const nonce = blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.material, nonce);
  decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_BYTES), canonicalContext(context)]));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));

  const plaintext = decipher.update(blob.subarray(HEADER_BYTES + NONCE_BYTES, -TAG_BYTES));
  try {
    decipher.final();
  } catch {
    throw invalidCiphertext();
  }

  return plaintext;
}

/** The keys, the aliases and the operations, apart from HTTP. */
class Kms {
  readonly keys = new Map<string, ServerKey>();
  readonly aliases = new Map<string, string>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  get arnPrefix(): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:`;
  }

  createKey(description: string): ServerKey {
    const id = randomUUID();
    const key: ServerKey = {
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
  resolve(keyId: string, allowAlias = true): ServerKey {
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
  authorize(key: ServerKey, action: string): ServerKey {
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
  use(key: ServerKey, action: string): ServerKey {
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
  openBlob(blob: Buffer, context: Context, named: string | undefined, action: string) {
    const key = this.keys.get(blobKeyId(blob));
    if (key === undefined) {
      throw invalidCiphertext();
    }
    if (named !== undefined && this.resolve(named) !== key) {
      throw new KmsFault(
        'IncorrectKeyException',
        'The key ID in the request does not identify the key of the ciphertext.',
      );
    }

    return { key, plaintext: open(this.use(key, action), blob, context) };
  }

  metadata(key: ServerKey): Json {
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

  setState(keyId: string, state: KmsKeyState): ServerKey {
    const key = this.resolve(keyId, false);
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }
    key.state = state;

    return key;
  }

  scheduleDeletion(keyId: string, days: number): ServerKey {
    const key = this.resolve(keyId, false);
    if (key.state === 'PendingDeletion') {
      throw pendingDeletion(key);
    }
    key.state = 'PendingDeletion';
    key.deletionDate = new Date(Date.now() + days * 86_400_000);

    return key;
  }
}

type MutableRecord = { -readonly [K in keyof KmsRequestRecord]: KmsRequestRecord[K] };

/** Copies the defined fields into the log record, so that absent request members stay absent. */
function note(record: MutableRecord, fields: { [K in keyof KmsRequestRecord]?: unknown }): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) {
      (record as Record<string, unknown>)[name] = value;
    }
  }
}

function dataKeyBytes(input: Json): number {
  const spec = input.KeySpec;
  const count = input.NumberOfBytes;
  if ((spec === undefined) === (count === undefined)) {
    throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec.');
  }

  if (spec !== undefined) {
    if (spec !== 'AES_256' && spec !== 'AES_128') {
      throw validation('keySpec', 'Member must satisfy enum value set: [AES_256, AES_128]');
    }
    return spec === 'AES_256' ? 32 : 16;
  }

  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_DATA_KEY_BYTES) {
    throw validation('numberOfBytes', `Member must be between 1 and ${MAX_DATA_KEY_BYTES}`);
  }
  return count as number;
}

type Operation = (kms: Kms, input: Json, record: MutableRecord) => Json;

const SYMMETRIC = 'SYMMETRIC_DEFAULT';

const OPERATIONS: Record<string, Operation> = {
  Encrypt(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const plaintext = blobField(input, 'Plaintext', MAX_PLAINTEXT_BYTES);
    const key = kms.use(kms.resolve(keyId), 'kms:Encrypt');
    note(record, { keyArn: key.arn });

    const blob = seal(key, plaintext, context ?? {});
    return {
      CiphertextBlob: blob.toString('base64'),
      KeyId: key.arn,
      EncryptionAlgorithm: SYMMETRIC,
    };
  },

  Decrypt(kms, input, record) {
    const keyId = stringField(input, 'KeyId');
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const blob = blobField(input, 'CiphertextBlob', MAX_CIPHERTEXT_BYTES);
    const { key, plaintext } = kms.openBlob(blob, context ?? {}, keyId, 'kms:Decrypt');
    note(record, { keyArn: key.arn });

    return {
      KeyId: key.arn,
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: SYMMETRIC,
    };
  },

  GenerateDataKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const size = dataKeyBytes(input);
    const key = kms.use(kms.resolve(keyId), 'kms:GenerateDataKey');
    note(record, { keyArn: key.arn });

    const plaintext = randomBytes(size);
    const blob = seal(key, plaintext, context ?? {});
    return {
      CiphertextBlob: blob.toString('base64'),
      Plaintext: plaintext.toString('base64'),
      KeyId: key.arn,
    };
  },

  ReEncrypt(kms, input, record) {
    const sourceKeyId = stringField(input, 'SourceKeyId');
    const destinationKeyId = stringField(input, 'DestinationKeyId', true);
    const sourceEncryptionContext = contextField(input, 'SourceEncryptionContext');
    const destinationEncryptionContext = contextField(input, 'DestinationEncryptionContext');
    note(record, {
      sourceKeyId,
      destinationKeyId,
      sourceEncryptionContext,
      destinationEncryptionContext,
    });

    const blob = blobField(input, 'CiphertextBlob', MAX_CIPHERTEXT_BYTES);
    const destination = kms.resolve(destinationKeyId);
    const from = kms.openBlob(
      blob,
      sourceEncryptionContext ?? {},
      sourceKeyId,
      'kms:ReEncryptFrom',
    );
    kms.use(destination, 'kms:ReEncryptTo');
    note(record, { sourceKeyArn: from.key.arn, keyArn: destination.arn });

    const sealed = seal(destination, from.plaintext, destinationEncryptionContext ?? {});
    from.plaintext.fill(0);
    return {
      CiphertextBlob: sealed.toString('base64'),
      SourceKeyId: from.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: SYMMETRIC,
      DestinationEncryptionAlgorithm: SYMMETRIC,
    };
  },

  CreateKey(kms, input) {
    const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? SYMMETRIC;
    if (spec !== SYMMETRIC || (input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
      throw new KmsFault('UnsupportedOperationException', 'Only symmetric encryption keys.');
    }

    const description = typeof input.Description === 'string' ? input.Description : '';
    return { KeyMetadata: kms.metadata(kms.createKey(description)) };
  },

  CreateAlias(kms, input, record) {
    const aliasName = stringField(input, 'AliasName', true);
    const keyId = stringField(input, 'TargetKeyId', true);
    note(record, { keyId });

    kms.createAlias(aliasName, keyId);
    return {};
  },

  DescribeKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId });

    const key = kms.authorize(kms.resolve(keyId), 'kms:DescribeKey');
    note(record, { keyArn: key.arn });
    return { KeyMetadata: kms.metadata(key) };
  },

  EnableKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId, keyArn: kms.setState(keyId, 'Enabled').arn });

    return {};
  },

  DisableKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId, keyArn: kms.setState(keyId, 'Disabled').arn });

    return {};
  },

  ScheduleKeyDeletion(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const days = input.PendingWindowInDays ?? 30;
    if (!Number.isInteger(days) || (days as number) < 7 || (days as number) > 30) {
      throw validation('pendingWindowInDays', 'Member must be between 7 and 30');
    }

    const key = kms.scheduleDeletion(keyId, days as number);
    note(record, { keyId, keyArn: key.arn });
    return {
      KeyId: key.arn,
      DeletionDate: (key.deletionDate as Date).getTime() / 1000,
      KeyState: key.state,
      PendingWindowInDays: days,
    };
  },
};

// Errors KMS answers with a 5xx status, which the SDK's standard retry mode retries.
const SERVER_FAULTS = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
]);

function burnCpu(ms: number): void {
  const until = performance.now() + ms;
  const block = Buffer.alloc(1024);
  while (performance.now() < until) {
    createHash('sha256').update(block).digest();
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks);
}

function parseInput(body: Buffer): Json {
  if (body.length > MAX_BODY_BYTES) {
    throw new KmsFault('SerializationException', 'The request body is too large.');
  }
  if (body.length === 0) {
    return {};
  }

  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsFault('SerializationException', 'The request body is not JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new KmsFault('SerializationException', 'The request body is not a JSON object.');
  }

  return input as Json;
}

class RunningKmsServer implements KmsServer {
  readonly endpoint: string;
  delayMs: number;
  cpuMs: number;
  readonly #kms: Kms;
  readonly #http: ReturnType<typeof createServer>;
  readonly #counts = new Map<string, number>();
  #requests: MutableRecord[] = [];
  #failures = { count: 0, errorName: '' };

  constructor(kms: Kms, http: ReturnType<typeof createServer>, options: KmsServerOptions) {
    this.#kms = kms;
    this.#http = http;
    this.endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    this.delayMs = options.delayMs ?? 0;
    this.cpuMs = options.cpuMs ?? 0;
  }

  get region(): string {
    return this.#kms.region;
  }

  get accountId(): string {
    return this.#kms.accountId;
  }

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

  async createKey(description = ''): Promise<string> {
    return this.#kms.createKey(description).arn;
  }

  createAlias(aliasName: string, keyArn: string): void {
    this.#kms.createAlias(
      aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`,
      keyArn,
    );
  }

  disableKey(keyArn: string): void {
    this.#kms.setState(keyArn, 'Disabled');
  }

  enableKey(keyArn: string): void {
    this.#kms.setState(keyArn, 'Enabled');
  }

  scheduleKeyDeletion(keyArn: string): void {
    this.#kms.scheduleDeletion(keyArn, 30);
  }

  denyKey(keyArn: string, actions?: readonly string[]): void {
    this.#kms.resolve(keyArn, false).denied = actions === undefined ? 'all' : new Set(actions);
  }

  allowKey(keyArn: string): void {
    this.#kms.resolve(keyArn, false).denied = new Set();
  }

  failNext(count: number, errorName: string): void {
    this.#failures = { count, errorName };
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.close((error) => (error ? reject(error) : resolve()));
      // The SDK keeps connections alive; close() alone would wait for them to time out.
      this.#http.closeAllConnections();
    });
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (this.delayMs > 0) {
      await sleep(this.delayMs);
    }
    if (this.cpuMs > 0) {
      burnCpu(this.cpuMs);
    }

    const { status, payload } = this.#answer(request, body);
    const text = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    response.end(text);
  }

  #answer(request: IncomingMessage, body: Buffer): { status: number; payload: Json } {
    let record: MutableRecord | undefined;
    try {
      const operation = this.#operation(request);
      record = { operation };
      this.#requests.push(record);
      this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);

      this.#injectedFailure();
      const run = OPERATIONS[operation] as Operation;
      return { status: 200, payload: run(this.#kms, parseInput(body), record) };
    } catch (error) {
      const fault =
        error instanceof KmsFault
          ? error
          : new KmsFault('KMSInternalException', 'The server failed.', 500);
      if (record !== undefined) {
        record.error = fault.type;
      }

      const message = fault.message === '' ? {} : { message: fault.message };
      return { status: fault.status, payload: { __type: fault.type, ...message } };
    }
  }

  #operation(request: IncomingMessage): string {
    if (request.method !== 'POST' || request.url !== '/') {
      throw new KmsFault('UnknownOperationException', 'Only POST / is served.');
    }
    if (request.headers.authorization === undefined) {
      throw new KmsFault(
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
        403,
      );
    }

    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.replace(/^TrentService\./, '') : '';
    if (operation === target || !Object.hasOwn(OPERATIONS, operation)) {
      throw new KmsFault('UnknownOperationException', 'The operation is not supported.');
    }

    return operation;
  }

  #injectedFailure(): void {
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
}

/**
 * Starts a KMS server on 127.0.0.1 on a free port. Close it when the tests are done.
 *
 * @example
 * const server = await startKmsServer();
 * const client = new KMSClient({ region: 'us-east-1', endpoint: server.endpoint, credentials });
 * const keyArn = await server.createKey();
 */
export async function startKmsServer(options: KmsServerOptions = {}): Promise<KmsServer> {
  const kms = new Kms(options.region ?? 'us-east-1', options.accountId ?? '111122223333');
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  const server = new RunningKmsServer(kms, http, options);
  http.on('request', (request, response) => {
    server.handle(request, response).catch(() => response.destroy());
  });

  return server;
}
