import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConflictError,
  NotFoundError,
  SecretDeletedError,
  SecretExpiredError,
} from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import { openCached } from '../cached-harness.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const MINUTE = 60 * 1000;

export function valueCacheCases(fixture: ContractFixture): void {
  const cached = { valueCache: { maxAgeMs: MINUTE } } as const;

  describe('value cache', () => {
    test('a second get within maxAgeMs reads neither storage nor the key provider', async () => {
      const { store, keyCalls, storageCalls, reset } = await openCached(fixture, cached);
      await store.put(T, N, 'value');
      await store.get(T, N);
      reset();

      const again = await store.get(T, N);

      assert.equal(again.value.text(), 'value');
      assert.equal(again.version, 1);
      assert.deepEqual(again.labels, ['current']);
      assert.deepEqual(storageCalls, []);
      assert.deepEqual(keyCalls, []);
    });

    test('an entry expires after maxAgeMs', async () => {
      const { store, other, clock, storageCalls, reset } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.get(T, N);
      await other.put(T, N, 'two');

      clock.advance(MINUTE - 1);
      const stale = await store.get(T, N);
      reset();
      clock.advance(1);
      const fresh = await store.get(T, N);

      assert.equal(stale.value.text(), 'one', 'another process is seen at most maxAgeMs late');
      assert.equal(fresh.value.text(), 'two');
      assert.ok(storageCalls.length > 0);
    });

    test('a put from the same store drops the cached value before it returns', async () => {
      const { store } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.get(T, N);

      await store.put(T, N, 'two');

      assert.equal((await store.get(T, N)).value.text(), 'two');
    });

    test('every write of the same store drops the secret from the cache', async () => {
      const { store } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      const read = async (options = {}) => (await store.get(T, N, options)).value.text();
      assert.equal(await read(), 'two');
      assert.equal(await read({ label: 'previous' }), 'one');

      await store.rollback(T, N);
      assert.equal(await read(), 'one');
      await store.moveLabel(T, N, 'current', 2);
      assert.equal(await read(), 'two');
      await store.removeLabel(T, N, 'previous');
      await expectRejection(read({ label: 'previous' }), NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: /label previous/,
      });

      await store.delete(T, N);
      await expectRejection(read(), SecretDeletedError, {
        code: 'ERR_DELETED',
        message: /restore/,
      });
      await store.restore(T, N);
      assert.equal(await read(), 'two');
      await store.purge(T, N);
      await expectRejection(read(), NotFoundError, { code: 'ERR_NOT_FOUND', message: /api-key/ });
    });

    test('a write that fails still drops the secret from the cache', async () => {
      const { store, other } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.get(T, N);
      await other.put(T, N, 'two');

      await expectRejection(store.put(T, N, 'three', { expectedVersion: 1 }), ConflictError, {
        code: 'ERR_CONFLICT',
        message: /expected 1/,
      });

      assert.equal((await store.get(T, N)).value.text(), 'two');
    });

    test('fresh: true reads storage and refreshes the cache', async () => {
      const { store, other, storageCalls, reset } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.get(T, N);
      await other.put(T, N, 'two');

      const stale = await store.get(T, N);
      const fresh = await store.get(T, N, { fresh: true });
      reset();
      const after = await store.get(T, N);

      assert.equal(stale.value.text(), 'one');
      assert.equal(fresh.value.text(), 'two');
      assert.equal(after.value.text(), 'two');
      assert.deepEqual(storageCalls, []);
    });

    test('a value wiped by the caller does not wipe the cached copy', async () => {
      const { store } = await openCached(fixture, cached);
      await store.put(T, N, 'value');
      const first = await store.get(T, N);
      first.value.wipe();
      const second = await store.get(T, N);
      second.value.wipe();

      const third = await store.get(T, N);

      assert.deepEqual(first.value.bytes(), new Uint8Array(5));
      assert.equal(third.value.text(), 'value');
    });

    test('versions and labels are cached apart from current', async () => {
      const { store, storageCalls, reset } = await openCached(fixture, cached);
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      await store.get(T, N);
      await store.get(T, N, { version: 1 });
      await store.get(T, N, { label: 'previous' });
      reset();

      const texts = [
        (await store.get(T, N)).value.text(),
        (await store.get(T, N, { version: 1 })).value.text(),
        (await store.get(T, N, { label: 'previous' })).value.text(),
      ];

      assert.deepEqual(texts, ['two', 'one', 'one']);
      assert.deepEqual(storageCalls, []);
    });

    test('a cached value is never served past its expiresAt', async () => {
      const { store, clock } = await openCached(fixture, cached);
      await store.put(T, N, 'value', { expiresAt: clock.later(1000) });
      await store.get(T, N);

      clock.advance(1000);

      await expectRejection(store.get(T, N), SecretExpiredError, {
        code: 'ERR_EXPIRED',
        message: /expired/,
      });
    });

    test('getMany is served from the cache too', async () => {
      const { store, keyCalls, storageCalls, reset } = await openCached(fixture, cached);
      await store.put(T, 'a', 'one');
      await store.put(T, 'b', 'two');
      await store.getMany(T, ['a', 'b']);
      reset();

      const again = await store.getMany(T, ['a', 'b']);

      assert.deepEqual(
        again.found.map((found) => found.value.text()),
        ['one', 'two'],
      );
      assert.deepEqual(storageCalls, []);
      assert.deepEqual(keyCalls, []);
    });
  });
}
