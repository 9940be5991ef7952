import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dynamoDbForTests } from '../support/dynamodb.js';
import { kmsForTestFile } from '../support/kms.js';

// The real executable on the AWS path, configured only as users configure it: the article's
// variables and the SDK's standard endpoint variables. Nothing here passes an endpoint in code,
// so these runs prove the SDK's own chains pick the local servers up.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dynamo = dynamoDbForTests();
const kms = kmsForTestFile();

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly stderr: string;
}

function strongroom(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
      cwd: root,
      env,
    });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, stderr }));
    child.stdin.end(input);
  });
}

async function awsEnv(): Promise<NodeJS.ProcessEnv> {
  const keyArn = await kms.server.createKey();
  const alias = `alias/cli-${Math.random().toString(16).slice(2)}`;
  kms.server.createAlias(alias, keyArn);

  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'strongroomtest',
    AWS_SECRET_ACCESS_KEY: 'strongroomtest',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_KMS: kms.server.endpoint,
    SECRETS_TABLE_NAME: `cli-${process.pid}-${Math.random().toString(16).slice(2)}`,
    KMS_KEY_ID: alias,
    KEY_ARN: keyArn,
  };
}

describe('strongroom on DynamoDB and KMS', () => {
  test('creates the table, stores, reads and rewraps through the standard variables', async (t) => {
    if (dynamo.skip(t)) return;
    const env = await awsEnv();
    const otherKey = await kms.server.createKey();

    const created = await strongroom(['table', 'create'], env);
    const again = await strongroom(['table', 'create', '--json'], env);
    const first = await strongroom(['put', 'acme', 'webhooks/secret'], env, 'whsec_one');
    const second = await strongroom(['put', 'acme', 'webhooks/secret'], env, 'whsec_two');
    const current = await strongroom(['get', 'acme', 'webhooks/secret'], env);
    const older = await strongroom(['get', 'acme', 'webhooks/secret', '--version', '1'], env);
    const refused = await strongroom(['rewrap', '--kms-key', otherKey], env);
    const trusted = ['--trusted-kms-key', env.KEY_ARN ?? ''];
    const rewrap = await strongroom(['rewrap', '--kms-key', otherKey, ...trusted], env);
    const moved = await strongroom(['versions', 'acme', 'webhooks/secret', '--json'], env);
    const migrate = await strongroom(['migrate'], env);

    assert.equal(created.out, `created table ${env.SECRETS_TABLE_NAME}\n`, created.stderr);
    assert.deepEqual(JSON.parse(again.out), { table: env.SECRETS_TABLE_NAME, created: false });
    assert.equal(first.out, '1\n', first.stderr);
    assert.equal(second.out, '2\n');
    assert.equal(current.out, 'whsec_two');
    assert.equal(older.out, 'whsec_one');
    assert.equal(refused.code, 5, 'envelopes under a key not trusted are refused');
    assert.equal(rewrap.out, 'rewrapped 2 of 2 versions\n', rewrap.stderr);
    const keys = JSON.parse(moved.out).versions.map((v: { key: { keyId: string } }) => v.key.keyId);
    assert.deepEqual(keys, [otherKey, otherKey]);
    assert.equal(migrate.out, 'migrated 0 of 0 legacy items\n');
    for (const run of [created, first, current, rewrap]) {
      assert.equal(run.stderr, '', 'no SDK warning or notice on stderr');
    }
  });

  test('names the missing half of the configuration, and refuses keys rotate', async (t) => {
    if (dynamo.skip(t)) return;
    const env = await awsEnv();
    const { KMS_KEY_ID: _key, ...tableOnly } = env;

    const missing = await strongroom(['get', 'acme', 'x'], tableOnly);
    const rotate = await strongroom(['keys', 'rotate'], env);

    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'strongroom: invalid kmsKeyId: give a KMS key id, ARN or alias or set $KMS_KEY_ID\n',
    );
    assert.equal(rotate.code, 2);
    assert.match(rotate.stderr, /^strongroom: keys rotate manages the local keyring; with KMS/);
  });

  test('a disabled key and a missing table are one clear line each', async (t) => {
    if (dynamo.skip(t)) return;
    const env = await awsEnv();
    await strongroom(['table', 'create'], env);
    const keyArn = await kms.server.createKey();
    kms.server.disableKey(keyArn);

    const disabled = await strongroom(['put', 'acme', 'k', '--kms-key', keyArn], env, 'value');
    const noTable = await strongroom(['get', 'acme', 'k', '--table', 'no-such-table'], env);

    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, new RegExp(`^strongroom: key ${keyArn} cannot be used: .*\\n$`));
    assert.equal(noTable.code, 1);
    assert.match(noTable.stderr, /^strongroom: table no-such-table not found \(create it/);
  });
});
