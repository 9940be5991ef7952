import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { TRUSTED_KMS_KEYS_ENV } from '../../src/aws/aws-store.js';
import { SecretsStore, type SecretsStoreProps } from '../../src/cdk/index.js';
import { allow, CONTEXT, READ_ROWS, statementsOf, WRITE_ROWS } from './statements.js';

const ENV = { account: '111122223333', region: 'us-east-1' };
const OLD_ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OLDER_ARN = 'arn:aws:kms:us-east-1:111122223333:key/66666666-7777-8888-9999-000000000000';
const SEAL = ['kms:GenerateDataKey', 'kms:Encrypt'];
const ALL_KMS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'];
const TENANT_KEY_ONLY = {
  ...CONTEXT,
  StringEquals: { 'kms:EncryptionContext:use': 'tenant-key' },
};

function setup(props: Omit<SecretsStoreProps, 'previousKeys'> = {}) {
  const stack = new Stack(new App(), 'Previous', { env: ENV });
  const old = Key.fromKeyArn(stack, 'Old', OLD_ARN);
  const secrets = new SecretsStore(stack, 'Secrets', { ...props, previousKeys: [old] });
  const role = (id: string) => new Role(stack, id, { assumedBy: new AccountRootPrincipal() });
  const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
  const table = { 'Fn::GetAtt': [idOf(secrets.table.node.defaultChild), 'Arn'] };
  const key = { 'Fn::GetAtt': [idOf(secrets.key.node.defaultChild), 'Arn'] };
  const policy = (grantee: Role) => statementsOf(Template.fromStack(stack), stack, grantee);

  return { stack, secrets, role, table, key, policy };
}

function lambdaIn(stack: Stack) {
  return new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {};'),
  });
}

describe('previousKeys', () => {
  test('read access opens previous keys in context; writes seal under the key only', () => {
    const { secrets, role, table, key, policy } = setup();
    const [reader, writer, both] = [role('Reader'), role('Writer'), role('Both')];

    secrets.grantRead(reader);
    secrets.grantWrite(writer);
    secrets.grantReadWrite(both);

    assert.deepEqual(policy(reader), [
      allow(READ_ROWS, table),
      allow(['kms:Decrypt'], key, CONTEXT),
      allow(['kms:Decrypt'], OLD_ARN, CONTEXT),
    ]);
    assert.deepEqual(policy(writer), [allow(WRITE_ROWS, table), allow(SEAL, key, CONTEXT)]);
    assert.deepEqual(policy(both), [
      allow(WRITE_ROWS, table),
      allow(ALL_KMS, key, CONTEXT),
      allow(['kms:Decrypt'], OLD_ARN, CONTEXT),
    ]);
  });

  test('with tenantKeys a tenant writer opens its tenant keys under previous keys too', () => {
    const { secrets, role, key, policy } = setup({ tenantKeys: true });
    const writer = role('Writer');

    secrets.grantTenant(writer, 'acme', 'write');

    const conditions = {
      ...CONTEXT,
      StringEquals: {
        'kms:EncryptionContext:tenant': 'acme',
        'kms:EncryptionContext:use': 'tenant-key',
      },
    };
    const [, , current, previous] = policy(writer);
    assert.deepEqual(current, allow(['kms:Decrypt'], key, conditions));
    assert.deepEqual(previous, allow(['kms:Decrypt'], OLD_ARN, conditions));
    assert.equal(policy(writer).length, 4);
  });

  test("grantAdmin re-encrypts from the construct's previous keys and those it is given", () => {
    const { stack, secrets, role, key, policy } = setup();
    const admin = role('Admin');
    const older = Key.fromKeyArn(stack, 'Older', OLDER_ARN);

    secrets.grantAdmin(admin, { previousKeys: [older] });

    const kms = policy(admin).filter((statement) => statement.Action[0]?.startsWith('kms:'));
    assert.deepEqual(kms, [
      allow(ALL_KMS, key, CONTEXT),
      allow(['kms:Decrypt'], OLD_ARN, CONTEXT),
      allow(['kms:Decrypt'], OLDER_ARN, CONTEXT),
      allow(['kms:ReEncryptFrom'], OLD_ARN, CONTEXT),
      allow(['kms:ReEncryptFrom'], OLDER_ARN, CONTEXT),
      allow(['kms:ReEncryptTo'], key, CONTEXT),
      allow(['kms:DescribeKey'], key),
    ]);
  });

  test('bind lists the previous key ARNs in STRONGROOM_TRUSTED_KMS_KEYS', () => {
    const stack = new Stack(new App(), 'Trusted', { env: ENV });
    const created = new Key(stack, 'Created');
    const previousKeys = [Key.fromKeyArn(stack, 'Old', OLD_ARN), created];
    const secrets = new SecretsStore(stack, 'Secrets', { previousKeys });
    const fn = lambdaIn(stack);

    secrets.bind(fn, 'read');

    const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const createdId = stack.getLogicalId(created.node.defaultChild as CfnElement);
    const template = Template.fromStack(stack).toJSON();
    const variables = template.Resources[id].Properties.Environment.Variables;
    assert.equal(TRUSTED_KMS_KEYS_ENV, 'STRONGROOM_TRUSTED_KMS_KEYS');
    assert.deepEqual(variables.STRONGROOM_TRUSTED_KMS_KEYS, {
      'Fn::Join': ['', [`${OLD_ARN},`, { 'Fn::GetAtt': [createdId, 'Arn'] }]],
    });
    assert.equal(variables.STRONGROOM_TENANT_KEYS, undefined);
  });

  test('bind with tenantKeys grants a writer the tenant key Decrypt on previous keys', () => {
    const { stack, secrets, policy } = setup({ tenantKeys: true });
    const fn = lambdaIn(stack);

    secrets.bind(fn, 'write');

    const statements = policy(fn.role as Role);
    assert.deepEqual(statements.at(-1), allow(['kms:Decrypt'], OLD_ARN, TENANT_KEY_ONLY));
  });

  test('an alias or anything but a key is refused as a previous key', () => {
    const stack = new Stack(new App(), 'Aliases', { env: ENV });
    const alias = Alias.fromAliasName(stack, 'Alias', 'alias/old');
    const message = 'previousKeys must be a list of keys, not aliases: use Key.fromKeyArn';

    for (const [index, previousKeys] of [[alias], [OLD_ARN], 'x'].entries()) {
      assert.throws(() => new SecretsStore(stack, `S${index}`, { previousKeys } as never), {
        name: 'TypeError',
        message,
      });
    }
  });
});
