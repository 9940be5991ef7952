import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Template } from 'aws-cdk-lib/assertions';
import { principalTagVariable } from '../../src/cdk/policy-actions.js';
import type { RequestContext, Statement } from '../support/iam-conditions.js';
import type { KmsRequestRecord } from '../support/kms-emulator.js';

/**
 * What IAM sees of the requests the AWS adapters really send: the DynamoDB ones captured from
 * the SDK client, the KMS ones from the KMS test server's log. The IAM tests evaluate the
 * synthesized statements against these.
 */

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

/** Records what IAM would see of every request `client` sends from now on, into the list. */
export function captureDynamoDb(client: DynamoDBClient): RequestContext[] {
  const sent: RequestContext[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(...dynamoContexts(context.commandName ?? '', args.input as Input));
      return next(args);
    },
    { step: 'initialize', name: 'captureForIam' },
  );

  return sent;
}

/** What IAM sees of a KMS call: the context pairs and the list of context keys. */
export function kmsContext(operation: string, context: Record<string, string> = {}) {
  const keys: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    keys[`kms:EncryptionContext:${key}`] = value;
  }
  keys['kms:EncryptionContextKeys'] = Object.keys(context);

  return { action: `kms:${operation}`, keys } satisfies RequestContext;
}

/**
 * What IAM sees of logged KMS calls. A ReEncrypt is authorized twice, as ReEncryptFrom with the
 * source context and ReEncryptTo with the destination one.
 */
export function kmsContexts(requests: readonly KmsRequestRecord[]): RequestContext[] {
  return requests.flatMap((request) =>
    request.operation === 'ReEncrypt'
      ? [
          kmsContext('ReEncryptFrom', request.sourceEncryptionContext),
          kmsContext('ReEncryptTo', request.destinationEncryptionContext),
        ]
      : [kmsContext(request.operation, request.encryptionContext)],
  );
}

/** The statements of the policy attached to one role in a synthesized stack. */
export function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The principal tag a per-customer role carries, as IAM substitutes it into the policy. */
export function withPrincipalTag(statements: Statement[], tenant: string): Statement[] {
  return JSON.parse(JSON.stringify(statements).replaceAll(principalTagVariable('tenant'), tenant));
}
