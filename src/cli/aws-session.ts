import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { CLIENT_DEFAULTS, openAwsStore, resolveAwsNames } from '../aws/aws-store.js';
import type { SecretStore } from '../store/store.js';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './options.js';

/** The table and key a command names: flags first, then `$SECRETS_TABLE_NAME`, `$KMS_KEY_ID`. */
export function awsNames(options: GlobalOptions, io: CliIo) {
  return resolveAwsNames({ tableName: options.table, kmsKeyId: options.kmsKey, env: io.env });
}

/** New SDK clients with strongroom's defaults; region, credentials and endpoints from the SDK. */
export function awsClients() {
  return {
    dynamoDb: new DynamoDBClient(CLIENT_DEFAULTS as DynamoDBClientConfig),
    kms: new KMSClient(CLIENT_DEFAULTS as KMSClientConfig),
  };
}

/** Runs `work` on a store over DynamoDB and KMS, then releases the clients' sockets. */
export async function withAwsStore<T>(
  io: CliIo,
  options: GlobalOptions,
  work: (store: { store: SecretStore }) => Promise<T>,
): Promise<T> {
  const names = awsNames(options, io);
  const clients = awsClients();

  try {
    const { store } = openAwsStore({
      ...names,
      ...clients,
      ...(options.trustedKmsKey === undefined ? {} : { trustedKmsKeyIds: options.trustedKmsKey }),
      env: io.env,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.maxVersions === undefined ? {} : { maxVersions: options.maxVersions }),
      ...(options.tenantKeys === undefined ? {} : { tenantKeys: options.tenantKeys }),
    });
    return await work({ store });
  } finally {
    clients.dynamoDb.destroy();
    clients.kms.destroy();
  }
}
