import type { aws_dynamodb as dynamodb, aws_kms as kms, RemovalPolicy } from 'aws-cdk-lib';

/** Properties of `SecretsStore`. */
export interface SecretsStoreProps {
  /**
   * An existing KMS key, by key ARN (`Key.fromKeyArn`), instead of a new one. Not an alias: an
   * IAM policy on an alias ARN does not grant use of the key behind it. Its key policy must let
   * IAM policies grant access, as the default key policy does.
   */
  readonly encryptionKey?: kms.IKey;
  /** An existing table with the layout of docs/DYNAMODB.md, instead of a new one. */
  readonly table?: dynamodb.ITable;
  /**
   * Keys, by key ARN, that versions and tenant keys were sealed under before `encryptionKey`,
   * still read until a `rewrap` moves them: every grant with Decrypt gets it on these keys too
   * (same conditions), `grantAdmin` re-encrypts from them, and `bind` lists them in
   * `STRONGROOM_TRUSTED_KMS_KEYS`. Drop them once `rewrap` reports nothing failed.
   */
  readonly previousKeys?: readonly kms.IKey[];
  /**
   * The store runs with `tenantKeys: true`: `bind` sets `STRONGROOM_TENANT_KEYS=true`, and the
   * write grants add `kms:Decrypt` of tenant keys, which a writer needs to wrap data keys under
   * its tenant's key. A tenant key opens every data key of its tenant, so such a writer can read
   * its tenant's secrets: keep this off for writers that must not read (docs/CDK.md). Default off.
   */
  readonly tenantKeys?: boolean;
  /** An alias for the new key, such as `alias/customer-secrets`. */
  readonly alias?: string;
  /** The new key's description. */
  readonly keyDescription?: string;
  /** The new table's name; CloudFormation names it otherwise. */
  readonly tableName?: string;
  /** On demand (`PAY_PER_REQUEST`) by default, as `strongroom table create` makes it. */
  readonly billingMode?: dynamodb.BillingMode;
  /** Read capacity units, for `BillingMode.PROVISIONED` only. */
  readonly readCapacity?: number;
  /** Write capacity units, for `BillingMode.PROVISIONED` only. */
  readonly writeCapacity?: number;
  /**
   * What CloudFormation does with the new key and table when they leave the stack: `RETAIN` by
   * default, since deleting either destroys every secret in it.
   */
  readonly removalPolicy?: RemovalPolicy;
  /** DynamoDB's deletion protection on the new table; on by default. */
  readonly deletionProtection?: boolean;
}

const TABLE_ONLY = [
  'tableName',
  'billingMode',
  'readCapacity',
  'writeCapacity',
  'deletionProtection',
] as const;
const KEY_ONLY = ['alias', 'keyDescription'] as const;

// An IAM policy on an alias ARN does not grant use of the key behind it.
const isAlias = (key: kms.IKey) => 'aliasName' in key;

/** Throws if a property that only shapes a new resource is given with an existing one. */
export function checkImports(props: SecretsStoreProps): void {
  if (props.encryptionKey !== undefined) {
    if (isAlias(props.encryptionKey)) {
      throw new TypeError('encryptionKey must be a key, not an alias: use Key.fromKeyArn');
    }
    for (const name of KEY_ONLY) {
      if (props[name] !== undefined) {
        throw new TypeError(`${name} applies only to a key this construct creates`);
      }
    }
  }

  if (props.table !== undefined) {
    for (const name of TABLE_ONLY) {
      if (props[name] !== undefined) {
        throw new TypeError(`${name} applies only to a table this construct creates`);
      }
    }
  }
}

/** Throws unless `previousKeys` is absent or a list of keys (no alias: the store needs ARNs). */
export function checkPreviousKeys(previousKeys: unknown): void {
  if (previousKeys === undefined) {
    return;
  }

  const isKey = (key: unknown) =>
    typeof key === 'object' && key !== null && 'keyArn' in key && !isAlias(key as kms.IKey);
  if (!Array.isArray(previousKeys) || !previousKeys.every(isKey)) {
    throw new TypeError('previousKeys must be a list of keys, not aliases: use Key.fromKeyArn');
  }
}
