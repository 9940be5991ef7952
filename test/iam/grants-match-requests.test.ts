import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { openAwsStore } from '../../src/aws/aws-store.js';
import { SecretsStore } from '../../src/cdk/index.js';
import { principalTagVariable } from '../../src/cdk/policy-actions.js';
import type { SealMode } from '../../src/store/envelopes.js';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { policyAllows, type RequestContext, type Statement } from '../support/iam-conditions.js';
import { kmsForTestFile } from '../support/kms.js';

// The grants' IAM conditions must match what the library really sends. The requests are
// captured from the AWS adapters talking to DynamoDB Local and the KMS test server; the
// conditions come from the synthesized template; a small evaluator joins the two.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

/** The IAM action of each item of a TransactWriteItems request. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

type Input = Record<string, unknown>;

/** The partition key values a request touches: what `dynamodb:LeadingKeys` is matched with. */
function leadingKeys(input: Input): string[] {
  const keys = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, inner] of Object.entries(value)) {
        const tenant = name === 'customerId' ? (inner as AttributeValue).S : undefined;
        if (tenant !== undefined) {
          keys.add(tenant);
        } else if (name !== 'ExpressionAttributeValues') {
          visit(inner);
        }
      }
    }
  };
  visit(input);

  // A Query names its partition in the key condition: `#n = :v`, #n being customerId.
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  const condition = String(input.KeyConditionExpression ?? '');
  for (const [placeholder, name] of Object.entries(names)) {
    const bound = new RegExp(`${placeholder}\\s*=\\s*(:\\w+)`).exec(condition);
    const value = bound && name === 'customerId' ? values[bound[1] as string]?.S : undefined;
    if (value !== undefined) {
      keys.add(value);
    }
  }

  return [...keys];
}

/** What IAM sees of a DynamoDB call: one context per action it needs. */
function dynamoContexts(command: string, input: Input): RequestContext[] {
  const operation = command.replace(/Command$/, '');
  if (operation !== 'TransactWriteItems') {
    return [
      { action: `dynamodb:${operation}`, keys: { 'dynamodb:LeadingKeys': leadingKeys(input) } },
    ];
  }

  return (input.TransactItems as Input[]).map((item) => {
    const [kind, body] = Object.entries(item)[0] as [string, Input];
    return {
      action: `dynamodb:${TRANSACT_ACTIONS[kind]}`,
      keys: { 'dynamodb:LeadingKeys': leadingKeys(body) },
    };
  });
}

/** What IAM sees of a KMS call: the context pairs and the list of context keys. */
function kmsContext(operation: string, context: Record<string, string> = {}): RequestContext {
  const keys: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    keys[`kms:EncryptionContext:${key}`] = value;
  }
  keys['kms:EncryptionContextKeys'] = Object.keys(context);

  return { action: `kms:${operation}`, keys };
}

/** Runs a tenant's whole life through the store and returns every request IAM would see. */
async function captureRequests(tenant: string, mode: SealMode) {
  const client = dynamo.newClient();
  const sent: RequestContext[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(...dynamoContexts(context.commandName ?? '', args.input as Input));
      return next(args);
    },
    { step: 'initialize', name: 'captureForIam' },
  );
  const tableName = await dynamo.newTable();
  const kmsKeyId = await kms.server.createKey();
  const { store } = openAwsStore({ tableName, kmsKeyId, dynamoDb: client, kms: kms.client, mode });
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

  const kmsRequests = kms.server.requests.map((request) =>
    kmsContext(request.operation, request.encryptionContext),
  );
  return [...sent, ...kmsRequests];
}

/** The statements of the policy attached to one role in a synthesized stack. */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
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

/** The principal tag a per-customer role carries, as IAM substitutes it into the policy. */
function withPrincipalTag(statements: Statement[], tenant: string): Statement[] {
  return JSON.parse(JSON.stringify(statements).replaceAll(principalTagVariable('tenant'), tenant));
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
