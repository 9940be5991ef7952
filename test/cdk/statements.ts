import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';

/**
 * What the grant tests compare synthesized policies with. Written out rather than taken from
 * the module, so a change to the conditions fails the tests.
 */

export const CONTEXT = {
  Null: { 'kms:EncryptionContext:tenant': 'false' },
  'ForAllValues:StringEquals': {
    'kms:EncryptionContextKeys': ['tenant', 'secret', 'version', 'use'],
  },
};
export const READ_ROWS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
export const WRITE_ROWS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

export interface Statement {
  Action: string[];
  Effect: string;
  Resource: unknown;
  Condition?: unknown;
}

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The statements of every policy attached to a role, with Action always a list. */
export function statementsOf(template: Template, stack: Stack, role: Role): Statement[] {
  const id = stack.getLogicalId(role.node.defaultChild as CfnElement);
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));

  return policies
    .filter((policy) =>
      list(policy.Properties.Roles).some((ref) => (ref as { Ref?: string }).Ref === id),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .map((statement) => ({ ...statement, Action: list(statement.Action) }) as Statement);
}

export function allow(actions: string[], resource: unknown, condition?: unknown): Statement {
  const statement: Statement = { Action: actions, Effect: 'Allow', Resource: resource };
  return condition === undefined ? statement : { ...statement, Condition: condition };
}
