import {
  aws_dynamodb as dynamodb,
  type aws_iam as iam,
  aws_kms as kms,
  type aws_lambda as lambda,
  RemovalPolicy,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TENANT_PATTERN } from '../store/validation.js';
import { type AdminGrantOptions, grantAccess, grantAdminAccess } from './grants.js';
import {
  checkAccess,
  DEFAULT_TENANT_TAG,
  type GrantAccess,
  principalTagVariable,
} from './policy-actions.js';
import { checkImports, checkPreviousKeys, type SecretsStoreProps } from './secrets-store-props.js';

export type { SecretsStoreProps } from './secrets-store-props.js';

// The variables `openAwsStore` reads (src/aws/aws-store.ts). Not imported from there: that module
// loads the AWS SDK clients, which a CDK app has no use for.
const KMS_KEY_ENV = 'KMS_KEY_ID';
const TABLE_ENV = 'SECRETS_TABLE_NAME';
const TENANT_KEYS_ENV = 'STRONGROOM_TENANT_KEYS';
const TRUSTED_KMS_KEYS_ENV = 'STRONGROOM_TRUSTED_KMS_KEYS';

/**
 * strongroom's AWS resources: a KMS key with yearly rotation and the DynamoDB table of
 * docs/DYNAMODB.md, both retained when the stack goes, with grants that give a principal the
 * calls the library makes and nothing else. Every KMS grant requires strongroom's encryption
 * context; the tenant grants confine a principal to one tenant's partition and context.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
 * import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
 * import { SecretsStore } from 'strongroom/cdk';
 *
 * const stack = new Stack(new App(), 'Secrets');
 * const secrets = new SecretsStore(stack, 'CustomerSecrets', { alias: 'alias/customer-secrets' });
 *
 * // KMS_KEY_ID and SECRETS_TABLE_NAME in the function's environment, and the readWrite grant.
 * const api = new Function(stack, 'Api', {
 *   runtime: Runtime.NODEJS_22_X,
 *   handler: 'index.handler',
 *   code: Code.fromAsset('dist/api'),
 * });
 * secrets.bind(api);
 *
 * // A role that reads one tenant's secrets and nobody else's.
 * const reporting = new Role(stack, 'Customer123', { assumedBy: new AccountRootPrincipal() });
 * secrets.grantTenant(reporting, 'customer-123', 'read');
 */
export class SecretsStore extends Construct {
  /** The master key: wraps data keys (envelope mode) or seals small values (direct mode). */
  readonly key: kms.IKey;
  /** The table: partition key `customerId`, sort key `secretId`. */
  readonly table: dynamodb.ITable;
  /** Keys that older versions and tenant keys may still be sealed under; none by default. */
  readonly previousKeys: readonly kms.IKey[];
  /** Whether the store wraps data keys under per-tenant keys, so writers open tenant keys. */
  readonly tenantKeys: boolean;

  constructor(scope: Construct, id: string, props: SecretsStoreProps = {}) {
    super(scope, id);
    checkImports(props);
    checkPreviousKeys(props.previousKeys);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.previousKeys = Object.freeze([...(props.previousKeys ?? [])]);
    this.tenantKeys = props.tenantKeys === true;
    this.key = props.encryptionKey ?? this.#createKey(props, removalPolicy);
    // The CDK's types predate exactOptionalPropertyTypes: a Table's `tableStreamArn` is
    // `string | undefined`, which that setting will not take for ITable's optional property.
    this.table = props.table ?? (this.#createTable(props, removalPolicy) as dynamodb.ITable);
  }

  /** The key's ARN, which `bind` hands the function so the provider needs no DescribeKey. */
  get keyArn(): string {
    return this.key.keyArn;
  }

  /** The table's name. */
  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * `get`, `describe`, `list` and `versions`: GetItem and Query on the table, Decrypt on the key
   * with strongroom's context. A secret past its recovery window is purged by the read that meets
   * it, which this grant refuses: such a read fails until a writer has run.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantAccess(grantee, this, 'read');
  }

