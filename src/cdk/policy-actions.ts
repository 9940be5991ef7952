/**
 * The IAM actions and conditions of strongroom's grants, as plain data: no CDK import, so tests
 * (and policies written by hand) can use them without synthesizing anything.
 *
 * The lists follow what the library sends (docs/DYNAMODB.md, "Access patterns"). A
 * TransactWriteItems is authorized item by item, as PutItem, UpdateItem, DeleteItem and
 * ConditionCheckItem, so `dynamodb:TransactWriteItems` itself never appears.
 */

/** What a grant lets a principal do: the store's reads, its writes, or both. */
export type GrantAccess = 'read' | 'write' | 'readWrite';

/** The access levels, for checking a caller's choice at run time. */
export const GRANT_ACCESS: readonly GrantAccess[] = Object.freeze(['read', 'write', 'readWrite']);

/**
 * Every encryption context key strongroom sends to KMS: the store's `tenant`, `secret` and
 * `version`, and the `use` pair the KMS provider adds (`data-key`, `value` or `tenant-key`). A
 * tenant key's context, `{ tenant, version, use }`, is a subset of them.
 */
export const STRONGROOM_CONTEXT_KEYS: readonly string[] = Object.freeze([
  'tenant',
  'secret',
  'version',
  'use',
]);

/** The principal tag a per-customer role carries its tenant in, unless told otherwise. */
export const DEFAULT_TENANT_TAG = 'tenant';

// get, describe and versions read the head (and a version item); list and versions Query;
// getMany reads heads with BatchGetItem (LeadingKeys conditions apply to it as well).
const READ_TABLE = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

// A write reads the head first and purge lists the versions with a Query; then one
// TransactWriteItems (Put, Update, Delete, ConditionCheck) or one UpdateItem.
const WRITE_TABLE = [
  ...READ_TABLE,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** The DynamoDB actions of each access level, on the table's ARN only (it has no indexes). */
export const DYNAMODB_ACTIONS: Readonly<Record<GrantAccess, readonly string[]>> = Object.freeze({
  read: Object.freeze(READ_TABLE),
  write: Object.freeze(WRITE_TABLE),
  readWrite: Object.freeze(WRITE_TABLE),
});

/**
 * The KMS operations of each access level, on the key's ARN only. Reads unwrap data keys (or
 * open direct values) with Decrypt; writes seal with GenerateDataKey (envelope mode) or Encrypt
 * (direct mode). A write never opens a data key or a value: rollback and label moves copy
 * envelopes unopened. With per-tenant keys a write also opens tenant keys, which
 * {@link tenantKeyConditions} confines a separate Decrypt statement to.
 */
export const KMS_ACTIONS: Readonly<Record<GrantAccess, readonly string[]>> = Object.freeze({
  read: Object.freeze(['kms:Decrypt']),
  write: Object.freeze(['kms:GenerateDataKey', 'kms:Encrypt']),
  readWrite: Object.freeze(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt']),
});

/** The whole-table walks of `rewrap` and `migrate` start with a Scan for the tenant list. */
export const ADMIN_DYNAMODB_ACTIONS: readonly string[] = Object.freeze(['dynamodb:Scan']);

/** An IAM condition block, as CloudFormation holds it. */
export type Conditions = Record<string, Record<string, string | string[]>>;

/**
 * The conditions on every context-bound KMS statement. `Null: false` requires a `tenant` key in
 * the context, which also refuses a call with no context at all (`ForAllValues` alone would pass
 * one). The condition key matches its context key case-insensitively, but `ForAllValues` with
 * the case-sensitive `StringEquals` admits only these four keys as spelled, so together they
 * require `tenant` exactly. Given a tenant, its value must match too (case-sensitively).
 *
 * @param tenant a tenant id, or a policy variable such as `${aws:PrincipalTag/tenant}`
 */
export function kmsContextConditions(tenant?: string): Conditions {
  const conditions: Conditions = {
    Null: { 'kms:EncryptionContext:tenant': 'false' },
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...STRONGROOM_CONTEXT_KEYS] },
  };
  if (tenant !== undefined) {
    conditions.StringEquals = { 'kms:EncryptionContext:tenant': tenant };
  }

  return conditions;
}

/** The `use` value of every KMS call on a tenant key (docs/FORMAT.md, "Per-tenant key layer"). */
export const TENANT_KEY_USE = 'tenant-key';

/**
 * The conditions of the Decrypt a writer needs with per-tenant keys: the context conditions and
 * `use` equal to `tenant-key`. KMS authenticates the context, so a data key (sealed with `use:
 * data-key`) or a direct value (`use: value`) cannot be opened under this statement. A tenant key
 * it opens still unwraps every data key of its tenant: see docs/CDK.md, "Per-tenant keys".
 *
 * @param tenant a tenant id, or a policy variable such as `${aws:PrincipalTag/tenant}`
 */
export function tenantKeyConditions(tenant?: string): Conditions {
  const conditions = kmsContextConditions(tenant);
  conditions.StringEquals = {
    ...conditions.StringEquals,
    'kms:EncryptionContext:use': TENANT_KEY_USE,
  };

  return conditions;
}

/**
 * The condition that confines DynamoDB requests to one tenant's partition. `ForAllValues` would
 * also pass a request that names no partition key, but every action granted with it names one
 * (a Query's key condition, an item's key); Scan, which names none, is never granted with it.
 */
export function leadingKeysCondition(tenant: string): Conditions {
  return { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [tenant] } };
}

// IAM tag keys: 1 to 128 letters, digits, spaces and `_ . : / = + - @`. Checking the key also
// keeps a `}` from closing the policy variable early.
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** The policy variable IAM replaces with the caller's principal tag `tagKey` at request time. */
export function principalTagVariable(tagKey: string = DEFAULT_TENANT_TAG): string {
  if (typeof tagKey !== 'string' || !TAG_KEY.test(tagKey)) {
    throw new RangeError(
      'tagKey must be an IAM tag key: 1 to 128 letters, digits, _ . : / = + - @',
    );
  }

  return `\${aws:PrincipalTag/${tagKey}}`;
}

/** Throws a TypeError unless `access` is one of {@link GRANT_ACCESS}. */
export function checkAccess(access: unknown): asserts access is GrantAccess {
  if (!GRANT_ACCESS.includes(access as GrantAccess)) {
    throw new TypeError("access must be 'read', 'write' or 'readWrite'");
  }
}
