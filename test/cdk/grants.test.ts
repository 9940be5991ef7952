import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { App, type CfnElement, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, type Grant, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SecretsStore } from '../../src/cdk/index.js';
import {
  allow,
  CONTEXT,
  list,
  READ_ROWS,
  type Statement,
  statementsOf,
  WRITE_ROWS,
} from './statements.js';

const ENV = { account: '111122223333', region: 'us-east-1' };
const OLD_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';

function synthesize() {
  const stack = new Stack(new App(), 'Grants', { env: ENV });
  const secrets = new SecretsStore(stack, 'Secrets');
  const oldKey = Key.fromKeyArn(stack, 'OldKey', OLD_KEY_ARN);
  const role = (id: string) => new Role(stack, id, { assumedBy: new AccountRootPrincipal() });
  const roles = {
    read: role('Reader'),
    write: role('Writer'),
    readWrite: role('ReadWriter'),
    admin: role('Admin'),
    adminAfterMigrate: role('AdminAfterMigrate'),
    tenantRead: role('TenantReader'),
    tenantWrite: role('TenantWriter'),
    tenantReadWrite: role('TenantReadWriter'),
    tagged: role('Tagged'),
    taggedCustom: role('TaggedCustom'),
  };
  const grants: Record<string, Grant> = {
    read: secrets.grantRead(roles.read),
    write: secrets.grantWrite(roles.write),
    readWrite: secrets.grantReadWrite(roles.readWrite),
    admin: secrets.grantAdmin(roles.admin, { legacyItems: true }),
    adminAfterMigrate: secrets.grantAdmin(roles.adminAfterMigrate, {
      previousKeys: [oldKey],
      legacyItems: false,
    }),
    tenantRead: secrets.grantTenant(roles.tenantRead, 'customer-123', 'read'),
    tenantWrite: secrets.grantTenant(roles.tenantWrite, 'customer-123', 'write'),
    tenantReadWrite: secrets.grantTenant(roles.tenantReadWrite, 'customer-123', 'readWrite'),
    tagged: secrets.grantTenantFromPrincipalTag(roles.tagged, 'readWrite'),
    taggedCustom: secrets.grantTenantFromPrincipalTag(roles.taggedCustom, 'read', 'customer'),
  };

  const template = Template.fromStack(stack);
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
  const table = { 'Fn::GetAtt': [idOf(secrets.table.node.defaultChild), 'Arn'] };
  const key = { 'Fn::GetAtt': [idOf(secrets.key.node.defaultChild), 'Arn'] };
  const policy = (name: keyof typeof roles) => statementsOf(template, stack, roles[name]);

  return { template, table, key, policy, grants };
}

describe('the grants', () => {
  let synth: ReturnType<typeof synthesize>;
  before(() => {
    synth = synthesize();
  });

  test('grantRead allows GetItem and Query on the table and Decrypt in strongroom context', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('read'), [
      allow(READ_ROWS, table),
      allow(['kms:Decrypt'], key, CONTEXT),
    ]);
  });

  test('grantWrite allows the writes and the reads before them, and sealing in context', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('write'), [
      allow(WRITE_ROWS, table),
      allow(['kms:GenerateDataKey', 'kms:Encrypt'], key, CONTEXT),
    ]);
  });

  test('grantReadWrite allows every store operation and no Scan', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('readWrite'), [
      allow(WRITE_ROWS, table),
      allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], key, CONTEXT),
    ]);
  });

  test('grantAdmin adds Scan, ReEncrypt in context, DescribeKey and a legacy Decrypt', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('admin'), [
      allow(WRITE_ROWS, table),
      allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], key, CONTEXT),
      allow(['dynamodb:Scan'], table),
      allow(['kms:ReEncryptTo'], key, CONTEXT),
      allow(['kms:DescribeKey'], key),
      allow(['kms:Decrypt'], key),
    ]);
  });

  test('grantAdmin opens and re-encrypts from previous keys, and drops the legacy Decrypt', () => {
    const { policy, table, key } = synth;

    assert.deepEqual(policy('adminAfterMigrate'), [
      allow(WRITE_ROWS, table),
      allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], key, CONTEXT),
      allow(['kms:Decrypt'], OLD_KEY_ARN, CONTEXT),
      allow(['dynamodb:Scan'], table),
      allow(['kms:ReEncryptFrom'], OLD_KEY_ARN, CONTEXT),
      allow(['kms:ReEncryptTo'], key, CONTEXT),
      allow(['kms:DescribeKey'], key),
    ]);
  });

  test("grantTenant confines the table to the tenant's partition and KMS to its context", () => {
    const { policy, table, key } = synth;
    const partition = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['customer-123'] } };
    const context = {
      ...CONTEXT,
      StringEquals: { 'kms:EncryptionContext:tenant': 'customer-123' },
    };

    assert.deepEqual(policy('tenantRead'), [
      allow(READ_ROWS, table, partition),
      allow(['kms:Decrypt'], key, context),
    ]);
    assert.deepEqual(policy('tenantWrite'), [
      allow(WRITE_ROWS, table, partition),
      allow(['kms:GenerateDataKey', 'kms:Encrypt'], key, context),
    ]);
    assert.deepEqual(policy('tenantReadWrite'), [
      allow(WRITE_ROWS, table, partition),
      allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], key, context),
    ]);
  });

  test('grantTenantFromPrincipalTag names the tenant with the principal tag variable', () => {
    const { policy, table, key } = synth;
    const tagged = (variable: string) => ({
      partition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [variable] } },
      context: { ...CONTEXT, StringEquals: { 'kms:EncryptionContext:tenant': variable } },
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable, as IAM spells it
    const byDefault = tagged('${aws:PrincipalTag/tenant}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable, as IAM spells it
    const custom = tagged('${aws:PrincipalTag/customer}');

    assert.deepEqual(policy('tagged'), [
      allow(WRITE_ROWS, table, byDefault.partition),
      allow(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], key, byDefault.context),
    ]);
    assert.deepEqual(policy('taggedCustom'), [
      allow(READ_ROWS, table, custom.partition),
      allow(['kms:Decrypt'], key, custom.context),
    ]);
  });

  test('no statement grants a wildcard action or any resource', () => {
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);

    assert.ok(statements.length > 0);
    for (const statement of statements) {
      for (const action of list(statement.Action)) {
        assert.doesNotMatch(String(action), /\*/, `wildcard action ${action}`);
      }
      for (const resource of list(statement.Resource)) {
        assert.notEqual(resource, '*');
        assert.doesNotMatch(JSON.stringify(resource), /\*/);
      }
    }
  });

  test('every grant returns the principal statements it added', () => {
    const { grants } = synth;

    assert.equal(grants.read?.success, true);
    assert.equal(grants.read?.principalStatements.length, 2);
    assert.equal(grants.tenantWrite?.principalStatements.length, 2);
    assert.equal(grants.admin?.principalStatements.length, 6);
  });
});

