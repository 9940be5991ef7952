import { test } from 'node:test';
import { createKeyring, rotateKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { DynamoDbBackend } from '../../src/storage/dynamodb-backend.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { type ContractPair, runContractSuite } from './contract-suite.js';

const dynamo = dynamoDbForTests();

if (dynamo.skipReason !== undefined) {
  test('DynamoDB contract suite', (t) => {
    t.skip(dynamo.skipReason);
  });
} else {
  for (const mode of ['envelope', 'direct'] as const) {
    // The local keyring provider, as contract.test.ts pairs it, over a fresh table per test.
    runContractSuite(`DynamoDB + local keyring, ${mode} mode`, async () => {
      const tableName = await dynamo.newTable();
      const storage = new DynamoDbBackend({ client: dynamo.client, tableName });
      const keyring = createKeyring();
      const pair: ContractPair = {
        keys: new LocalKeyProvider(keyring),
        storage,
        mode,
        rotate: async () => new LocalKeyProvider(rotateKeyring(keyring)),
        cleanup: async () => {
          await storage.close();
          await dynamo.dropTable(tableName);
        },
      };

      return pair;
    });
  }
}
