import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { InvalidInputError } from '../errors.js';
import { KmsKeyProvider } from '../keys/aws/kms-key-provider.js';
import { KEY_ARN } from '../keys/aws/kms-wire.js';
import { DynamoDbBackend } from '../storage/dynamodb-backend.js';
import { openStore, type SecretStore } from '../store/store.js';
import type { StoreOptions } from '../store/types.js';

/** The variable naming the KMS key (id, ARN, alias name or alias ARN), as the article's Lambda. */
export const KMS_KEY_ENV = 'KMS_KEY_ID';
/** The variable naming the DynamoDB table, as the article's Lambda. */
export const TABLE_ENV = 'SECRETS_TABLE_NAME';
/** `true` or `false`: the default of `tenantKeys`, as `SecretsStore.bind` sets it. */
export const TENANT_KEYS_ENV = 'STRONGROOM_TENANT_KEYS';
/** Key ARNs separated by commas: the default of `trustedKmsKeyIds`, as `bind` sets it. */
export const TRUSTED_KMS_KEYS_ENV = 'STRONGROOM_TRUSTED_KMS_KEYS';

/**
 * The SDK settings strongroom's clients use unless given clients of your own: the standard
 * retry strategy (exponential backoff with jitter, retrying throttling and transient errors)
 * with 5 attempts rather than the default 3, for headroom under KMS request quotas.
 * Region, credentials and endpoints come from the SDK's default chains, so
 * `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_KMS` work as usual.
 */
export const CLIENT_DEFAULTS = Object.freeze({ retryMode: 'standard', maxAttempts: 5 });

export interface AwsStoreOptions extends Omit<StoreOptions, 'keys' | 'storage'> {
  /** The table; `$SECRETS_TABLE_NAME` by default. */
  readonly tableName?: string | undefined;
  /** The KMS key: id, ARN, alias name (`alias/x`) or alias ARN; `$KMS_KEY_ID` by default. */
  readonly kmsKeyId?: string | undefined;
  /**
   * Key ARNs of earlier KMS keys whose envelopes the store may still read and rewrap, for
   * example until a rewrap to `kmsKeyId` completes; envelopes under any other key fail with
   * `ERR_INTEGRITY`. Drop a key once `rewrap` reports nothing failed; see {@link KmsKeyProvider}.
   * `$STRONGROOM_TRUSTED_KMS_KEYS` (comma-separated) by default.
   */
  readonly trustedKmsKeyIds?: readonly string[] | undefined;
  /** Per-tenant keys ({@link StoreOptions}); `$STRONGROOM_TENANT_KEYS` by default, else off. */
  readonly tenantKeys?: boolean;
  /** A DynamoDB client of your own; one with {@link CLIENT_DEFAULTS} otherwise. */
  readonly dynamoDb?: DynamoDBClient;
  /** A KMS client of your own; one with {@link CLIENT_DEFAULTS} otherwise. */
  readonly kms?: KMSClient;
  /** Strongly consistent reads (the default); `false` halves the read cost. */
  readonly consistentReads?: boolean;
  /** `reject` refuses items in the pre-strongroom layout; set it once `migrate` has run. */
  readonly legacyItems?: 'read' | 'reject';
  /** Where the variables are read; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The store and the parts it was built from. */
export interface AwsStore {
  readonly store: SecretStore;
  readonly storage: DynamoDbBackend;
  readonly keys: KmsKeyProvider;
  readonly tableName: string;
  readonly kmsKeyId: string;
}

/** The table and key named by the options, else by the environment; an error names what lacks. */
export function resolveAwsNames(options: AwsStoreOptions = {}) {
  const env = options.env ?? process.env;
  const tableName = options.tableName ?? env[TABLE_ENV];
  const kmsKeyId = options.kmsKeyId ?? env[KMS_KEY_ENV];
  if (!tableName) {
    throw new InvalidInputError('tableName', `give a table name or set $${TABLE_ENV}`);
  }
  if (!kmsKeyId) {
    throw new InvalidInputError(
      'kmsKeyId',
      `give a KMS key id, ARN or alias or set $${KMS_KEY_ENV}`,
    );
  }

  return { tableName, kmsKeyId };
}

/** `$STRONGROOM_TENANT_KEYS`: `true`, `false`, or unset (empty counts as unset). */
function tenantKeysFromEnv(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  if (value !== 'true' && value !== 'false') {
    throw new InvalidInputError(`$${TENANT_KEYS_ENV}`, 'must be true or false');
  }

  return value === 'true';
}

/** `$STRONGROOM_TRUSTED_KMS_KEYS`: key ARNs separated by commas, or unset (or empty). */
function trustedKeysFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }

  const ids = value.split(',').map((id) => id.trim());
  // The provider's own rule (it checks again), here too so that the error names the variable.
  if (!ids.every((id) => KEY_ARN.test(id))) {
    throw new InvalidInputError(
      `$${TRUSTED_KMS_KEYS_ENV}`,
      'must be KMS key ARNs, comma-separated',
    );
  }

  return ids;
}

