import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { KMS_KEY_ENV, TABLE_ENV } from '../../src/aws/aws-store.js';
import { SecretsStore, type SecretsStoreProps } from '../../src/cdk/index.js';

const ENV = { account: '111122223333', region: 'us-east-1' };
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';

function synthesize(props?: SecretsStoreProps) {
  const stack = new Stack(new App(), 'Store', { env: ENV });
  const secrets = new SecretsStore(stack, 'Secrets', props);

  return { stack, secrets, template: Template.fromStack(stack) };
}

const idOf = (stack: Stack, element: unknown) => stack.getLogicalId(element as CfnElement);

describe('the resources SecretsStore creates', () => {
  test('a key with rotation, a description and no alias, kept when the stack goes', () => {
    const { template } = synthesize();

    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        Description: 'strongroom: wraps the data keys of customer secrets',
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the table of docs/DYNAMODB.md: on demand, PITR, deletion protection, no TTL', () => {
    const { template } = synthesize();

    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'customerId', KeyType: 'HASH' },
          { AttributeName: 'secretId', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'customerId', AttributeType: 'S' },
          { AttributeName: 'secretId', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: Match.absent(),
        GlobalSecondaryIndexes: Match.absent(),
        LocalSecondaryIndexes: Match.absent(),
        StreamSpecification: Match.absent(),
        ProvisionedThroughput: Match.absent(),
        TableName: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('an alias, a table name, provisioned capacity and a removal policy shape them', () => {
    const { template } = synthesize({
      alias: 'alias/customer-secrets',
      keyDescription: 'Customer secrets',
      tableName: 'customer-secrets',
      billingMode: BillingMode.PROVISIONED,
      readCapacity: 20,
      writeCapacity: 5,
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });

    const key = template.findResources('AWS::KMS::Key');
    const [keyId] = Object.keys(key);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/customer-secrets',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: { Description: 'Customer secrets', EnableKeyRotation: true },
      DeletionPolicy: 'Delete',
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'customer-secrets',
        BillingMode: Match.absent(),
        ProvisionedThroughput: { ReadCapacityUnits: 20, WriteCapacityUnits: 5 },
        DeletionProtectionEnabled: false,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Delete',
    });
  });

  test('keyArn and tableName are the new key ARN and the table name', () => {
    const { stack, secrets } = synthesize();

    const key = idOf(stack, secrets.key.node.defaultChild);
    const table = idOf(stack, secrets.table.node.defaultChild);
    assert.deepEqual(stack.resolve(secrets.keyArn), { 'Fn::GetAtt': [key, 'Arn'] });
    assert.deepEqual(stack.resolve(secrets.tableName), { Ref: table });
  });
});

describe('bringing an existing key or table', () => {
  test('an existing key and table add no resources, and the grants name them', () => {
    const stack = new Stack(new App(), 'Imports', { env: ENV });
    const encryptionKey = Key.fromKeyArn(stack, 'Key', KEY_ARN);
    const table = Table.fromTableName(stack, 'Table', 'article-secrets');
    const secrets = new SecretsStore(stack, 'Secrets', { encryptionKey, table });
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });

    secrets.bind(fn, 'read');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    assert.equal(secrets.keyArn, KEY_ARN);
    assert.equal(secrets.tableName, 'article-secrets');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { KMS_KEY_ID: KEY_ARN, SECRETS_TABLE_NAME: 'article-secrets' } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
            Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: KEY_ARN }),
        ],
      },
    });
  });

  test('an alias is refused as the key: a policy on its ARN grants nothing', () => {
    const stack = new Stack(new App(), 'AliasKey', { env: ENV });
    const alias = Alias.fromAliasName(stack, 'Alias', 'alias/article');

    assert.throws(() => new SecretsStore(stack, 'Secrets', { encryptionKey: alias }), {
      name: 'TypeError',
      message: 'encryptionKey must be a key, not an alias: use Key.fromKeyArn',
    });
  });

  test('properties of a new key or table are refused beside an existing one', () => {
    const stack = new Stack(new App(), 'Mixed', { env: ENV });
    const encryptionKey = Key.fromKeyArn(stack, 'Key', KEY_ARN);
    const table = Table.fromTableName(stack, 'Table', 'article-secrets');
    const cases: [SecretsStoreProps, string][] = [
      [{ encryptionKey, alias: 'alias/x' }, 'alias applies only to a key this construct creates'],
      [{ table, tableName: 'x' }, 'tableName applies only to a table this construct creates'],
      [
        { table, billingMode: BillingMode.PROVISIONED },
        'billingMode applies only to a table this construct creates',
      ],
    ];

    cases.forEach(([props, message], index) => {
      assert.throws(() => new SecretsStore(stack, `Secrets${index}`, props), {
        name: 'TypeError',
        message,
      });
    });
  });
});

describe('bind', () => {
  test('sets the two variables openAwsStore needs and grants readWrite by default', () => {
    const stack = new Stack(new App(), 'Bind', { env: ENV });
    const secrets = new SecretsStore(stack, 'Secrets');
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });

    const grant = secrets.bind(fn);

    const template = Template.fromStack(stack);
    const key = { 'Fn::GetAtt': [idOf(stack, secrets.key.node.defaultChild), 'Arn'] };
    const table = idOf(stack, secrets.table.node.defaultChild);
    assert.deepEqual([KMS_KEY_ENV, TABLE_ENV], ['KMS_KEY_ID', 'SECRETS_TABLE_NAME']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { KMS_KEY_ID: key, SECRETS_TABLE_NAME: { Ref: table } } },
    });
    const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function'));
    const variables = Object.keys(fnResource?.Properties.Environment.Variables ?? {});
    assert.deepEqual(variables.sort(), ['KMS_KEY_ID', 'SECRETS_TABLE_NAME']);
    assert.equal(grant.principalStatements.length, 2);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: Match.arrayWith(['dynamodb:PutItem']) }),
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'],
            Resource: key,
          }),
        ],
      },
    });
  });
});
