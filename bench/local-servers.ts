import { type ChildProcess, fork } from 'node:child_process';
import { javaMajorVersion } from '../scripts/dynamodb-local.mjs';
import { ACCESS_KEY, REGION, type ServerAddresses } from './clients.js';
import type { KmsCounts } from './kms-counts.js';

/** DynamoDB Local and the KMS test server, both on 127.0.0.1, for one benchmark. */
export interface BenchServers extends ServerAddresses {
  /** KMS calls per operation since the servers started, failed ones included. */
  kmsCounts(): Promise<KmsCounts>;
}

/** A question to server-process.ts: its KMS counts. */
export interface ServerRequest {
  readonly id: number;
}

/** What server-process.ts sends: once ready (or failed), then one answer per request. */
export type ServerMessage =
  | { readonly ready: ServerAddresses }
  | { readonly failed: string }
  | { readonly id: number; readonly counts: KmsCounts };

// DynamoDB Local takes a few seconds to start, and its first run downloads it.
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 10_000;

/** DynamoDB Local 1.25 needs Java 17 or newer: fail at once, saying so, rather than time out. */
function checkJava(): void {
  const major = javaMajorVersion();
  if (major === undefined) {
    throw new Error('java not found: the benchmark runs DynamoDB Local, which needs Java 17+');
  }
  if (major < 17) {
    throw new Error(`java ${major} found: DynamoDB Local needs Java 17 or newer`);
  }
}

function ready(child: ChildProcess): Promise<ServerAddresses> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the benchmark servers were not ready after ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      outcome();
    };
    const onMessage = (message: ServerMessage) => {
      if ('ready' in message) settle(() => resolve(message.ready));
      if ('failed' in message) settle(() => reject(new Error(message.failed)));
    };
    const onExit = (code: number | null, signal: string | null) => {
      settle(() => reject(new Error(`the benchmark servers exited (${signal ?? code})`)));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Closes the channel, which stops the servers, and waits for the process to end. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts both servers in server-process.ts (under tsx, as the benchmarks run), runs `work` with
 * them and stops them however `work` ends. They also stop when this process dies, even by a
 * signal that runs no exit hook: their process watches the channel to this one.
 */
export async function withServers<T>(work: (servers: BenchServers) => Promise<T>): Promise<T> {
  checkJava();

  const child = fork(new URL('./server-process.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const addresses = await ready(child);

    const pending = new Map<number, (counts: KmsCounts) => void>();
    child.on('message', (message: ServerMessage) => {
      if ('counts' in message) pending.get(message.id)?.(message.counts);
    });
    let ids = 0;
    const kmsCounts = () =>
      new Promise<KmsCounts>((resolve, reject) => {
        ids += 1;
        const id = ids;
        pending.set(id, (counts) => {
          pending.delete(id);
          resolve(counts);
        });
        child.send({ id } satisfies ServerRequest, (error) => error && reject(error));
      });

    return await work({ ...addresses, kmsCounts });
  } finally {
    await stop(child);
  }
}

/**
 * The environment a client that builds its own SDK clients needs to reach these servers: the
 * SDK's standard endpoint, Region and credential variables.
 */
export function serverEnvironment(servers: ServerAddresses): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: ACCESS_KEY,
    AWS_ENDPOINT_URL_DYNAMODB: servers.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_KMS: servers.kms.endpoint,
  };
}
