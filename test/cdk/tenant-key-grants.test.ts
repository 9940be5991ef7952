import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { TENANT_KEYS_ENV } from '../../src/aws/aws-store.js';
import { SecretsStore } from '../../src/cdk/index.js';
import { tenantKeyConditions } from '../../src/cdk/policy-actions.js';
import {
  allow,
  CONTEXT,
  READ_ROWS,
  type Statement,
  statementsOf,
  WRITE_ROWS,
} from './statements.js';

const ENV = { account: '111122223333', region: 'us-east-1' };
const SEAL = ['kms:GenerateDataKey', 'kms:Encrypt'];
const ALL_KMS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'];
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable, as IAM spells it
const TAG = '${aws:PrincipalTag/tenant}';

/** The context conditions, the tenant's if given, and `use` = `tenant-key`: written out. */
function tenantKeyOnly(tenant?: string) {
  const tenantPair = tenant === undefined ? {} : { 'kms:EncryptionContext:tenant': tenant };
  return {
    ...CONTEXT,
    StringEquals: { ...tenantPair, 'kms:EncryptionContext:use': 'tenant-key' },
  };
}

function inTenant(tenant: string) {
  return {
    partition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [tenant] } },
    context: { ...CONTEXT, StringEquals: { 'kms:EncryptionContext:tenant': tenant } },
  };
}

function synthesize() {
  const stack = new Stack(new App(), 'TenantKeys', { env: ENV });
  const secrets = new SecretsStore(stack, 'Secrets', { tenantKeys: true });
  const role = (id: string) => new Role(stack, id, { assumedBy: new AccountRootPrincipal() });
  const roles = {
    read: role('Reader'),
    write: role('Writer'),
    readWrite: role('ReadWriter'),
    admin: role('Admin'),
    tenantWrite: role('TenantWriter'),
    tenantRead: role('TenantReader'),
    taggedWrite: role('TaggedWriter'),
  };
  secrets.grantRead(roles.read);
  secrets.grantWrite(roles.write);
  secrets.grantReadWrite(roles.readWrite);
  secrets.grantAdmin(roles.admin);
  secrets.grantTenant(roles.tenantWrite, 'customer-123', 'write');
  secrets.grantTenant(roles.tenantRead, 'customer-123', 'read');
  secrets.grantTenantFromPrincipalTag(roles.taggedWrite, 'write');
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {};'),
  });
  const bound = secrets.bind(fn, 'write');

  const template = Template.fromStack(stack);
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
  const table = { 'Fn::GetAtt': [idOf(secrets.table.node.defaultChild), 'Arn'] };
  const key = { 'Fn::GetAtt': [idOf(secrets.key.node.defaultChild), 'Arn'] };
  const policy = (name: keyof typeof roles): Statement[] =>
    statementsOf(template, stack, roles[name]);

  const fnPolicy = statementsOf(template, stack, fn.role as Role);

  return { template, table, key, policy, bound, fn: idOf(fn.node.defaultChild), fnPolicy };
}

describe('the grants of a store with tenantKeys', () => {
  let synth: ReturnType<typeof synthesize>;
  before(() => {
    synth = synthesize();
  });

  test('tenantKeyConditions adds use = tenant-key to the context conditions', () => {
    assert.deepEqual(tenantKeyConditions(), tenantKeyOnly());
    assert.deepEqual(tenantKeyConditions('acme'), tenantKeyOnly('acme'));
  });

  test('grantWrite adds Decrypt of tenant keys only, beside sealing in context', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('write'), [
      allow(WRITE_ROWS, table),
      allow(SEAL, key, CONTEXT),
      allow(['kms:Decrypt'], key, tenantKeyOnly()),
    ]);
  });

  test("a tenant's write grant opens that tenant's tenant keys and no other's", () => {
    const { policy, table, key } = synth;
    const { partition, context } = inTenant('customer-123');
    const tagged = inTenant(TAG);

    assert.deepEqual(policy('tenantWrite'), [
      allow(WRITE_ROWS, table, partition),
      allow(SEAL, key, context),
      allow(['kms:Decrypt'], key, tenantKeyOnly('customer-123')),
    ]);
    assert.deepEqual(policy('taggedWrite'), [
      allow(WRITE_ROWS, table, tagged.partition),
      allow(SEAL, key, tagged.context),
      allow(['kms:Decrypt'], key, tenantKeyOnly(TAG)),
    ]);
  });

  test('read, readWrite and admin grants, which hold Decrypt already, are unchanged', () => {
    const { policy, table, key } = synth;
    const { partition, context } = inTenant('customer-123');

    assert.deepEqual(policy('read'), [
      allow(READ_ROWS, table),
      allow(['kms:Decrypt'], key, CONTEXT),
    ]);
    assert.deepEqual(policy('tenantRead'), [
      allow(READ_ROWS, table, partition),
      allow(['kms:Decrypt'], key, context),
    ]);
    assert.deepEqual(policy('readWrite'), [allow(WRITE_ROWS, table), allow(ALL_KMS, key, CONTEXT)]);
    assert.deepEqual(policy('admin'), [
      allow(WRITE_ROWS, table),
      allow(ALL_KMS, key, CONTEXT),
      allow(['dynamodb:Scan'], table),
      allow(['kms:ReEncryptTo'], key, CONTEXT),
      allow(['kms:DescribeKey'], key),
    ]);
  });

  test('bind sets STRONGROOM_TENANT_KEYS=true and grants a writer the tenant key Decrypt', () => {
    const { template, bound, table, key, fn, fnPolicy } = synth;

    const variables = template.toJSON().Resources[fn].Properties.Environment.Variables;
    assert.equal(TENANT_KEYS_ENV, 'STRONGROOM_TENANT_KEYS');
    assert.equal(variables.STRONGROOM_TENANT_KEYS, 'true');
    assert.equal(bound.principalStatements.length, 3);
    assert.deepEqual(fnPolicy, [
      allow(WRITE_ROWS, table),
      allow(SEAL, key, CONTEXT),
      allow(['kms:Decrypt'], key, tenantKeyOnly()),
    ]);
  });
});