  /**
   * `put`, label moves, `rollback`, `delete`, `restore` and `purge`: the reads that precede a
   * write, PutItem, UpdateItem, DeleteItem and ConditionCheckItem (a transaction's actions) on
   * the table; GenerateDataKey and Encrypt on the key with strongroom's context. With
   * `tenantKeys`, also Decrypt of tenant keys (`use` = `tenant-key`), on previous keys as well.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return grantAccess(grantee, this, 'write');
  }

  /** {@link grantRead} and {@link grantWrite}: all a store's operations on every tenant. */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return grantAccess(grantee, this, 'readWrite');
  }

  /**
   * `rewrap` and `migrate`: {@link grantReadWrite} plus a Scan of the table, ReEncryptFrom (the
   * construct's and the options' `previousKeys`, which also get Decrypt) and ReEncryptTo (this
   * key) with strongroom's context, DescribeKey, and, with `legacyItems`, Decrypt with no
   * condition. Remove it when the job is done.
   */
  grantAdmin(grantee: iam.IGrantable, options: AdminGrantOptions = {}): iam.Grant {
    return grantAdminAccess(grantee, this, options);
  }

  /**
   * One tenant only: the actions of `access`, with `dynamodb:LeadingKeys` limited to the tenant
   * and the KMS context's `tenant` required to equal it. A CDK token (a parameter, an attribute)
   * cannot be checked against the tenant rule at synthesis; a literal is.
   */
  grantTenant(grantee: iam.IGrantable, tenantId: string, access: GrantAccess): iam.Grant {
    checkAccess(access);
    if (typeof tenantId !== 'string') {
      throw new TypeError('tenantId must be a string');
    }
    // The library's own rule, so a grant can never name a tenant the store would refuse.
    if (!Token.isUnresolved(tenantId) && !TENANT_PATTERN.test(tenantId)) {
      throw new RangeError(
        'tenantId must be 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit',
      );
    }

    return grantAccess(grantee, this, access, tenantId);
  }

  /**
   * {@link grantTenant} for per-customer roles: the tenant is the caller's principal tag
   * `tagKey`, substituted by IAM at request time. A caller without the tag is refused. Whoever
   * can tag the role, or pass session tags when assuming it, chooses its tenant.
   */
  grantTenantFromPrincipalTag(
    grantee: iam.IGrantable,
    access: GrantAccess,
    tagKey: string = DEFAULT_TENANT_TAG,
  ): iam.Grant {
    checkAccess(access);

    return grantAccess(grantee, this, access, principalTagVariable(tagKey));
  }

  /**
   * Points a function at this store (`KMS_KEY_ID` = the key ARN, `SECRETS_TABLE_NAME`, with
   * `tenantKeys` `STRONGROOM_TENANT_KEYS=true`, with `previousKeys` their ARNs comma-separated in
   * `STRONGROOM_TRUSTED_KMS_KEYS`) and grants it `access`, so that `openAwsStore()` works in it
   * with no options.
   */
  bind(fn: lambda.Function, access: GrantAccess = 'readWrite'): iam.Grant {
    checkAccess(access);

    fn.addEnvironment(KMS_KEY_ENV, this.keyArn);
    fn.addEnvironment(TABLE_ENV, this.tableName);
    if (this.tenantKeys) {
      fn.addEnvironment(TENANT_KEYS_ENV, 'true');
    }
    // A store on this key alone refuses what older keys sealed: it must be told to trust them.
    if (this.previousKeys.length > 0) {
      const arns = this.previousKeys.map((key) => key.keyArn);
      fn.addEnvironment(TRUSTED_KMS_KEYS_ENV, arns.join(','));
    }

    return grantAccess(fn, this, access);
  }

  #createKey(props: SecretsStoreProps, removalPolicy: RemovalPolicy): kms.Key {
    return new kms.Key(this, 'Key', {
      description: props.keyDescription ?? 'strongroom: wraps the data keys of customer secrets',
      // Yearly by default; old key material is kept, so every old version still opens.
      enableKeyRotation: true,
      removalPolicy,
      ...(props.alias === undefined ? {} : { alias: props.alias }),
    });
  }

  #createTable(props: SecretsStoreProps, removalPolicy: RemovalPolicy): dynamodb.Table {
    // No TTL attribute: TTL deletes items behind the head's back (docs/DYNAMODB.md says why).
    return new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'secretId', type: dynamodb.AttributeType.STRING },
      billingMode: props.billingMode ?? dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
      ...(props.tableName === undefined ? {} : { tableName: props.tableName }),
      ...(props.readCapacity === undefined ? {} : { readCapacity: props.readCapacity }),
      ...(props.writeCapacity === undefined ? {} : { writeCapacity: props.writeCapacity }),
    });
  }
}
