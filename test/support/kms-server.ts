import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Json,
  KmsEmulator,
  KmsFault,
  type KmsRequestRecord,
  type MutableRecord,
} from './kms-emulator.js';
import { OPERATIONS, type Operation } from './kms-operations.js';

export type { KmsKeyState, KmsRequestRecord } from './kms-emulator.js';

/**
 * A small AWS KMS for tests and benchmarks: the AWS JSON 1.1 protocol on 127.0.0.1, symmetric
 * keys only. It checks that an Authorization header is present but never verifies SigV4. This
 * file is the HTTP side; the keys and the call log are in `kms-emulator.ts`, the operations in
 * `kms-operations.ts` and the ciphertext blob format in `kms-blob.ts`.
 */

const MAX_BODY_BYTES = 1024 * 1024;

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
  readonly #kms: KmsEmulator;
  readonly #http: ReturnType<typeof createServer>;

  constructor(kms: KmsEmulator, http: ReturnType<typeof createServer>, options: KmsServerOptions) {
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
    return this.#kms.requests;
  }

  counts(): Record<string, number> {
    return this.#kms.counts();
  }

  resetCounts(): void {
    this.#kms.resetCounts();
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
    this.#kms.failNext(count, errorName);
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
      record = this.#kms.logCall(operation);

      this.#kms.throwInjectedFailure();
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
  const kms = new KmsEmulator(options.region ?? 'us-east-1', options.accountId ?? '111122223333');
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  const server = new RunningKmsServer(kms, http, options);
  http.on('request', (request, response) => {
    server.handle(request, response).catch(() => response.destroy());
  });

  return server;
}
