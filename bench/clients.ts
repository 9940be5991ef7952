import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { CLIENT_DEFAULTS } from '../src/aws/aws-store.js';

/**
 * SDK clients on the benchmark's local servers. Kept apart from the code that starts the
 * servers, so that the scale benchmark's client process loads nothing it would not in a service.
 */

/** Where the servers listen, and the one KMS key the benchmarks use. */
export interface ServerAddresses {
  readonly dynamoDbEndpoint: string;
  readonly kms: { readonly endpoint: string; readonly region: string; readonly keyArn: string };
}

/** The Region in every client's settings; the KMS server writes its own into ARNs. */
export const REGION = 'us-east-1';
/** DynamoDB Local takes only letters and digits in an access key id; the KMS server takes any. */
export const ACCESS_KEY = 'strongroombench';

/** Fresh dummy credentials: the SDK marks the object it is given, so one per client. */
function credentials() {
  return { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY };
}

/**
 * The settings of a DynamoDB client on DynamoDB Local: strongroom's own (CLIENT_DEFAULTS), so
 * that every contender's requests go out alike.
 */
export function dynamoDbConfig(servers: ServerAddresses): DynamoDBClientConfig {
  return {
    ...(CLIENT_DEFAULTS as DynamoDBClientConfig),
    region: REGION,
    endpoint: servers.dynamoDbEndpoint,
    credentials: credentials(),
  };
}

/** A new DynamoDB client on DynamoDB Local, with {@link dynamoDbConfig}. */
export function newDynamoDbClient(servers: ServerAddresses): DynamoDBClient {
  return new DynamoDBClient(dynamoDbConfig(servers));
}

/** A new KMS client on the KMS test server, with strongroom's client settings. */
export function newKmsClient(servers: ServerAddresses): KMSClient {
  const config: KMSClientConfig = {
    ...(CLIENT_DEFAULTS as KMSClientConfig),
    region: servers.kms.region,
    endpoint: servers.kms.endpoint,
    credentials: credentials(),
  };

  return new KMSClient(config);
}
