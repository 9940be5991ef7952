import { after, before } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyProvider } from '../../src/keys/aws/kms-key-provider.js';
import { type KmsServer, startKmsServer } from './kms-server.js';

/**
 * Dummy credentials: the test servers want an Authorization header, not a valid signature. A
 * fresh object each time, because the SDK marks the credentials object it is given.
 */
export function testCredentials() {
  return { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret-key' };
}

/** A KMS test server and one SDK client talking HTTP to it. */
export interface KmsForTests {
  readonly server: KmsServer;
  readonly client: KMSClient;
  /** A provider over a fresh key of the server that also trusts `trustedKeyIds` (key ARNs). */
  newProvider(trustedKeyIds?: readonly string[]): Promise<KmsKeyProvider>;
  close(): Promise<void>;
}

export async function kmsForTests(): Promise<KmsForTests> {
  const server = await startKmsServer();
  const client = new KMSClient({
    region: server.region,
    endpoint: server.endpoint,
    credentials: testCredentials(),
  });

  return {
    server,
    client,
    newProvider: async (trustedKeyIds) =>
      new KmsKeyProvider({ client, keyId: await server.createKey(), trustedKeyIds }),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

/**
 * A KMS test server for one test file: started in the file's `before` hook and closed in its
 * `after` hook; the fields are ready inside tests.
 */
export function kmsForTestFile(): KmsForTests {
  let running: KmsForTests | undefined;
  before(async () => {
    running = await kmsForTests();
  });
  after(async () => {
    await running?.close();
  });

  const ready = () => {
    if (running === undefined) {
      throw new Error('the KMS test server is not started: use it in a test, after before()');
    }
    return running;
  };

  return {
    get server() {
      return ready().server;
    },
    get client() {
      return ready().client;
    },
    newProvider: (trustedKeyIds) => ready().newProvider(trustedKeyIds),
    close: async () => {},
  };
}
