import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  openAwsStore,
  resolveAwsDefaults,
  TENANT_KEYS_ENV,
  TRUSTED_KMS_KEYS_ENV,
} from '../../src/aws/aws-store.js';
import { INTEGRITY_MESSAGE, IntegrityError, InvalidInputError } from '../../src/errors.js';
import { dynamoDbForTests, rawKeys } from '../support/dynamodb.js';
import { expectRejection, expectThrow } from '../support/errors.js';
import { kmsForTestFile } from '../support/kms.js';

// The variables `SecretsStore.bind` sets beside the table and key: what openAwsStore makes of
// them, and that a bad value is named by its variable and never echoed.
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

const ARN_A = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const ARN_B = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
// A value no message may carry.
const MARKER = 'canary-7f3a9c';
// The two variables openAwsStore needs before it looks at the others.
const NAMES = { SECRETS_TABLE_NAME: 'secrets', KMS_KEY_ID: ARN_A };

describe('the environment defaults of openAwsStore', () => {
  test('STRONGROOM_TENANT_KEYS is true, false or unset; an empty value is unset', () => {
    const tenantKeys = (value?: string) =>
      resolveAwsDefaults({ env: value === undefined ? {} : { [TENANT_KEYS_ENV]: value } })
        .tenantKeys;

    assert.equal(TENANT_KEYS_ENV, 'STRONGROOM_TENANT_KEYS');
    assert.equal(tenantKeys('true'), true);
    assert.equal(tenantKeys('false'), false);
    assert.equal(tenantKeys(), undefined);
    assert.equal(tenantKeys(''), undefined);
  });

  test('STRONGROOM_TRUSTED_KMS_KEYS is key ARNs separated by commas, spaces allowed', () => {
    const trusted = (value: string) =>
      resolveAwsDefaults({ env: { [TRUSTED_KMS_KEYS_ENV]: value } }).trustedKmsKeyIds;

    assert.equal(TRUSTED_KMS_KEYS_ENV, 'STRONGROOM_TRUSTED_KMS_KEYS');
    assert.deepEqual(trusted(ARN_A), [ARN_A]);
    assert.deepEqual(trusted(`${ARN_A}, ${ARN_B}`), [ARN_A, ARN_B]);
    assert.equal(trusted(''), undefined);
  });

  test('an option given wins over its variable', () => {
    const env = { [TENANT_KEYS_ENV]: 'true', [TRUSTED_KMS_KEYS_ENV]: ARN_A };

    const defaults = resolveAwsDefaults({ env, tenantKeys: false, trustedKmsKeyIds: [] });

    assert.deepEqual(defaults, { tenantKeys: false, trustedKmsKeyIds: [] });
  });

  test('any other STRONGROOM_TENANT_KEYS is refused, named, and not echoed', () => {
    for (const value of ['TRUE', '1', 'yes', ' true', MARKER]) {
      const env = { ...NAMES, [TENANT_KEYS_ENV]: value };

      const error = expectThrow(() => openAwsStore({ env }), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid $STRONGROOM_TENANT_KEYS: must be true or false',
      });

      assert.equal(error.field, '$STRONGROOM_TENANT_KEYS');
    }
  });

  test('a STRONGROOM_TRUSTED_KMS_KEYS entry that is not a key ARN is refused, not echoed', () => {
    const values = [MARKER, `${ARN_A},`, `${ARN_A},,${ARN_B}`, 'alias/old', `${ARN_A};${ARN_B}`];
    for (const value of values) {
      const env = { ...NAMES, [TRUSTED_KMS_KEYS_ENV]: value };

      expectThrow(() => openAwsStore({ env }), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid $STRONGROOM_TRUSTED_KMS_KEYS: must be KMS key ARNs, comma-separated',
      });
    }
  });
});

describe('the environment defaults over the wire', () => {
  test('STRONGROOM_TENANT_KEYS=true writes tenant keys; tenantKeys: false wins', async (t) => {
    if (dynamo.skip(t)) return;
    const [layered, plain] = [await dynamo.newTable(), await dynamo.newTable()];
    const kmsKeyId = await kms.server.createKey();
    const env = { [TENANT_KEYS_ENV]: 'true' };
    const clients = { dynamoDb: dynamo.client, kms: kms.client, kmsKeyId, env };

    await openAwsStore({ ...clients, tableName: layered }).store.put('acme', 'api-key', 'one');
    const off = openAwsStore({ ...clients, tableName: plain, tenantKeys: false });
    await off.store.put('acme', 'api-key', 'one');

    assert.deepEqual(await rawKeys(dynamo.client, layered), [
      'acme/#k#0000000001',
      'acme/#v#api-key#0000000001',
      'acme/api-key',
    ]);
    assert.ok(!(await rawKeys(dynamo.client, plain)).some((key) => key.includes('#k#')));
  });

  test('STRONGROOM_TRUSTED_KMS_KEYS lets a store on a new key read the old one', async (t) => {
    if (dynamo.skip(t)) return;
    const tableName = await dynamo.newTable();
    const oldKey = await kms.server.createKey();
    const clients = { tableName, dynamoDb: dynamo.client, kms: kms.client };
    await openAwsStore({ ...clients, kmsKeyId: oldKey, env: {} }).store.put('acme', 'a', 'one');
    const newKey = await kms.server.createKey();

    const trusting = openAwsStore({
      ...clients,
      kmsKeyId: newKey,
      env: { [TRUSTED_KMS_KEYS_ENV]: oldKey },
    });
    const distrusting = openAwsStore({ ...clients, kmsKeyId: newKey, env: {} });

    assert.equal((await trusting.store.get('acme', 'a')).value.text(), 'one');
    await expectRejection(distrusting.store.get('acme', 'a'), IntegrityError, {
      code: 'ERR_INTEGRITY',
      message: INTEGRITY_MESSAGE,
    });
  });
});
