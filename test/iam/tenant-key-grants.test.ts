import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { openAwsStore } from '../../src/aws/aws-store.js';
import { SecretsStore } from '../../src/cdk/index.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { policyAllows, type RequestContext, type Statement } from '../support/iam-conditions.js';
import { kmsForTestFile } from '../support/kms.js';
import {
  captureDynamoDb,
  kmsContext,
  kmsContexts,
  statementsOf,
  withPrincipalTag,
} from './requests.js';

// The grants of a store with tenantKeys against the requests its adapters really send to
// DynamoDB Local and the KMS test server: a writer opens its tenant's tenant keys and nothing
// else; a reader opens tenant keys as it opens data keys.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();
const PREVIOUS_KEY_ARN =
  'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';

/** A store on `tableName` and `kmsKeyId`, new each time so its caches start cold. */
function openTenantKeyStore(tableName: string, kmsKeyId: string, trusted: string[] = []) {
  const client = dynamo.newClient();
  const sent = captureDynamoDb(client);
  const { store } = openAwsStore({
    tableName,
    kmsKeyId,
    trustedKmsKeyIds: trusted,
    dynamoDb: client,
    kms: kms.client,
    tenantKeys: true,
    env: {},
  });

  // Everything IAM saw since the store was opened: DynamoDB from the client, KMS from the log.
  const from = kms.server.requests.length;
  const requests = () => [...sent, ...kmsContexts(kms.server.requests.slice(from))];

  return { store, requests };
}

/** Two puts by two processes: the second finds the tenant key and must Decrypt it. */
async function captureWrites(tenant: string) {
  const tableName = await dynamo.newTable();
  const kmsKeyId = await kms.server.createKey();
  const first = openTenantKeyStore(tableName, kmsKeyId);
  await first.store.put(tenant, 'api-key', 'one');
  const second = openTenantKeyStore(tableName, kmsKeyId);
  await second.store.put(tenant, 'api-key', 'two', { expectedVersion: 1 });
  await second.store.moveLabel(tenant, 'api-key', 'pending', 1, { expectedVersion: 0 });
  await second.store.rollback(tenant, 'api-key');
  await second.store.delete(tenant, 'api-key');
  await second.store.restore(tenant, 'api-key');

  return { tableName, kmsKeyId, writes: [...first.requests(), ...second.requests()] };
}

/** The reads of a process with cold caches, of versions whose data keys tenant keys wrap. */
async function captureReads(tenant: string) {
  const { tableName, kmsKeyId } = await captureWrites(tenant);
  const reader = openTenantKeyStore(tableName, kmsKeyId);

  await reader.store.get(tenant, 'api-key');
  await reader.store.get(tenant, 'api-key', { version: 2 });
  await reader.store.getMany(tenant, ['api-key', 'missing']);
  await reader.store.describe(tenant, 'api-key');
  await reader.store.list(tenant);
  await reader.store.versions(tenant, 'api-key');

  return reader.requests();
}

function synthesize() {
  const stack = new Stack(new App(), 'TenantKeyGrants');
  const secrets = new SecretsStore(stack, 'Secrets', { tenantKeys: true });
  const principal = new ServicePrincipal('lambda.amazonaws.com');
  const role = (id: string) => new Role(stack, id, { assumedBy: principal });
  const roles = {
    acmeWriter: role('AcmeWriter'),
    taggedWriter: role('TaggedWriter'),
    writer: role('Writer'),
    acmeReader: role('AcmeReader'),
    reader: role('Reader'),
    admin: role('Admin'),
  };
  secrets.grantTenant(roles.acmeWriter, 'acme', 'write');
  secrets.grantTenantFromPrincipalTag(roles.taggedWriter, 'write');
  secrets.grantWrite(roles.writer);
  secrets.grantTenant(roles.acmeReader, 'acme', 'read');
  secrets.grantRead(roles.reader);
  // The evaluator does not model resources: any previous key gives the ReEncryptFrom statement.
  const previous = Key.fromKeyArn(stack, 'Previous', PREVIOUS_KEY_ARN);
  secrets.grantAdmin(roles.admin, { previousKeys: [previous] });

  const template = Template.fromStack(stack);
  const idOf = (grantee: Role) => stack.getLogicalId(grantee.node.defaultChild as never);
  return Object.fromEntries(
    Object.entries(roles).map(([name, grantee]) => [name, statementsOf(template, idOf(grantee))]),
  ) as Record<keyof typeof roles, Statement[]>;
}

