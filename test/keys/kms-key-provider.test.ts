import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  INTEGRITY_MESSAGE,
  IntegrityError,
  KeyAccessDeniedError,
  KeyNotFoundError,
  KeyProviderError,
  KeyUnavailableError,
} from '../../src/errors.js';
import { secretContext } from '../../src/format/context.js';
import type { KeyReference } from '../../src/format/envelope.js';
import { KMS_PROVIDER_ID, KmsKeyProvider } from '../../src/keys/aws/kms-key-provider.js';
import { openValue, sealValue } from '../../src/store/envelopes.js';
import { expectRejection } from '../support/errors.js';
import { type KmsServer, startKmsServer } from '../support/kms-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const context = secretContext('acme', 'api-key', 1);
const INTEGRITY = { code: 'ERR_INTEGRITY', message: INTEGRITY_MESSAGE };
const value = new TextEncoder().encode('kms-provider-marker-5c1e');

describe('KmsKeyProvider', () => {
  let server: KmsServer;
  let kms: KMSClient;
  let keyArn: string;
  let provider: KmsKeyProvider;

  const client = (options: { endpoint?: string; maxAttempts?: number } = {}) =>
    new KMSClient({ region: 'us-east-1', endpoint: server.endpoint, credentials, ...options });

  before(async () => {
    server = await startKmsServer();
    kms = client();
  });

  after(async () => {
    kms.destroy();
    await server.close();
  });

  beforeEach(async () => {
    keyArn = await server.createKey();
    provider = new KmsKeyProvider({ client: kms, keyId: keyArn });
    server.resetCounts();
  });

  test('a data key from GenerateDataKey unwraps under the same context', async () => {
    const dataKey = await provider.generateDataKey(context);
    const opened = await provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);

    assert.equal(dataKey.plaintext.length, 32);
    assert.deepEqual(opened, dataKey.plaintext);
    assert.deepEqual(dataKey.keyRef, {
      provider: KMS_PROVIDER_ID,
      keyId: keyArn,
      keyVersion: 0,
      layer: 'master',
    });
  });

  test('sends the context with use: data-key and names the key ARN on Decrypt', async () => {
    const dataKey = await provider.generateDataKey(context);
    await provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);

    const sent = { ...context, use: 'data-key' };

    assert.deepEqual(server.requests, [
      { operation: 'GenerateDataKey', keyId: keyArn, keyArn, encryptionContext: sent },
      { operation: 'Decrypt', keyId: keyArn, keyArn, encryptionContext: sent },
    ]);
  });

  test('a direct value round trips through Encrypt and Decrypt with use: value', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    const opened = await provider.decrypt(blob, keyRef, context);

    const sent = { ...context, use: 'value' };

    assert.deepEqual(new Uint8Array(opened), value);
    assert.equal(keyRef.keyId, keyArn);
    assert.deepEqual(
      server.requests.map((request) => [request.operation, request.encryptionContext]),
      [
        ['Encrypt', sent],
        ['Decrypt', sent],
      ],
    );
  });

  test('a data key does not open under another tenant, name or version', async () => {
    const dataKey = await provider.generateDataKey(context);
    const others = [
      secretContext('globex', 'api-key', 1),
      secretContext('acme', 'db-password', 1),
      secretContext('acme', 'api-key', 2),
    ];

    for (const other of others) {
      const work = provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, other);

      await expectRejection(work, IntegrityError, INTEGRITY);
    }
  });

  test('a wrapped data key cannot be decrypted as the direct value of its row', async () => {
    const dataKey = await provider.generateDataKey(context);

    const work = provider.decrypt(dataKey.wrapped, dataKey.keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a 32-byte direct value cannot be unwrapped as a data key', async () => {
    const { blob, keyRef } = await provider.encrypt(new Uint8Array(32).fill(7), context);

    const work = provider.unwrapDataKey(blob, keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a data key of the wrong length fails with IntegrityError', async () => {
    const short = await kms.send(
      new GenerateDataKeyCommand({
        KeyId: keyArn,
        NumberOfBytes: 16,
        EncryptionContext: { ...context, use: 'data-key' },
      }),
    );
    const keyRef: KeyReference = {
      provider: KMS_PROVIDER_ID,
      keyId: keyArn,
      keyVersion: 0,
      layer: 'master',
    };

    const work = provider.unwrapDataKey(short.CiphertextBlob as Uint8Array, keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a blob moved under another key reference fails with IntegrityError', async () => {
    const otherArn = await server.createKey();
    const dataKey = await provider.generateDataKey(context);
    const moved: KeyReference = { ...dataKey.keyRef, keyId: otherArn };

    const work = provider.unwrapDataKey(dataKey.wrapped, moved, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a blob with a flipped byte fails with IntegrityError', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    const tampered = Uint8Array.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0x01;

    const work = provider.decrypt(tampered, keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a key reference this provider could not have written fails with no KMS call', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    server.resetCounts();
    const forged: KeyReference[] = [
      { ...keyRef, provider: 'local' },
      { ...keyRef, layer: 'tenant' },
      { ...keyRef, keyVersion: 1 },
      { ...keyRef, keyId: 'alias/strongroom' },
    ];

    for (const keyRefForged of forged) {
      const work = provider.decrypt(blob, keyRefForged, context);

      await expectRejection(work, IntegrityError, INTEGRITY);
    }
    await expectRejection(
      provider.decrypt(new Uint8Array(6145), keyRef, context),
      IntegrityError,
      INTEGRITY,
    );
    assert.deepEqual(server.counts(), {});
  });

  test('denied access fails with KeyAccessDeniedError naming the key and action', async () => {
    const dataKey = await provider.generateDataKey(context);
    server.denyKey(keyArn, ['kms:Decrypt']);

    const work = provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);

    const error = await expectRejection(work, KeyAccessDeniedError, {
      code: 'ERR_KEY_ACCESS_DENIED',
      message: `access to key ${keyArn} was denied for kms:Decrypt`,
    });
    assert.equal((error.cause as Error).name, 'AccessDeniedException');
  });

  test('a disabled key fails with KeyUnavailableError', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    server.disableKey(keyArn);

    const expected = {
      code: 'ERR_KEY_UNAVAILABLE',
      message: `key ${keyArn} cannot be used: it is disabled`,
    };

    await expectRejection(provider.generateDataKey(context), KeyUnavailableError, expected);
    await expectRejection(provider.decrypt(blob, keyRef, context), KeyUnavailableError, expected);
  });

  test('a key pending deletion fails with KeyUnavailableError', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    server.scheduleKeyDeletion(keyArn);

    const work = provider.decrypt(blob, keyRef, context);

    const error = await expectRejection(work, KeyUnavailableError, {
      code: 'ERR_KEY_UNAVAILABLE',
      message:
        `key ${keyArn} cannot be used: ` +
        'it is pending deletion or in another state that does not allow kms:Decrypt',
    });
    assert.equal((error.cause as Error).name, 'KMSInvalidStateException');
  });

  test('an unknown key fails with KeyNotFoundError', async () => {
    const missing = new KmsKeyProvider({ client: kms, keyId: 'alias/missing' });

    const work = missing.generateDataKey(context);

    await expectRejection(work, KeyNotFoundError, {
      code: 'ERR_KEY_NOT_FOUND',
      message: 'key alias/missing not found',
    });
  });

  test('rewrap moves a blob to the configured key with one ReEncrypt and no Decrypt', async () => {
    const newArn = await server.createKey();
    const rotated = new KmsKeyProvider({ client: kms, keyId: newArn, trustedKeyIds: [keyArn] });
    const dataKey = await provider.generateDataKey(context);
    server.resetCounts();

    const next = await rotated.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'data-key');
    const counts = server.counts();
    const opened = await rotated.unwrapDataKey(
      next?.blob as Uint8Array,
      next?.keyRef as KeyReference,
      context,
    );

    assert.deepEqual(counts, { ReEncrypt: 1 });
    assert.equal(next?.keyRef.keyId, newArn);
    assert.deepEqual(opened, dataKey.plaintext);
    assert.deepEqual(server.requests[0], {
      operation: 'ReEncrypt',
      sourceKeyId: keyArn,
      sourceKeyArn: keyArn,
      destinationKeyId: newArn,
      keyArn: newArn,
      sourceEncryptionContext: { ...context, use: 'data-key' },
      destinationEncryptionContext: { ...context, use: 'data-key' },
    });
  });

  test('a second rewrap returns undefined and calls KMS no more', async () => {
    const newArn = await server.createKey();
    const rotated = new KmsKeyProvider({ client: kms, keyId: newArn, trustedKeyIds: [keyArn] });
    const { blob, keyRef } = await provider.encrypt(value, context);
    const next = await rotated.rewrap(blob, keyRef, context, 'value');
    server.resetCounts();

    const again = await rotated.rewrap(
      next?.blob as Uint8Array,
      next?.keyRef as KeyReference,
      context,
      'value',
    );

    assert.equal(again, undefined);
    assert.deepEqual(server.counts(), {});
  });

  test('rewrap of a blob as the wrong kind fails with IntegrityError', async () => {
    const newArn = await server.createKey();
    const rotated = new KmsKeyProvider({ client: kms, keyId: newArn, trustedKeyIds: [keyArn] });
    const dataKey = await provider.generateDataKey(context);

    const work = rotated.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'value');

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('an alias as the key id writes key ARNs and is resolved once for rewrap', async () => {
    const aliasName = `alias/strongroom-${keyArn.slice(-12)}`;
    server.createAlias(aliasName, keyArn);
    const written = await new KmsKeyProvider({ client: kms, keyId: aliasName }).generateDataKey(
      context,
    );
    const aliased = new KmsKeyProvider({ client: kms, keyId: aliasName });
    server.resetCounts();

    const first = await aliased.rewrap(written.wrapped, written.keyRef, context, 'data-key');
    const second = await aliased.rewrap(written.wrapped, written.keyRef, context, 'data-key');

    assert.equal(written.keyRef.keyId, keyArn);
    assert.equal(first, undefined);
    assert.equal(second, undefined);
    assert.deepEqual(server.counts(), { DescribeKey: 1 });
    assert.equal(server.requests[0]?.keyId, aliasName);
  });

  test('a legacy item decrypts with no encryption context, naming the configured key', async () => {
    const legacy = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: value }));
    server.resetCounts();

    const opened = await provider.decryptLegacy(legacy.CiphertextBlob as Uint8Array);

    assert.deepEqual(new Uint8Array(opened), value);
    assert.deepEqual(server.requests, [{ operation: 'Decrypt', keyId: keyArn, keyArn }]);
  });

  test('one put and one get make one KMS call each, in either mode', async () => {
    const counted: Record<string, number>[] = [];
    for (const mode of ['envelope', 'direct'] as const) {
      server.resetCounts();
      const sealed = await sealValue(provider, value, context, mode);
      counted.push(server.counts());

      server.resetCounts();
      const opened = await openValue(provider, sealed, context);
      counted.push(server.counts());

      assert.deepEqual(new Uint8Array(opened), value);
    }

    assert.deepEqual(counted, [
      { GenerateDataKey: 1 },
      { Decrypt: 1 },
      { Encrypt: 1 },
      { Decrypt: 1 },
    ]);
  });

  test('refuses the reserved context key use, and values over 4,096 bytes', async () => {
    const reserved = { ...context, use: 'value' };

    await assert.rejects(provider.generateDataKey(reserved), RangeError);
    await assert.rejects(provider.encrypt(new Uint8Array(4097), context), RangeError);
    assert.deepEqual(server.counts(), {});
  });

  test('throttling beyond the client retries fails with KeyProviderError', async () => {
    const once = client({ maxAttempts: 1 });
    const throttled = new KmsKeyProvider({ client: once, keyId: keyArn });
    server.failNext(1, 'ThrottlingException');

    const work = throttled.generateDataKey(context);

    const error = await expectRejection(work, KeyProviderError, {
      code: 'ERR_KEY_PROVIDER',
      message: new RegExp(`^AWS KMS throttled kms:GenerateDataKey for key ${keyArn} beyond `),
    });
    assert.equal((error.cause as Error).name, 'ThrottlingException');
    once.destroy();
  });

  test('an unreachable endpoint fails with KeyProviderError', async () => {
    const offline = client({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const unreachable = new KmsKeyProvider({ client: offline, keyId: keyArn });

    const work = unreachable.encrypt(value, context);

    await expectRejection(work, KeyProviderError, {
      code: 'ERR_KEY_PROVIDER',
      message: `AWS KMS kms:Encrypt failed for key ${keyArn}`,
    });
    offline.destroy();
  });

  test('no error message repeats the value or what KMS answered', async () => {
    const { blob, keyRef } = await provider.encrypt(value, context);
    server.denyKey(keyArn);
    const marker = new TextDecoder().decode(value);

    const errors: Error[] = [];
    for (const work of [
      () => provider.decrypt(blob, keyRef, context),
      () => provider.encrypt(value, context),
      () => provider.decryptLegacy(blob),
    ]) {
      await work().catch((error: Error) => errors.push(error));
    }

    assert.equal(errors.length, 3);
    for (const error of errors) {
      const said = (error.cause as Error).message;
      assert.ok(said.length > 0 && !error.message.includes(said));
      assert.ok(!error.message.includes(marker));
    }
  });

  test('refuses an empty key id', () => {
    assert.throws(() => new KmsKeyProvider({ client: kms, keyId: ' ' }), TypeError);
  });

  describe('trusted keys', () => {
    const NOT_AN_ARN = 'trustedKeyIds must be KMS key ARNs (arn:aws:kms:region:account:key/id)';

    /** A provider over a key of someone who can write to storage; its key policy allows all. */
    const attacker = async () =>
      new KmsKeyProvider({ client: kms, keyId: await server.createKey() });

    test('refuses an envelope forged under an untrusted key, with no KMS call', async () => {
      const forger = await attacker();
      const forged = new TextEncoder().encode('forged value');
      const envelopes = [
        await sealValue(forger, forged, context, 'envelope'),
        await sealValue(forger, forged, context, 'direct'),
      ];
      server.resetCounts();

      for (const envelope of envelopes) {
        const work = openValue(provider, envelope, context);

        const error = await expectRejection(work, IntegrityError, INTEGRITY);
        assert.equal(error.cause, undefined);
      }
      assert.deepEqual(server.counts(), {});
    });

    test('unwrap, decrypt and rewrap refuse a blob under an untrusted key', async () => {
      const forger = await attacker();
      const dataKey = await forger.generateDataKey(context);
      const direct = await forger.encrypt(value, context);
      const rotated = new KmsKeyProvider({ client: kms, keyId: await server.createKey() });
      server.resetCounts();

      const works = [
        () => provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context),
        () => provider.decrypt(direct.blob, direct.keyRef, context),
        () => provider.rewrap(direct.blob, direct.keyRef, context, 'value'),
        () => rotated.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'data-key'),
      ];

      for (const work of works) {
        await expectRejection(work(), IntegrityError, INTEGRITY);
      }
      assert.deepEqual(server.counts(), {});
    });

    test('opens blobs under a key in trustedKeyIds, naming that key to KMS', async () => {
      const newArn = await server.createKey();
      const rotated = new KmsKeyProvider({ client: kms, keyId: newArn, trustedKeyIds: [keyArn] });
      const dataKey = await provider.generateDataKey(context);
      const direct = await provider.encrypt(value, context);
      server.resetCounts();

      const unwrapped = await rotated.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);
      const opened = await rotated.decrypt(direct.blob, direct.keyRef, context);

      assert.deepEqual(unwrapped, dataKey.plaintext);
      assert.deepEqual(new Uint8Array(opened), value);
      assert.deepEqual(
        server.requests.map((request) => [request.operation, request.keyId]),
        [
          ['Decrypt', keyArn],
          ['Decrypt', keyArn],
        ],
      );
    });

    test('a rewrap from a key not in trustedKeyIds fails with no KMS call', async () => {
      const rotated = new KmsKeyProvider({ client: kms, keyId: await server.createKey() });
      const { blob, keyRef } = await provider.encrypt(value, context);
      server.resetCounts();

      const work = rotated.rewrap(blob, keyRef, context, 'value');

      await expectRejection(work, IntegrityError, INTEGRITY);
      assert.deepEqual(server.counts(), {});
    });

    test('a configured alias is resolved once, and only its key is trusted', async () => {
      const aliasName = `alias/reader-${keyArn.slice(-12)}`;
      server.createAlias(aliasName, keyArn);
      const aliased = new KmsKeyProvider({ client: kms, keyId: aliasName });
      const { blob, keyRef } = await provider.encrypt(value, context);
      const forged = await (await attacker()).encrypt(value, context);
      server.resetCounts();

      await aliased.decrypt(blob, keyRef, context);
      await aliased.decrypt(blob, keyRef, context);
      const work = aliased.decrypt(forged.blob, forged.keyRef, context);

      await expectRejection(work, IntegrityError, INTEGRITY);
      assert.deepEqual(server.counts(), { DescribeKey: 1, Decrypt: 2 });
      assert.equal(server.requests[0]?.keyId, aliasName);
    });

    test('a legacy item under another key fails with IntegrityError', async () => {
      const otherArn = await server.createKey();
      const legacy = await kms.send(new EncryptCommand({ KeyId: otherArn, Plaintext: value }));
      server.resetCounts();

      const work = provider.decryptLegacy(legacy.CiphertextBlob as Uint8Array);

      await expectRejection(work, IntegrityError, INTEGRITY);
      assert.deepEqual(server.requests, [
        { operation: 'Decrypt', keyId: keyArn, error: 'IncorrectKeyException' },
      ]);
    });

    test('a legacy item with a configured alias names the key ARN it resolves to', async () => {
      const aliasName = `alias/legacy-${keyArn.slice(-12)}`;
      server.createAlias(aliasName, keyArn);
      const aliased = new KmsKeyProvider({ client: kms, keyId: aliasName });
      const legacy = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: value }));
      server.resetCounts();

      const opened = await aliased.decryptLegacy(legacy.CiphertextBlob as Uint8Array);

      assert.deepEqual(new Uint8Array(opened), value);
      assert.deepEqual(
        server.requests.map((request) => [request.operation, request.keyId]),
        [
          ['DescribeKey', aliasName],
          ['Decrypt', keyArn],
        ],
      );
    });

    test('every single-byte change to a KMS envelope is the integrity error', async () => {
      const offsets: number[] = [];
      for (const mode of ['envelope', 'direct'] as const) {
        const sealed = await sealValue(provider, value, context, mode);

        for (let at = 0; at < sealed.length; at += 1) {
          const changed = Uint8Array.from(sealed);
          changed[at] = (changed[at] as number) ^ 0x01;

          await expectRejection(openValue(provider, changed, context), IntegrityError, INTEGRITY);
          offsets.push(at);
        }
      }

      assert.ok(offsets.length > 200, 'both envelopes, every byte');
    });

    test('refuses trustedKeyIds that are not key ARNs, without repeating them', () => {
      const keyUuid = keyArn.slice(keyArn.indexOf('/') + 1);

      for (const trustedKeyIds of [['alias/old'], [keyUuid], [`${keyArn} `], 'alias/old']) {
        const options = { client: kms, keyId: keyArn, trustedKeyIds } as never;

        assert.throws(() => new KmsKeyProvider(options), {
          name: 'TypeError',
          message: NOT_AN_ARN,
        });
      }
    });
  });

  describe('errors on the paths that open stored data', () => {
    let rotated: KmsKeyProvider;
    let newArn: string;

    beforeEach(async () => {
      newArn = await server.createKey();
      rotated = new KmsKeyProvider({ client: kms, keyId: newArn, trustedKeyIds: [keyArn] });
    });

    /** Every call that asks KMS to open stored bytes: decrypt, unwrap, legacy, rewrap. */
    async function openers() {
      const dataKey = await provider.generateDataKey(context);
      const direct = await provider.encrypt(value, context);
      const legacy = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: value }));
      server.resetCounts();

      return {
        decrypt: () => provider.decrypt(direct.blob, direct.keyRef, context),
        unwrapDataKey: () => provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context),
        decryptLegacy: () => provider.decryptLegacy(legacy.CiphertextBlob as Uint8Array),
        rewrap: () => rotated.rewrap(direct.blob, direct.keyRef, context, 'value'),
      };
    }

    test('an unknown key or a key of the wrong usage is the integrity error', async () => {
      const open = await openers();

      for (const fault of ['NotFoundException', 'InvalidKeyUsageException']) {
        for (const [name, work] of Object.entries(open)) {
          server.failNext(1, fault);

          const error = await expectRejection(work(), IntegrityError, INTEGRITY);
          assert.equal(error.cause, undefined, `${name} after ${fault} carries no cause`);
        }
      }
    });

    test('writes keep typed errors for an unknown key or a key of the wrong usage', async () => {
      server.failNext(1, 'NotFoundException');
      await expectRejection(provider.generateDataKey(context), KeyNotFoundError, {
        code: 'ERR_KEY_NOT_FOUND',
        message: `key ${keyArn} not found`,
      });

      server.failNext(1, 'InvalidKeyUsageException');
      await expectRejection(provider.encrypt(value, context), KeyProviderError, {
        code: 'ERR_KEY_PROVIDER',
        message: `key ${keyArn} is not a symmetric encryption key`,
      });
    });

    test('denied access and key states stay typed errors naming only trusted keys', async () => {
      const open = await openers();
      const both = `${keyArn} or ${newArn}`;

      server.failNext(1, 'AccessDeniedException');
      await expectRejection(open.decryptLegacy(), KeyAccessDeniedError, {
        code: 'ERR_KEY_ACCESS_DENIED',
        message: `access to key ${keyArn} was denied for kms:Decrypt`,
      });
      server.failNext(1, 'AccessDeniedException');
      await expectRejection(open.rewrap(), KeyAccessDeniedError, {
        code: 'ERR_KEY_ACCESS_DENIED',
        message: `access to key ${both} was denied for kms:ReEncrypt*`,
      });
      server.failNext(1, 'DisabledException');
      await expectRejection(open.rewrap(), KeyUnavailableError, {
        code: 'ERR_KEY_UNAVAILABLE',
        message: `key ${both} cannot be used: it is disabled`,
      });
      server.failNext(1, 'KMSInvalidStateException');
      const error = await expectRejection(open.decryptLegacy(), KeyUnavailableError, {
        code: 'ERR_KEY_UNAVAILABLE',
        message: new RegExp(`^key ${keyArn} cannot be used: it is pending deletion or `),
      });
      assert.equal((error.cause as Error).name, 'KMSInvalidStateException');
    });
  });
});

describe('KmsKeyProvider.close', () => {
  test('leaves a caller client alone; destroyClientOnClose destroys it', async () => {
    const client = new KMSClient({ region: 'us-east-1', credentials });
    let destroyed = 0;
    const destroy = client.destroy.bind(client);
    client.destroy = () => {
      destroyed += 1;
      destroy();
    };
    const keyId = 'arn:aws:kms:us-east-1:111122223333:key/0c1d2e3f-0000-4000-8000-000000000000';

    await new KmsKeyProvider({ client, keyId }).close();
    const afterBorrowed = destroyed;
    await new KmsKeyProvider({ client, keyId, destroyClientOnClose: true }).close();

    assert.equal(afterBorrowed, 0);
    assert.equal(destroyed, 1);
  });
});
