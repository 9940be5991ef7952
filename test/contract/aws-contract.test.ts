import { test } from 'node:test';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { kmsForTestFile } from '../support/kms.js';
import { runContractSuite } from './contract-suite.js';

// The production pair: DynamoDB (DynamoDB Local) and AWS KMS (the KMS test server), both
// through the AWS SDK over HTTP, under the same contract suite as every other pair.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

if (dynamo.skipReason !== undefined) {
  test('DynamoDB + AWS KMS contract suite', (t) => {
    t.skip(dynamo.skipReason);
  });
} else {
  const variants = [
    { label: 'envelope mode', mode: 'envelope', tenantKeys: false },
    { label: 'direct mode', mode: 'direct', tenantKeys: false },
    { label: 'per-tenant keys', mode: 'envelope', tenantKeys: true },
  ] as const;
  for (const { label, mode, tenantKeys } of variants) {
    runContractSuite(`DynamoDB + AWS KMS, ${label}`, async () => {
      const tableName = await dynamo.newTable();
      const storage = new DynamoDbBackend({ client: dynamo.client, tableName });
      const keys = await kms.newProvider();

      return {
        keys,
        storage,
        mode,
        tenantKeys,
        // A new key that trusts the old one, as a store must until its rewrap completes.
        rotate: () => kms.newProvider([keys.keyId]),
        cleanup: async () => {
          await storage.close();
          await dynamo.dropTable(tableName);
        },
      };
    });
  }
}
