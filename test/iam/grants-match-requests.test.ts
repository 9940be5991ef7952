import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { openAwsStore } from '../../src/aws/aws-store.js';
import { SecretsStore } from '../../src/cdk/index.js';
import type { SealMode } from '../../src/store/envelopes.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { policyAllows, type Statement } from '../support/iam-conditions.js';
import { kmsForTestFile } from '../support/kms.js';
import {
  captureDynamoDb,
  kmsContext,
  kmsContexts,
  statementsOf,
  withPrincipalTag,
} from './requests.js';

// The grants' IAM conditions must match what the library really sends. The requests are
// captured from the AWS adapters talking to DynamoDB Local and the KMS test server; the
// conditions come from the synthesized template; a small evaluator joins the two.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

/** Runs a tenant's whole life through the store and returns every request IAM would see. */
async function captureRequests(tenant: string, mode: SealMode) {
  const client = dynamo.newClient();
  const sent = captureDynamoDb(client);
  const tableName = await dynamo.newTable();
  const kmsKeyId = await kms.server.createKey();
  const options = { tableName, kmsKeyId, dynamoDb: client, kms: kms.client, mode, env: {} };
  const { store } = openAwsStore(options);
  kms.server.resetCounts();

  await store.put(tenant, 'api-key', 'one');
  await store.put(tenant, 'api-key', 'two', { expectedVersion: 1 });
  await store.get(tenant, 'api-key');
  await store.get(tenant, 'api-key', { version: 1 });
  await store.getMany(tenant, ['api-key', 'missing']);
  await store.describe(tenant, 'api-key');
  await store.list(tenant);
  await store.versions(tenant, 'api-key');
  await store.moveLabel(tenant, 'api-key', 'pending', 2, { expectedVersion: 0 });
  await store.rollback(tenant, 'api-key');
  await store.delete(tenant, 'api-key');
  await store.restore(tenant, 'api-key');
  await store.purge(tenant, 'api-key');

  return [...sent, ...kmsContexts(kms.server.requests)];
}

function synthesize() {
  const stack = new Stack(new App(), 'Grants');
  const secrets = new SecretsStore(stack, 'Secrets');
  const principal = new ServicePrincipal('lambda.amazonaws.com');
  const roles = {
    acme: new Role(stack, 'AcmeRole', { assumedBy: principal }),
    tagged: new Role(stack, 'TaggedRole', { assumedBy: principal }),
    reader: new Role(stack, 'ReaderRole', { assumedBy: principal }),
    all: new Role(stack, 'AllRole', { assumedBy: principal }),
  };
  secrets.grantTenant(roles.acme, 'acme', 'readWrite');
  secrets.grantTenantFromPrincipalTag(roles.tagged, 'readWrite');
  secrets.grantRead(roles.reader);
  secrets.grantReadWrite(roles.all);

  const template = Template.fromStack(stack);
  const idOf = (role: Role) => stack.getLogicalId(role.node.defaultChild as never);
  const statements = Object.fromEntries(
    Object.entries(roles).map(([name, role]) => [name, statementsOf(template, idOf(role))]),
  ) as Record<keyof typeof roles, Statement[]>;

  return statements;
}

describe('the grants allow exactly what the library sends', () => {
  for (const mode of ['envelope', 'direct'] as const) {
    test(`a tenant's grant allows its own requests and no other tenant's (${mode})`, async (t) => {
      if (dynamo.skip(t)) return;
      const statements = synthesize();

      const acme = await captureRequests('acme', mode);
      const globex = await captureRequests('globex', mode);

      assert.ok(
        acme.some((request) => request.action.startsWith('kms:')),
        'KMS was called',
      );
      for (const request of acme) {
        assert.ok(policyAllows(statements.acme, request), `acme may ${request.action}`);
        assert.ok(policyAllows(statements.all, request), `readWrite allows ${request.action}`);
        const tagged = withPrincipalTag(statements.tagged, 'acme');
        assert.ok(policyAllows(tagged, request), `a role tagged acme may ${request.action}`);
      }
      for (const request of globex) {
        assert.equal(policyAllows(statements.acme, request), false, `acme ${request.action}`);
        const tagged = withPrincipalTag(statements.tagged, 'acme');
        assert.equal(policyAllows(tagged, request), false, `tagged acme ${request.action}`);
      }
    });
  }

  test('the read grant allows reads and refuses every write', async (t) => {
    if (dynamo.skip(t)) return;
    const statements = synthesize();
    const requests = await captureRequests('acme', 'envelope');

    const refused = requests.filter((request) => !policyAllows(statements.reader, request));
    const actions = new Set(refused.map((request) => request.action));

    assert.deepEqual([...actions].sort(), [
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'kms:GenerateDataKey',
    ]);
  });

  test('a KMS call whose context lacks the tenant, or adds a key, is refused', () => {
    const statements = synthesize();
    const good = { tenant: 'acme', secret: 'api-key', version: '1', use: 'data-key' };
    const { tenant: _tenant, ...noTenant } = good;

    const allowed = policyAllows(statements.all, kmsContext('Decrypt', good));
    const missing = policyAllows(statements.all, kmsContext('Decrypt', noTenant));
    const extra = policyAllows(statements.all, kmsContext('Decrypt', { ...good, other: 'x' }));

    assert.equal(allowed, true);
    assert.equal(missing, false);
    assert.equal(extra, false);
  });
});
