import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { StorageError } from '../../src/errors.js';
import { createSecretsTable } from '../../src/storage/dynamodb-table.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { expectRejection } from '../support/errors.js';

const dynamo = dynamoDbForTests();
let count = 0;

function freshName(): string {
  count += 1;
  return `strongroom-table-test-${process.pid}-${count}`;
}

describe('createSecretsTable', () => {
  test('creates an on-demand table keyed on customerId and secretId, ACTIVE', async (t) => {
    if (dynamo.skip(t)) return;
    const name = freshName();

    const created = await createSecretsTable(dynamo.client, name);

    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
    await dynamo.dropTable(name);
    assert.equal(created, true);
    assert.equal(Table?.TableStatus, 'ACTIVE');
    assert.equal(Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(Table?.KeySchema, [
      { AttributeName: 'customerId', KeyType: 'HASH' },
      { AttributeName: 'secretId', KeyType: 'RANGE' },
    ]);
  });

  test('accepts a table that already has the right keys, changing nothing', async (t) => {
    if (dynamo.skip(t)) return;
    const name = await dynamo.newTable();

    const created = await createSecretsTable(dynamo.client, name);

    assert.equal(created, false);
  });

  test('refuses a table of that name with other keys', async (t) => {
    if (dynamo.skip(t)) return;
    const name = freshName();
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'customerId', AttributeType: 'S' }],
      }),
    );

    const work = createSecretsTable(dynamo.client, name);

    await expectRejection(work, StorageError, {
      code: 'ERR_STORAGE',
      message:
        `DynamoDB table ${name} exists with other keys; strongroom needs partition key ` +
        'customerId (S) and sort key secretId (S)',
    });
    await dynamo.dropTable(name);
  });
});
