import { createSecretsTable } from '../storage/dynamodb-table.js';
import { awsClients } from './aws-session.js';

/** Creates the table with a client from the SDK's default chain; false if it already existed. */
export async function createTableCommand(tableName: string): Promise<boolean> {
  const { dynamoDb, kms } = awsClients();
  kms.destroy();

  try {
    return await createSecretsTable(dynamoDb, tableName);
  } finally {
    dynamoDb.destroy();
  }
}
