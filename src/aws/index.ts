/**
 * strongroom/aws: the production path. DynamoDB storage (the article's table: partition key
 * `customerId`, sort key `secretId`) and the AWS KMS key provider, through the AWS SDK for
 * JavaScript v3 (`@aws-sdk/client-dynamodb` and `@aws-sdk/client-kms`, optional peer
 * dependencies of strongroom: install them to use this entry point).
 */
export {
  type AwsStore,
  type AwsStoreOptions,
  CLIENT_DEFAULTS,
  KMS_KEY_ENV,
  openAwsStore,
  resolveAwsNames,
  TABLE_ENV,
} from './aws-store.js';
export { KmsKeyProvider } from '../keys/aws/kms-key-provider.js';
export { DynamoDbBackend } from '../storage/dynamodb-backend.js';
