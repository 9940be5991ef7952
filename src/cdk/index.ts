/**
 * `strongroom/cdk`: the AWS CDK construct for strongroom's key and table, and the grants that
 * give each principal only the calls the library makes. Needs `aws-cdk-lib` and `constructs`
 * (optional peer dependencies); loads no AWS SDK client.
 */
export type { AdminGrantOptions, GrantTarget } from './grants.js';
export {
  ADMIN_DYNAMODB_ACTIONS,
  type Conditions,
  DEFAULT_TENANT_TAG,
  DYNAMODB_ACTIONS,
  GRANT_ACCESS,
  type GrantAccess,
  KMS_ACTIONS,
  kmsContextConditions,
  leadingKeysCondition,
  principalTagVariable,
  STRONGROOM_CONTEXT_KEYS,
  TENANT_KEY_USE,
  tenantKeyConditions,
} from './policy-actions.js';
export { SecretsStore, type SecretsStoreProps } from './secrets-store.js';
