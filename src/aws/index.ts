/**
 * strongroom/aws: the production path. DynamoDB storage (the article's table: partition key
 * `customerId`, sort key `secretId`) and the AWS KMS key provider, through the AWS SDK for
 * JavaScript v3 (`@aws-sdk/client-dynamodb` and `@aws-sdk/client-kms`, optional peer
 * dependencies of strongroom: install them to use this entry point). It re-exports the error
 * classes and loads nothing of the embedded default, so a Lambda bundle needs no SQLite addon.
 */
export * from '../errors.js';

export {
  KMS_PROVIDER_ID,
  KMS_USE_CONTEXT_KEY,
  KmsKeyProvider,
  type KmsKeyProviderOptions,
} from '../keys/aws/kms-key-provider.js';
export { DynamoDbBackend, type DynamoDbBackendOptions } from '../storage/dynamodb-backend.js';
export { type CreateTableOptions, createSecretsTable } from '../storage/dynamodb-table.js';
export {
  type AwsStore,
  type AwsStoreOptions,
  CLIENT_DEFAULTS,
  KMS_KEY_ENV,
  openAwsStore,
  resolveAwsDefaults,
  resolveAwsNames,
  TABLE_ENV,
  TENANT_KEYS_ENV,
  TRUSTED_KMS_KEYS_ENV,
} from './aws-store.js';
