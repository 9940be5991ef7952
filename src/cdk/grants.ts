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
  tenantKeyConditions,
} from './policy-actions.js';

/** The table and key a grant is for, and how the store uses the key. */
export interface GrantTarget {
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  /**
   * Keys that older versions and tenant keys are still sealed under, until a `rewrap` moves
   * them to `key`: each gets the Decrypt of the access level, and nothing else.
   */
  readonly previousKeys?: readonly kms.IKey[] | undefined;
  /** The store wraps data keys under per-tenant keys, which writers must open. */
  readonly tenantKeys?: boolean | undefined;
}

/** Options of `grantAdmin`. */
export interface AdminGrantOptions {
  /**
   * Keys that older versions were sealed under, which `rewrap` moves to this store's key, beside
   * the construct's own `previousKeys`: each gets `kms:ReEncryptFrom` and `kms:Decrypt` (with the
   * context conditions). Their key policies must allow IAM policies to grant this.
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
 * The conditions of the Decrypt an access level makes: of anything in strongroom's context for
 * a reader; of tenant keys only for a writer of a store with per-tenant keys (it wraps new data
 * keys under the tenant's existing key, so it must open that key); none for another writer.
 */
function decryptConditions(
  access: GrantAccess,
  tenantKeys: boolean,
  tenant: string | undefined,
): Conditions | undefined {
  if (access !== 'write') {
    return kmsContextConditions(tenant);
  }

  return tenantKeys ? tenantKeyConditions(tenant) : undefined;
}

/**
 * The statements of an access level: the DynamoDB actions on the table, the KMS operations on
 * the key with the context conditions, with per-tenant keys a writer's Decrypt of tenant keys,
 * and the access level's Decrypt on each previous key. Given a tenant (or a policy variable
 * standing for one), all are confined to it: the partition key, and the context's `tenant`.
 */
export function grantAccess(
  grantee: iam.IGrantable,
  target: GrantTarget,
  access: GrantAccess,
  tenant?: string,
): iam.Grant {
  const { table, key } = target;
  const partition = tenant === undefined ? undefined : leadingKeysCondition(tenant);
  const context = kmsContextConditions(tenant);

  let grant = grantOn(grantee, table, DYNAMODB_ACTIONS[access], table.tableArn, partition);
  grant = grant.combine(grantOn(grantee, key, KMS_ACTIONS[access], key.keyArn, context));

  // Read access already holds Decrypt on this key; only a tenant key writer needs one added.
  const decrypt = decryptConditions(access, target.tenantKeys === true, tenant);
  if (access === 'write' && decrypt !== undefined) {
    grant = grant.combine(grantOn(grantee, key, ['kms:Decrypt'], key.keyArn, decrypt));
  }

  // What was sealed under a previous key is opened there until a rewrap moves it; new writes
  // only ever seal under this key, so a previous key gets no other action.
  for (const previous of decrypt === undefined ? [] : (target.previousKeys ?? [])) {
    grant = grant.combine(grantOn(grantee, previous, ['kms:Decrypt'], previous.keyArn, decrypt));
  }

  return grant;
}

/**
 * What `rewrap` and `migrate` need beyond `readWrite`: a Scan of the whole table, ReEncrypt
 * from the old keys to this one (bound to strongroom's context like every other call),
 * DescribeKey (the provider resolves an alias or key id to its ARN before a rewrap), and, for
 * legacy items, Decrypt with no condition. The old keys are the target's previous keys and
 * those of `options`; the readWrite part opens both in context, as a rewrap into the per-tenant
 * layer unwraps old data keys (ReEncrypt to this key and a Decrypt here would open them anyway).
 */
export function grantAdminAccess(
  grantee: iam.IGrantable,
  target: GrantTarget,
  options: AdminGrantOptions = {},
): iam.Grant {
  const { table, key } = target;
  const context = kmsContextConditions();
  const previousKeys = [
    ...new Set([...(target.previousKeys ?? []), ...(options.previousKeys ?? [])]),
  ];

  const withPrevious = { table, key, tenantKeys: target.tenantKeys, previousKeys };
  let grant = grantAccess(grantee, withPrevious, 'readWrite');
  grant = grant.combine(grantOn(grantee, table, ADMIN_DYNAMODB_ACTIONS, table.tableArn));

  // ReEncrypt is authorized twice: ReEncryptFrom on the source key, ReEncryptTo on the
  // destination. The provider sends the same context on both sides, so both pass the conditions;
  // so does a tenant key's `{ tenant, version, use }`. Only previous keys are sources: the
  // provider never re-encrypts from this key to itself.
  for (const source of previousKeys) {
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