/**
 * The options the environment gives a default for beside the table and key: `tenantKeys` from
 * `$STRONGROOM_TENANT_KEYS`, `trustedKmsKeyIds` from `$STRONGROOM_TRUSTED_KMS_KEYS`. An option
 * given wins; a variable that does not parse is an InvalidInputError naming it, never its value.
 */
export function resolveAwsDefaults(options: AwsStoreOptions = {}) {
  const env = options.env ?? process.env;
  const tenantKeys = options.tenantKeys ?? tenantKeysFromEnv(env[TENANT_KEYS_ENV]);
  const trustedKmsKeyIds =
    options.trustedKmsKeyIds ?? trustedKeysFromEnv(env[TRUSTED_KMS_KEYS_ENV]);

  return {
    ...(tenantKeys === undefined ? {} : { tenantKeys }),
    ...(trustedKmsKeyIds === undefined ? {} : { trustedKmsKeyIds }),
  };
}

/**
 * Opens a store on DynamoDB and AWS KMS: the production path. Reads of the current version are
 * one GetItem; values are sealed under data keys from KMS, bound to tenant, name and version.
 *
 * @example
 * import { openAwsStore } from 'strongroom/aws';
 *
 * // SECRETS_TABLE_NAME and KMS_KEY_ID from the environment, as in the article's Lambda;
 * // STRONGROOM_TENANT_KEYS and STRONGROOM_TRUSTED_KMS_KEYS too, when set.
 * const { store } = openAwsStore();
 * await store.put('customer-123', 'api-key', 'sk_live_...');
 * const secret = await store.get('customer-123', 'api-key');
 */
export function openAwsStore(options: AwsStoreOptions = {}): AwsStore {
  const { tableName, kmsKeyId } = resolveAwsNames(options);
  const { tenantKeys, trustedKmsKeyIds } = resolveAwsDefaults(options);
  const {
    dynamoDb,
    kms,
    consistentReads,
    legacyItems,
    trustedKmsKeyIds: _trusted,
    tenantKeys: _tenantKeys,
    env: _env,
    tableName: _table,
    kmsKeyId: _key,
    ...storeOptions
  } = options;

  const storage = new DynamoDbBackend({
    client: dynamoDb ?? new DynamoDBClient(CLIENT_DEFAULTS as DynamoDBClientConfig),
    destroyClientOnClose: dynamoDb === undefined,
    tableName,
    ...(consistentReads === undefined ? {} : { consistentReads }),
    ...(legacyItems === undefined ? {} : { legacyItems }),
  });
  const keys = new KmsKeyProvider({
    client: kms ?? new KMSClient(CLIENT_DEFAULTS as KMSClientConfig),
    destroyClientOnClose: kms === undefined,
    keyId: kmsKeyId,
    trustedKeyIds: trustedKmsKeyIds,
  });

  return {
    store: openStore({
      ...storeOptions,
      ...(tenantKeys === undefined ? {} : { tenantKeys }),
      keys,
      storage,
    }),
    storage,
    keys,
    tableName,
    kmsKeyId,
  };
}
