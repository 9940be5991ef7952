import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkAccess,
  DYNAMODB_ACTIONS,
  KMS_ACTIONS,
  kmsContextConditions,
  leadingKeysCondition,
  principalTagVariable,
  STRONGROOM_CONTEXT_KEYS,
  TENANT_KEY_USE,
} from '../../src/cdk/policy-actions.js';
import { secretContext } from '../../src/format/context.js';
import { KMS_USE_CONTEXT_KEY } from '../../src/keys/aws/kms-key-provider.js';
import type { KeyKind } from '../../src/keys/key-provider.js';
import { tenantKeyContext } from '../../src/keys/tenant/tenant-key-wrap.js';

describe('the policy data of the grants', () => {
  test('STRONGROOM_CONTEXT_KEYS are the keys the store and the KMS provider send', () => {
    const sent = [...Object.keys(secretContext('acme', 'api-key', 1)), KMS_USE_CONTEXT_KEY];

    assert.deepEqual([...STRONGROOM_CONTEXT_KEYS].sort(), sent.sort());
    assert.ok(Object.isFrozen(STRONGROOM_CONTEXT_KEYS));
  });

  test("a tenant key's context keys are among them, so the context conditions admit it", () => {
    const sent = [...Object.keys(tenantKeyContext('acme', 1)), KMS_USE_CONTEXT_KEY];
    const kind: KeyKind = TENANT_KEY_USE;

    assert.deepEqual(sent.sort(), ['tenant', 'use', 'version']);
    assert.ok(sent.every((key) => STRONGROOM_CONTEXT_KEYS.includes(key)));
    assert.equal(kind, 'tenant-key');
  });

  test('the action lists hold no wildcard, no TransactWriteItems and no Scan', () => {
    const actions = [...Object.values(DYNAMODB_ACTIONS), ...Object.values(KMS_ACTIONS)].flat();

    assert.ok(actions.every((action) => !action.includes('*')));
    assert.ok(!actions.includes('dynamodb:TransactWriteItems'));
    assert.ok(!actions.includes('dynamodb:Scan'));
  });

  test('kmsContextConditions requires a tenant and admits only the four context keys', () => {
    const keys = ['tenant', 'secret', 'version', 'use'];

    assert.deepEqual(kmsContextConditions(), {
      Null: { 'kms:EncryptionContext:tenant': 'false' },
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': keys },
    });
    assert.deepEqual(kmsContextConditions('acme').StringEquals, {
      'kms:EncryptionContext:tenant': 'acme',
    });
  });

  test('every call returns a fresh condition block', () => {
    const first = kmsContextConditions('acme');
    first.Null = {};
    const partition = leadingKeysCondition('acme');
    partition['ForAllValues:StringEquals'] = {};

    const present = { 'kms:EncryptionContext:tenant': 'false' };
    assert.deepEqual(kmsContextConditions('acme').Null, present);
    assert.deepEqual(leadingKeysCondition('acme'), {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['acme'] },
    });
  });

  test('principalTagVariable rejects a tag key that is not one', () => {
    for (const tagKey of ['', 'a}b', 'x'.repeat(129), 'a$b', 7]) {
      assert.throws(() => principalTagVariable(tagKey as string), {
        name: 'RangeError',
        message: 'tagKey must be an IAM tag key: 1 to 128 letters, digits, _ . : / = + - @',
      });
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable, as IAM spells it
    assert.equal(principalTagVariable('team:customer'), '${aws:PrincipalTag/team:customer}');
  });

  test('checkAccess takes the three access levels and nothing else', () => {
    for (const access of ['read', 'write', 'readWrite']) {
      assert.doesNotThrow(() => checkAccess(access));
    }
    for (const access of ['admin', 'READ', undefined, 1]) {
      assert.throws(() => checkAccess(access), {
        name: 'TypeError',
        message: "access must be 'read', 'write' or 'readWrite'",
      });
    }
  });
});