describe('tenant rules of the grants', () => {
  const setup = () => {
    const stack = new Stack(new App(), 'Rules', { env: ENV });
    const role = new Role(stack, 'Role', { assumedBy: new AccountRootPrincipal() });
    return { stack, role, secrets: new SecretsStore(stack, 'Secrets') };
  };

  test('grantTenant rejects a tenant id the store would refuse', () => {
    const { role, secrets } = setup();

    for (const tenant of ['', 'a b', '#v#x', '-leading', 'x'.repeat(129), 'ümlaut']) {
      assert.throws(() => secrets.grantTenant(role, tenant, 'read'), {
        name: 'RangeError',
        message: 'tenantId must be 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit',
      });
    }
    assert.throws(() => secrets.grantTenant(role, 7 as never, 'read'), { name: 'TypeError' });
  });

  test('grantTenant takes a token it cannot check, and names it in both conditions', () => {
    const { stack, role, secrets } = setup();
    const tenant = new CfnParameter(stack, 'Tenant').valueAsString;

    secrets.grantTenant(role, tenant, 'read');

    const statements = statementsOf(Template.fromStack(stack), stack, role);
    const [rows, keys] = statements as [Statement, Statement];
    assert.deepEqual(rows.Condition, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [{ Ref: 'Tenant' }] },
    });
    assert.deepEqual((keys.Condition as Record<string, unknown>).StringEquals, {
      'kms:EncryptionContext:tenant': { Ref: 'Tenant' },
    });
  });

  test('the grants reject an access level that is not one', () => {
    const { role, secrets } = setup();

    const message = "access must be 'read', 'write' or 'readWrite'";
    assert.throws(() => secrets.grantTenant(role, 'acme', 'admin' as never), { message });
    assert.throws(() => secrets.grantTenantFromPrincipalTag(role, 'rw' as never), { message });
  });

  test("another account's principal gets the statements in the key and table policies", () => {
    const { stack, secrets } = setup();
    const other = Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::444455556666:role/reader');

    secrets.grantTenant(other, 'acme', 'read');

    const template = Template.fromStack(stack);
    const principal = { AWS: 'arn:aws:iam::444455556666:role/reader' };
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    assert.deepEqual(key?.Properties.KeyPolicy.Statement[1], {
      Action: 'kms:Decrypt',
      Condition: { ...CONTEXT, StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
      Effect: 'Allow',
      Principal: principal,
      Resource: '*',
    });
    assert.deepEqual(table?.Properties.ResourcePolicy.PolicyDocument.Statement, [
      {
        Action: READ_ROWS,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['acme'] } },
        Effect: 'Allow',
        Principal: principal,
        Resource: '*',
      },
    ]);
  });
});
