import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { type KmsServer, startKmsServer } from '../support/kms-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const context = { tenant: 'acme', secret: 'api-key', version: '1' };
type Json = { __type?: string };

const marker = new TextEncoder().encode('kms-server-marker-7f3a');

/** Awaits `work`, which must fail; returns the error for the checks. */
async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }

  assert.fail('expected the call to fail, but it succeeded');
}

describe('KMS protocol server', () => {
  let server: KmsServer;
  let kms: KMSClient;
  let keyArn: string;

  before(async () => {
    server = await startKmsServer();
    kms = new KMSClient({ region: 'us-east-1', endpoint: server.endpoint, credentials });
  });

  after(async () => {
    kms.destroy();
    await server.close();
  });

  beforeEach(async () => {
    keyArn = await server.createKey();
    server.resetCounts();
  });

  const encrypt = (keyId: string, plaintext: Uint8Array = marker, ctx = context) =>
    kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: ctx }));

  test('Encrypt and Decrypt round trip and answer with the key ARN', async () => {
    const sealed = await encrypt(keyArn);
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
    );

    assert.equal(sealed.KeyId, keyArn);
    assert.match(keyArn, /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    assert.equal(opened.KeyId, keyArn);
    assert.deepEqual(opened.Plaintext, marker);
  });

  test('accepts the context pairs in any order', async () => {
    const sealed = await encrypt(keyArn);
    const reordered = { version: '1', secret: 'api-key', tenant: 'acme' };

    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: reordered }),
    );

    assert.deepEqual(opened.Plaintext, marker);
  });

  test('rejects a changed, extra, missing or differently cased context pair', async () => {
    const sealed = await encrypt(keyArn);
    const others = [
      { ...context, tenant: 'globex' },
      { ...context, use: 'value' },
      { tenant: 'acme', secret: 'api-key' },
      { ...context, tenant: 'Acme' },
      undefined,
    ];

    for (const other of others) {
      const blob = sealed.CiphertextBlob;
      const work = kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: other }));

      assert.equal((await failure(work)).name, 'InvalidCiphertextException');
    }
  });

  test('rejects a blob with any one byte flipped', async () => {
    const sealed = await encrypt(keyArn, new Uint8Array(8).fill(1));
    const blob = sealed.CiphertextBlob as Uint8Array;

    for (let at = 0; at < blob.length; at += 1) {
      const tampered = Uint8Array.from(blob);
      tampered[at] = (tampered[at] as number) ^ 0x01;
      const work = kms.send(
        new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context }),
      );

      assert.equal((await failure(work)).name, 'InvalidCiphertextException');
    }
  });

  test('Encrypt takes 4,096 bytes and refuses 4,097 with ValidationException', async () => {
    const largest = await encrypt(keyArn, new Uint8Array(4096));

    const error = await failure(encrypt(keyArn, new Uint8Array(4097)));

    assert.ok(largest.CiphertextBlob);
    assert.equal(error.name, 'ValidationException');
    assert.match(error.message, /plaintext.*4096/);
  });

  test('GenerateDataKey gives 32 bytes for AES_256 and any NumberOfBytes up to 1,024', async () => {
    const aes = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    const sized = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 64 }));
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: aes.CiphertextBlob, EncryptionContext: context }),
    );
    const both = await failure(
      kms.send(
        new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', NumberOfBytes: 32 }),
      ),
    );

    assert.equal(aes.Plaintext?.length, 32);
    assert.equal(aes.KeyId, keyArn);
    assert.equal(sized.Plaintext?.length, 64);
    assert.deepEqual(opened.Plaintext, aes.Plaintext);
    assert.equal(both.name, 'ValidationException');
  });

  test('a disabled key gives DisabledException until it is enabled again', async () => {
    const sealed = await encrypt(keyArn);
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));

    const encrypting = await failure(encrypt(keyArn));
    const decrypting = await failure(
      kms.send(
        new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
      ),
    );
    await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    const enabled = await encrypt(keyArn);

    assert.equal(encrypting.name, 'DisabledException');
    assert.equal(decrypting.name, 'DisabledException');
    assert.ok(enabled.CiphertextBlob);
  });

  test('a key pending deletion gives KMSInvalidStateException and says so', async () => {
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }),
    );

    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    const encrypting = await failure(encrypt(keyArn));
    const enabling = await failure(kms.send(new EnableKeyCommand({ KeyId: keyArn })));

    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 7);
    assert.ok(scheduled.DeletionDate instanceof Date);
    assert.equal(described.KeyMetadata?.KeyState, 'PendingDeletion');
    assert.equal(described.KeyMetadata?.Enabled, false);
    assert.equal(encrypting.name, 'KMSInvalidStateException');
    assert.equal(enabling.name, 'KMSInvalidStateException');
  });

  test('an unknown key id, key ARN, alias or other account gives NotFoundException', async () => {
    const unknown = [
      '00000000-0000-0000-0000-000000000000',
      'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
      'alias/none',
      'arn:aws:kms:us-east-1:111122223333:alias/none',
      keyArn.replace('111122223333', '444455556666'),
    ];

    for (const keyId of unknown) {
      const error = await failure(encrypt(keyId));

      assert.equal(error.name, 'NotFoundException');
    }
  });

  test('aliases resolve by name and by ARN to the key they point at', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'aliased' }));
    const target = created.KeyMetadata?.Arn as string;
    const name = `alias/app-${created.KeyMetadata?.KeyId}`;
    await kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: target }));

    const byName = await encrypt(name);
    const byArn = await encrypt(`arn:aws:kms:us-east-1:111122223333:${name}`);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: name }));
    const alias = (aliasName: string) =>
      failure(kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyArn })));
    const duplicate = await alias(name);
    const reserved = await alias('alias/aws/x');

    assert.equal(byName.KeyId, target);
    assert.equal(byArn.KeyId, target);
    assert.equal(described.KeyMetadata?.Arn, target);
    assert.equal(described.KeyMetadata?.KeyState, 'Enabled');
    assert.equal(duplicate.name, 'AlreadyExistsException');
    assert.equal(reserved.name, 'InvalidAliasNameException');
  });

  test('Decrypt naming another key than the blob gives IncorrectKeyException', async () => {
    const otherArn = await server.createKey();
    const sealed = await encrypt(keyArn);

    const error = await failure(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionContext: context,
          KeyId: otherArn,
        }),
      ),
    );

    assert.equal(error.name, 'IncorrectKeyException');
  });

  test('ReEncrypt moves a blob to another key and context without a Decrypt', async () => {
    const destinationArn = await server.createKey();
    const moved = { ...context, version: '2' };
    const sealed = await encrypt(keyArn);
    server.resetCounts();

    const result = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: sealed.CiphertextBlob,
        SourceKeyId: keyArn,
        SourceEncryptionContext: context,
        DestinationKeyId: destinationArn,
        DestinationEncryptionContext: moved,
      }),
    );
    const counts = server.counts();
    const opened = await kms.send(
      new DecryptCommand({
        CiphertextBlob: result.CiphertextBlob,
        EncryptionContext: moved,
        KeyId: destinationArn,
      }),
    );

    assert.deepEqual(counts, { ReEncrypt: 1 });
    assert.equal(result.SourceKeyId, keyArn);
    assert.equal(result.KeyId, destinationArn);
    assert.deepEqual(opened.Plaintext, marker);
    assert.deepEqual(server.requests[0], {
      operation: 'ReEncrypt',
      sourceKeyId: keyArn,
      sourceKeyArn: keyArn,
      destinationKeyId: destinationArn,
      keyArn: destinationArn,
      sourceEncryptionContext: context,
      destinationEncryptionContext: moved,
    });
  });

  test('ReEncrypt checks the source context and the source key', async () => {
    const destinationArn = await server.createKey();
    const sealed = await encrypt(keyArn);
    const request = {
      CiphertextBlob: sealed.CiphertextBlob,
      SourceEncryptionContext: context,
      DestinationKeyId: destinationArn,
    };

    const wrongContext = await failure(
      kms.send(new ReEncryptCommand({ ...request, SourceEncryptionContext: { tenant: 'globex' } })),
    );
    const wrongKey = await failure(
      kms.send(new ReEncryptCommand({ ...request, SourceKeyId: destinationArn })),
    );

    assert.equal(wrongContext.name, 'InvalidCiphertextException');
    assert.equal(wrongKey.name, 'IncorrectKeyException');
  });

  test('a denied action gives AccessDeniedException for that action only', async () => {
    const sealed = await encrypt(keyArn);
    server.denyKey(keyArn, ['kms:Decrypt']);

    const decrypting = await failure(
      kms.send(
        new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
      ),
    );
    const encrypting = await encrypt(keyArn);

    assert.equal(decrypting.name, 'AccessDeniedException');
    assert.ok(encrypting.CiphertextBlob);
  });

  test('counts calls per operation and logs key ids and contexts, never plaintext', async () => {
    const sealed = await encrypt(keyArn);
    await kms.send(
      new DecryptCommand({
        CiphertextBlob: sealed.CiphertextBlob,
        EncryptionContext: context,
        KeyId: keyArn,
      }),
    );
    await failure(encrypt('alias/none'));

    const log = JSON.stringify(server.requests);

    assert.deepEqual(server.counts(), { Encrypt: 2, Decrypt: 1 });
    assert.deepEqual(server.requests[1], {
      operation: 'Decrypt',
      keyId: keyArn,
      keyArn,
      encryptionContext: context,
    });
    assert.equal(server.requests[2]?.error, 'NotFoundException');
    assert.ok(!log.includes(Buffer.from(marker).toString('base64')));
    assert.ok(!log.includes(Buffer.from(marker).toString('utf8')));
  });

  test('a server fault is retried by the SDK, and both attempts are counted', async () => {
    server.failNext(1, 'KMSInternalException');

    const sealed = await encrypt(keyArn);

    assert.ok(sealed.CiphertextBlob);
    assert.deepEqual(server.counts(), { Encrypt: 2 });
    assert.equal(server.requests[0]?.error, 'KMSInternalException');
  });

  test('still answers with an artificial per-call latency and CPU cost', async () => {
    server.delayMs = 2;
    server.cpuMs = 2;

    const sealed = await encrypt(keyArn);
    server.delayMs = 0;
    server.cpuMs = 0;

    assert.ok(sealed.CiphertextBlob);
    assert.deepEqual(server.counts(), { Encrypt: 1 });
  });

  test('requires an Authorization header and a known operation', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.endpoint}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
        body: '{}',
      });

    const unsigned = await post({ 'x-amz-target': 'TrentService.ListKeys' });
    const unknown = await post({ 'x-amz-target': 'TrentService.Sign', authorization: 'AWS4' });

    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as Json).__type, 'MissingAuthenticationTokenException');
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as Json).__type, 'UnknownOperationException');
    assert.deepEqual(server.counts(), {});
  });
});
