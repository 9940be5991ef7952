import type { aws_dynamodb as dynamodb, aws_kms as kms } from 'aws-cdk-lib';
import { aws_iam as iam } from 'aws-cdk-lib';
import {
  ADMIN_DYNAMODB_ACTIONS,
  type Conditions,
  DYNAMODB_ACTIONS,
  type GrantAccess,
  KMS_ACTIONS,
  kmsContextConditions,
  leadingKeysCondition,
} from './policy-actions.js';

/** The table and key a grant is for. */
export interface GrantTarget {
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
}

/** Options of `grantAdmin`. */
export interface AdminGrantOptions {
  /**
   * Keys that older versions were sealed under, which `rewrap` moves to this store's key: each
   * gets `kms:ReEncryptFrom` (with the context conditions). Their key policies must allow IAM
   * policies to grant this.
   */
  readonly previousKeys?: readonly kms.IKey[];
  /**
   * Grants `kms:Decrypt` with no context condition, which `migrate` needs to read items written
   * before strongroom (sealed with no encryption context). It lets the principal decrypt
   * anything under this key, so it is opt-in: grant it for the migration only. Default off.
   */
  readonly legacyItems?: boolean;
}

/**
 * One statement on one resource: in the principal's policy, and also in the resource's policy
 * when the principal is in another account. In a key or table policy, `*` names the resource
 * itself, as the CDK's own grants write it.
 */
function grantOn(
  grantee: iam.IGrantable,
  resource: kms.IKey | dynamodb.ITable,
  actions: readonly string[],
  arn: string,
  conditions?: Conditions,
): iam.Grant {
  const options = { grantee, actions: [...actions], resourceArns: [arn] };
  const withConditions = conditions === undefined ? options : { ...options, conditions };
  // An imported ITable has no resource policy to fall back on; a Table and every IKey do.
  if (!('addToResourcePolicy' in resource)) {
    return iam.Grant.addToPrincipal(withConditions);
  }

  return iam.Grant.addToPrincipalOrResource({
    ...withConditions,
    resource: resource as iam.IResourceWithPolicy,
    resourceSelfArns: ['*'],
  });
}

/**
 * The two statements of an access level: the DynamoDB actions on the table, the KMS operations
 * on the key with the context conditions. Given a tenant (or a policy variable standing for
 * one), both are confined to it: the partition key, and the context's `tenant`.
 */
export function grantAccess(
  grantee: iam.IGrantable,
  target: GrantTarget,
  access: GrantAccess,
  tenant?: string,
): iam.Grant {
  const { table, key } = target;
  const partition = tenant === undefined ? undefined : leadingKeysCondition(tenant);

  const rows = grantOn(grantee, table, DYNAMODB_ACTIONS[access], table.tableArn, partition);
  const keys = grantOn(grantee, key, KMS_ACTIONS[access], key.keyArn, kmsContextConditions(tenant));

  return rows.combine(keys);
}

/**
 * What `rewrap` and `migrate` need beyond `readWrite`: a Scan of the whole table, ReEncrypt
 * from the old keys to this one (bound to strongroom's context like every other call),
 * DescribeKey (the provider resolves an alias or key id to its ARN before a rewrap), and, for
 * legacy items, Decrypt with no condition.
 */
export function grantAdminAccess(
  grantee: iam.IGrantable,
  target: GrantTarget,
  options: AdminGrantOptions = {},
): iam.Grant {
  const { table, key } = target;
  const context = kmsContextConditions();

  let grant = grantAccess(grantee, target, 'readWrite');
  grant = grant.combine(grantOn(grantee, table, ADMIN_DYNAMODB_ACTIONS, table.tableArn));

  // ReEncrypt is authorized twice: ReEncryptFrom on the source key, ReEncryptTo on the
  // destination. The provider sends the same context on both sides, so both pass the conditions.
  // Only previous keys are sources: the provider never re-encrypts from this key to itself.
  for (const source of options.previousKeys ?? []) {
    grant = grant.combine(grantOn(grantee, source, ['kms:ReEncryptFrom'], source.keyArn, context));
  }
  grant = grant.combine(grantOn(grantee, key, ['kms:ReEncryptTo'], key.keyArn, context));
  grant = grant.combine(grantOn(grantee, key, ['kms:DescribeKey'], key.keyArn));

  // Opt-in: a context-free Decrypt reads anything under the key. Legacy items name no key, and
  // the provider decrypts them under the configured key only, so this key alone.
  if (options.legacyItems === true) {
    grant = grant.combine(grantOn(grantee, key, ['kms:Decrypt'], key.keyArn));
  }

  return grant;
}
