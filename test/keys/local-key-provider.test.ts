import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  INTEGRITY_MESSAGE,
  IntegrityError,
  KeyringCorruptError,
  WrongKeyringError,
} from '../../src/errors.js';
import { secretContext } from '../../src/format/context.js';
import type { KeyReference } from '../../src/format/envelope.js';
import { createKeyring, rotateKeyring } from '../../src/keys/local/keyring.js';
import { LOCAL_PROVIDER_ID, LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { expectRejection } from '../support/errors.js';

const context = secretContext('acme', 'api-key', 1);
const INTEGRITY = { code: 'ERR_INTEGRITY', message: INTEGRITY_MESSAGE };
const value = new TextEncoder().encode('a direct value');

describe('LocalKeyProvider', () => {
  test('a wrapped data key opens under the same context', async () => {
    const provider = new LocalKeyProvider(createKeyring());

    const dataKey = await provider.generateDataKey(context);
    const opened = await provider.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);

    assert.equal(dataKey.plaintext.length, 32);
    assert.deepEqual(opened, dataKey.plaintext);
    assert.equal(dataKey.keyRef.provider, LOCAL_PROVIDER_ID);
    assert.equal(dataKey.keyRef.layer, 'master');
    assert.equal(dataKey.keyRef.keyVersion, 1);
  });

  test('a direct value opens under the same context', async () => {
    const provider = new LocalKeyProvider(createKeyring());

    const { blob, keyRef } = await provider.encrypt(value, context);
    const opened = await provider.decrypt(blob, keyRef, context);

    assert.deepEqual(new Uint8Array(opened), value);
  });

  test('a data key does not open under another tenant, name or version', async () => {
    const provider = new LocalKeyProvider(createKeyring());
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

  test('a wrapped data key cannot be opened as a direct value', async () => {
    const provider = new LocalKeyProvider(createKeyring());
    const dataKey = await provider.generateDataKey(context);

    const work = provider.decrypt(dataKey.wrapped, dataKey.keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a direct value cannot be opened as a wrapped data key', async () => {
    const provider = new LocalKeyProvider(createKeyring());
    const { blob, keyRef } = await provider.encrypt(new Uint8Array(32).fill(7), context);

    const work = provider.unwrapDataKey(blob, keyRef, context);

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('a blob from another keyring fails with WrongKeyringError, an IntegrityError', async () => {
    const sealer = new LocalKeyProvider(createKeyring());
    const opener = new LocalKeyProvider(createKeyring());
    const dataKey = await sealer.generateDataKey(context);

    const work = opener.unwrapDataKey(dataKey.wrapped, dataKey.keyRef, context);

    const error = await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message:
        `data was sealed under keyring ${sealer.keyring.id}, but the loaded keyring is ` +
        `${opener.keyring.id}: load the keyring this data was written with`,
    });
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.name, 'WrongKeyringError');
  });

  test('an unknown key version triggers reload once, then opens', async () => {
    const keyring = createKeyring();
    const rotated = rotateKeyring(keyring);
    let reloads = 0;
    const stale = new LocalKeyProvider(keyring, {
      reload: async () => {
        reloads += 1;
        return rotated;
      },
    });
    const { blob, keyRef } = await new LocalKeyProvider(rotated).encrypt(value, context);

    const first = await stale.decrypt(blob, keyRef, context);
    const second = await stale.decrypt(blob, keyRef, context);

    assert.equal(keyRef.keyVersion, 2);
    assert.deepEqual(new Uint8Array(first), value);
    assert.deepEqual(new Uint8Array(second), value);
    assert.equal(reloads, 1);
    assert.equal(stale.keyring.newestVersion, 2);
  });

  test('an unknown key version without reload fails with WrongKeyringError', async () => {
    const keyring = createKeyring();
    const { blob, keyRef } = await new LocalKeyProvider(rotateKeyring(keyring)).encrypt(
      value,
      context,
    );
    const stale = new LocalKeyProvider(keyring);

    const work = stale.decrypt(blob, keyRef, context);

    await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message:
        `data was sealed under keyring ${keyring.id} version 2, but the loaded keyring is ` +
        `${keyring.id} (newest version 1): load the keyring this data was written with`,
    });
  });

  test('a reload that still lacks the key version fails with WrongKeyringError', async () => {
    const keyring = createKeyring();
    const { blob, keyRef } = await new LocalKeyProvider(rotateKeyring(keyring)).encrypt(
      value,
      context,
    );
    const stale = new LocalKeyProvider(keyring, { reload: async () => keyring });

    const work = stale.decrypt(blob, keyRef, context);

    await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message: /version 2/,
    });
  });

  test('a key reference of another provider or layer fails with IntegrityError', async () => {
    const provider = new LocalKeyProvider(createKeyring());
    const dataKey = await provider.generateDataKey(context);
    const refs: KeyReference[] = [
      { ...dataKey.keyRef, provider: 'aws-kms' },
      { ...dataKey.keyRef, layer: 'tenant' },
    ];

    for (const keyRef of refs) {
      const work = provider.unwrapDataKey(dataKey.wrapped, keyRef, context);

      await expectRejection(work, IntegrityError, INTEGRITY);
    }
  });

  test('a truncated or altered blob fails with IntegrityError', async () => {
    const provider = new LocalKeyProvider(createKeyring());
    const { blob, keyRef } = await provider.encrypt(value, context);
    const altered = Uint8Array.from(blob);
    altered[20] = (altered[20] ?? 0) ^ 0x80;

    const short = provider.decrypt(blob.subarray(0, 27), keyRef, context);
    const changed = provider.decrypt(altered, keyRef, context);

    await expectRejection(short, IntegrityError, INTEGRITY);
    await expectRejection(changed, IntegrityError, INTEGRITY);
  });

  test('rewrap returns undefined for a blob already under the newest key', async () => {
    const provider = new LocalKeyProvider(createKeyring());
    const dataKey = await provider.generateDataKey(context);

    const next = await provider.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'data-key');

    assert.equal(next, undefined);
  });

  test('rewrap moves a blob to the newest key, where it still opens', async () => {
    const keyring = createKeyring();
    const dataKey = await new LocalKeyProvider(keyring).generateDataKey(context);
    const rotated = new LocalKeyProvider(rotateKeyring(keyring));

    const next = await rotated.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'data-key');

    assert.ok(next);
    assert.equal(next.keyRef.keyVersion, 2);
    assert.deepEqual(
      await rotated.unwrapDataKey(next.blob, next.keyRef, context),
      dataKey.plaintext,
    );
  });

  test('rewrap refuses a blob of the other kind', async () => {
    const keyring = createKeyring();
    const dataKey = await new LocalKeyProvider(keyring).generateDataKey(context);
    const rotated = new LocalKeyProvider(rotateKeyring(keyring));

    const work = rotated.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'value');

    await expectRejection(work, IntegrityError, INTEGRITY);
  });

  test('refresh takes the keyring reload returns, and seals under its newest key', async () => {
    const keyring = createKeyring();
    const dataKey = await new LocalKeyProvider(keyring).generateDataKey(context);
    const provider = new LocalKeyProvider(keyring, { reload: async () => rotateKeyring(keyring) });

    await provider.refresh();
    const sealed = await provider.encrypt(value, context);
    const next = await provider.rewrap(dataKey.wrapped, dataKey.keyRef, context, 'data-key');

    assert.equal(provider.keyring.newestVersion, 2);
    assert.equal(sealed.keyRef.keyVersion, 2);
    assert.equal(next?.keyRef.keyVersion, 2);
  });

  test('refresh without reload keeps the loaded keyring', async () => {
    const provider = new LocalKeyProvider(createKeyring());

    await provider.refresh();

    assert.equal(provider.keyring.newestVersion, 1);
  });

  test('refresh refuses a keyring of another id and keeps the loaded one', async () => {
    const keyring = createKeyring();
    const other = createKeyring();
    const provider = new LocalKeyProvider(keyring, { reload: async () => other });

    const work = provider.refresh();

    await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message:
        `data was sealed under keyring ${keyring.id}, but the loaded keyring is ` +
        `${other.id}: load the keyring this data was written with`,
    });
    assert.equal(provider.keyring.id, keyring.id);
    assert.equal((await provider.encrypt(value, context)).keyRef.keyId, keyring.id);
  });

  test('refresh refuses an older copy of the keyring that lacks a loaded version', async () => {
    const original = createKeyring();
    const rotated = rotateKeyring(original);
    const provider = new LocalKeyProvider(rotated, { reload: async () => original });

    const work = provider.refresh();

    await expectRejection(work, KeyringCorruptError, {
      code: 'ERR_KEYRING_CORRUPT',
      message:
        `keyring ${rotated.id} (reloaded) is unreadable or corrupt: it lacks master key ` +
        'version 2, which the loaded keyring holds',
    });
    assert.equal(provider.keyring.newestVersion, 2);
  });

  test('a reload for an unknown key version refuses a keyring of another id', async () => {
    const keyring = createKeyring();
    const other = createKeyring();
    const { blob, keyRef } = await new LocalKeyProvider(rotateKeyring(keyring)).encrypt(
      value,
      context,
    );
    const stale = new LocalKeyProvider(keyring, { reload: async () => other });

    const work = stale.decrypt(blob, keyRef, context);

    await expectRejection(work, WrongKeyringError, {
      code: 'ERR_WRONG_KEYRING',
      message: new RegExp(`under keyring ${keyring.id}, but the loaded keyring is ${other.id}:`),
    });
    assert.equal(stale.keyring.id, keyring.id);
  });
});