const isTenantKeyDecrypt = (request: RequestContext) =>
  request.action === 'kms:Decrypt' && request.keys['kms:EncryptionContext:use'] === 'tenant-key';

describe('the grants of a store with tenantKeys allow exactly what it sends', () => {
  test("a tenant's write grant allows two puts and other writes, in its tenant only", async (t) => {
    if (dynamo.skip(t)) return;
    const statements = synthesize();
    const tagged = withPrincipalTag(statements.taggedWriter, 'acme');

    const acme = (await captureWrites('acme')).writes;
    const globex = (await captureWrites('globex')).writes;

    assert.ok(acme.some(isTenantKeyDecrypt), 'the second put opened the tenant key');
    for (const request of acme) {
      assert.ok(policyAllows(statements.acmeWriter, request), `acme may ${request.action}`);
      assert.ok(policyAllows(tagged, request), `a role tagged acme may ${request.action}`);
      assert.ok(policyAllows(statements.writer, request), `grantWrite allows ${request.action}`);
    }
    for (const request of globex) {
      assert.equal(policyAllows(statements.acmeWriter, request), false, `acme ${request.action}`);
      assert.equal(policyAllows(tagged, request), false, `tagged acme ${request.action}`);
    }
  });

  test('a write grant refuses the Decrypt of a data key or a value, even its own', async (t) => {
    if (dynamo.skip(t)) return;
    const statements = synthesize();
    // A version written before tenantKeys: its data key is KMS-wrapped, read with use=data-key.
    const tableName = await dynamo.newTable();
    const kmsKeyId = await kms.server.createKey();
    const options = { tableName, kmsKeyId, dynamoDb: dynamo.client, kms: kms.client, env: {} };
    const { store } = openAwsStore(options);
    await store.put('acme', 'api-key', 'before the layer');
    const from = kms.server.requests.length;

    await store.get('acme', 'api-key');

    const [read] = kmsContexts(kms.server.requests.slice(from));
    const value = { tenant: 'acme', secret: 'api-key', version: '1', use: 'value' };
    for (const request of [read as RequestContext, kmsContext('Decrypt', value)]) {
      assert.equal(policyAllows(statements.acmeWriter, request), false);
      assert.equal(policyAllows(statements.writer, request), false);
      assert.ok(policyAllows(statements.acmeReader, request));
    }
    assert.equal(read?.keys['kms:EncryptionContext:use'], 'data-key');
  });

  test('a read grant allows reads of tenant key envelopes and refuses the writes', async (t) => {
    if (dynamo.skip(t)) return;
    const statements = synthesize();

    const reads = await captureReads('acme');
    const globexReads = await captureReads('globex');
    const { writes } = await captureWrites('acme');

    assert.ok(reads.some(isTenantKeyDecrypt), 'the reader opened the tenant key');
    for (const request of reads) {
      assert.ok(policyAllows(statements.acmeReader, request), `acme reads ${request.action}`);
      assert.ok(policyAllows(statements.reader, request), `grantRead allows ${request.action}`);
      // The cost docs/CDK.md states: the tenant key opens the data keys, so a writer reads too.
      assert.ok(policyAllows(statements.acmeWriter, request), `acme's writer ${request.action}`);
    }
    for (const request of globexReads) {
      assert.equal(policyAllows(statements.acmeReader, request), false, `${request.action}`);
    }
    const refused = writes.filter((request) => !policyAllows(statements.reader, request));
    assert.deepEqual([...new Set(refused.map((request) => request.action))].sort(), [
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'kms:GenerateDataKey',
    ]);
  });

  test('the admin grant allows the ReEncrypt of tenant keys to a new KMS key', async (t) => {
    if (dynamo.skip(t)) return;
    const statements = synthesize();
    const { tableName, kmsKeyId } = await captureWrites('acme');
    const moved = openTenantKeyStore(tableName, await kms.server.createKey(), [kmsKeyId]);

    const result = await moved.store.rewrap();

    const requests = moved.requests();
    const reEncrypts = requests.filter((request) => request.action.startsWith('kms:ReEncrypt'));
    assert.equal(result.tenantKeys.rewrapped, 1);
    assert.deepEqual(
      reEncrypts.map((request) => request.keys['kms:EncryptionContext:use']),
      ['tenant-key', 'tenant-key'],
    );
    for (const request of requests) {
      assert.ok(policyAllows(statements.admin, request), `admin may ${request.action}`);
    }
    for (const request of reEncrypts) {
      assert.equal(policyAllows(statements.acmeWriter, request), false, request.action);
    }
  });
});
