/**
 * DynamoDB Local and the KMS test server for one benchmark, in a process of their own: started
 * by {@link withServers} in local-servers.ts, never run by hand. Apart from the client, the KMS
 * server's work does not share the event loop being measured, as a real KMS would not; and the
 * servers stop when the channel to the parent closes, so that a benchmark killed outright (where
 * no exit hook of its own runs) still leaves no emulator behind.
 */
import { startDynamoDbLocal } from '../scripts/dynamodb-local.mjs';
import { startKmsServer } from '../test/support/kms-server.js';
import type { ServerMessage, ServerRequest } from './local-servers.js';

const send = (message: ServerMessage) => process.send?.(message);

async function serve(): Promise<void> {
  const dynamoDb = await startDynamoDbLocal();
  const kms = await startKmsServer().catch(async (error: unknown) => {
    await dynamoDb.stop();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= Promise.allSettled([kms.close(), dynamoDb.stop()]).then(() => process.exit(0));
    return stopping;
  };
  process.once('disconnect', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  process.on('message', (request: ServerRequest) => {
    send({ id: request.id, counts: kms.counts() });
  });

  const keyArn = await kms.createKey('strongroom benchmarks');
  send({
    ready: {
      dynamoDbEndpoint: dynamoDb.endpoint,
      kms: { endpoint: kms.endpoint, region: kms.region, keyArn },
    },
  });
}

serve().catch((error: unknown) => {
  send({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
