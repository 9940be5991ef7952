import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INTEGRITY_MESSAGE, IntegrityError, InvalidInputError } from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import { DAY_MS } from '../../support/fake-clock.js';
import { alterEnvelope } from '../../support/tamper.js';
import { openCached } from '../cached-harness.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const NAME_RULE =
  'invalid secret name: use 1 to 256 of A-Z a-z 0-9 . _ - / + = @, starting with a letter or digit';

function texts(found: readonly { readonly value: { text(): string } }[]): string[] {
  return found.map((version) => version.value.text());
}

export function batchReadCases(fixture: ContractFixture): void {
  describe('getMany', () => {
    test('returns the current versions found and the names missing, in order', async () => {
      const { store } = await fixture.open();
      await store.put(T, 'b', 'bee');
      await store.put(T, 'a', 'ay one');
      await store.put(T, 'a', 'ay two');
      await store.put('globex', 'c', 'not acme');

      const { found, missing } = await store.getMany(T, ['b', 'nope', 'a', 'c']);

      assert.deepEqual(texts(found), ['bee', 'ay two']);
      assert.deepEqual(
        found.map(({ tenant, name, version, labels }) => [tenant, name, version, labels]),
        [
          [T, 'b', 1, ['current']],
          [T, 'a', 2, ['current']],
        ],
      );
      assert.deepEqual(missing, ['nope', 'c']);
    });

    test('deleted and expired secrets count as missing', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, 'live', 'here');
      await store.put(T, 'deleted', 'gone');
      await store.put(T, 'expired', 'old', { expiresAt: clock.later(1000) });
      await store.delete(T, 'deleted');
      clock.advance(1000);

      const { found, missing } = await store.getMany(T, ['deleted', 'live', 'expired']);

      assert.deepEqual(texts(found), ['here']);
      assert.deepEqual(missing, ['deleted', 'expired']);
    });

    test('a secret deleted past its recovery window is missing too', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, 'old', 'value');
      await store.delete(T, 'old', { recoveryWindowDays: 1 });
      clock.advance(2 * DAY_MS);

      const { found, missing } = await store.getMany(T, ['old']);

      assert.deepEqual(found, []);
      assert.deepEqual(missing, ['old']);
    });

    test('duplicate names are read and decrypted once', async () => {
      const { store, keyCalls, storageCalls, reset } = await openCached(fixture, {});
      await store.put(T, 'a', 'one');
      await store.put(T, 'b', 'two');
      reset();

      const { found, missing } = await store.getMany(T, ['a', 'b', 'a', 'x', 'x', 'b']);

      assert.deepEqual(texts(found), ['one', 'two']);
      assert.deepEqual(missing, ['x']);
      assert.equal(keyCalls.length, 2, 'one key provider call per secret found');
      assert.ok(storageCalls.length <= 3, 'at most one storage read per distinct name');
    });

    test('reads past one DynamoDB batch (100 keys) in one call', async () => {
      const { store } = await fixture.open();
      const names = Array.from({ length: 120 }, (_, i) => `s${String(i).padStart(3, '0')}`);
      for (const name of names) {
        await store.put(T, name, `value of ${name}`);
      }

      const { found, missing } = await store.getMany(T, [...names, 'absent']);

      assert.deepEqual(
        texts(found),
        names.map((name) => `value of ${name}`),
      );
      assert.deepEqual(missing, ['absent']);
    });

    test('an invalid name fails before any request', async () => {
      const { store, keyCalls, storageCalls } = await openCached(fixture, {});

      await expectRejection(store.getMany(T, ['good', 'bad#name']), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: NAME_RULE,
      });

      assert.deepEqual(storageCalls, []);
      assert.deepEqual(keyCalls, []);
    });

    test('more than 1,000 names is an InvalidInputError', async () => {
      const { store, storageCalls } = await openCached(fixture, {});
      const names = Array.from({ length: 1001 }, (_, i) => `n${i}`);

      await expectRejection(store.getMany(T, names), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid names: holds at most 1000 names',
      });

      assert.deepEqual(storageCalls, []);
    });

    test('a list that is not an array is an InvalidInputError', async () => {
      const { store } = await fixture.open();

      await expectRejection(store.getMany(T, 'a' as unknown as string[]), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid names: must be an array of secret names',
      });
    });

    test('no names reads nothing', async () => {
      const { store, storageCalls } = await openCached(fixture, {});

      const batch = await store.getMany(T, []);

      assert.deepEqual(batch, { found: [], missing: [] });
      assert.deepEqual(storageCalls, []);
    });

    test('a tampered envelope fails the whole call', async () => {
      const { store, storage } = await fixture.open();
      await store.put(T, 'a', 'one');
      await store.put(T, 'b', 'two');
      await alterEnvelope(storage, { tenant: T, name: 'b', version: 1 }, (envelope) => {
        const changed = Uint8Array.from(envelope);
        changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0x01;
        return changed;
      });

      await expectRejection(store.getMany(T, ['a', 'b']), IntegrityError, {
        code: 'ERR_INTEGRITY',
        message: INTEGRITY_MESSAGE,
      });
    });

    test('reports one getMany event', async () => {
      const { store, events } = await fixture.open();
      await store.put(T, 'a', 'one');
      events.length = 0;

      await store.getMany(T, ['a', 'b']);

      assert.deepEqual(
        events.map(({ operation, tenant, outcome }) => ({ operation, tenant, outcome })),
        [{ operation: 'getMany', tenant: T, outcome: 'success' }],
      );
    });
  });
}
