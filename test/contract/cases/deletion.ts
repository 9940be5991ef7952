import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError, SecretDeletedError } from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import { DAY_MS } from '../../support/fake-clock.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const NOT_FOUND = { code: 'ERR_NOT_FOUND', message: 'secret api-key of tenant acme not found' };

export function deletionCases(fixture: ContractFixture): void {
  describe('delete, restore and purge', () => {
    test('get of a deleted secret fails with an error that says how to restore it', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'value');
      const until = clock.later(7 * DAY_MS);

      const deleted = await store.delete(T, N);
      const error = await expectRejection(store.get(T, N), SecretDeletedError, {
        code: 'ERR_DELETED',
        message:
          `secret api-key of tenant acme is deleted; restore it before ${until.toISOString()} ` +
          '(strongroom restore acme api-key, or store.restore())',
      });

      assert.deepEqual(deleted.recoverableUntil, until);
      assert.deepEqual(error.recoverableUntil, until);
    });

    test('a deleted secret refuses describe and versions as well', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'value');
      await store.delete(T, N);

      // One after the other: a second promise left pending would reject unawaited.
      await expectRejection(store.describe(T, N), SecretDeletedError, {
        code: 'ERR_DELETED',
        message: /restore/,
      });
      await expectRejection(store.versions(T, N), SecretDeletedError, {
        code: 'ERR_DELETED',
        message: /restore/,
      });
    });

    test('restore brings a deleted secret back with every version', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      await store.delete(T, N);
      clock.advance(6 * DAY_MS);

      const restored = await store.restore(T, N);

      assert.equal(restored.deletedAt, undefined);
      assert.equal(restored.recoverableUntil, undefined);
      assert.equal((await store.get(T, N)).value.text(), 'two');
      assert.equal((await store.get(T, N, { version: 1 })).value.text(), 'one');
    });

    test('restore of a secret that is not deleted changes nothing', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');
      const before = await store.describe(T, N);
      clock.advance(1000);

      const restored = await store.restore(T, N);

      assert.deepEqual(restored.updatedAt, before.updatedAt);
      assert.deepEqual((await store.describe(T, N)).updatedAt, before.updatedAt);
    });

    test('put on a deleted secret within its recovery window fails as deleted', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');
      await store.delete(T, N);

      const work = store.put(T, N, 'two');

      await expectRejection(work, SecretDeletedError, { code: 'ERR_DELETED', message: /restore/ });
      await store.restore(T, N);
      assert.equal((await store.describe(T, N)).latestVersion, 1);
    });

    test('after its recovery window a deleted secret reads as not found', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');
      await store.delete(T, N);
      clock.advance(7 * DAY_MS);

      const work = store.get(T, N);

      await expectRejection(work, NotFoundError, NOT_FOUND);
      assert.deepEqual((await store.list(T, { includeDeleted: true })).secrets, []);
    });

    test('after its recovery window a put creates version 1 afresh', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'old one');
      await store.put(T, N, 'old two');
      await store.delete(T, N);
      clock.advance(7 * DAY_MS + 1);

      const version = await store.put(T, N, 'new');

      assert.equal(version, 1);
      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => v.version),
        [1],
      );
      assert.equal((await store.get(T, N)).value.text(), 'new');
    });

    test('restore after the recovery window fails with NotFoundError', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');
      await store.delete(T, N);
      clock.advance(8 * DAY_MS);

      const work = store.restore(T, N);

      await expectRejection(work, NotFoundError, NOT_FOUND);
    });

    test('delete honours a recovery window given for the call', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');

      const { recoverableUntil } = await store.delete(T, N, { recoveryWindowDays: 1 });
      clock.advance(DAY_MS);

      assert.equal(recoverableUntil.getTime(), clock.now());
      await expectRejection(store.get(T, N), NotFoundError, NOT_FOUND);
    });

    test('the store recovery window applies to every delete', async () => {
      const { store, clock } = await fixture.open({ recoveryWindowDays: 30 });
      await store.put(T, N, 'one');
      await store.delete(T, N);
      clock.advance(29 * DAY_MS);

      const restored = await store.restore(T, N);

      assert.equal(restored.deletedAt, undefined);
    });

    test('deleting a deleted secret keeps its first recovery deadline', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'one');
      const first = await store.delete(T, N);
      clock.advance(DAY_MS);

      const second = await store.delete(T, N);

      assert.deepEqual(second.recoverableUntil, first.recoverableUntil);
    });

    test('delete of a secret that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();

      const work = store.delete(T, N);

      await expectRejection(work, NotFoundError, NOT_FOUND);
    });

    test('purge destroys the secret and every version, returning how many', async () => {
      const { store, storage, tenantKeys } = await fixture.open();
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      await store.put(T, N, 'three');

      const purged = await store.purge(T, N);

      assert.equal(purged, 3);
      await expectRejection(store.get(T, N), NotFoundError, NOT_FOUND);
      await expectRejection(store.get(T, N, { version: 1 }), NotFoundError, NOT_FOUND);
      // A purge destroys a secret, not its tenant's tenant key, which stays for the next one.
      assert.equal(await storage.hasData(), tenantKeys);
    });

    test('purge destroys a deleted secret too', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');
      await store.delete(T, N);

      const purged = await store.purge(T, N);

      assert.equal(purged, 1);
      await expectRejection(store.restore(T, N), NotFoundError, NOT_FOUND);
    });

    test('purge of a secret that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();

      const work = store.purge(T, N);

      await expectRejection(work, NotFoundError, NOT_FOUND);
    });

    test('purge leaves other secrets alone', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'purged');
      await store.put(T, 'kept', 'kept');
      await store.put('globex', N, 'kept too');

      await store.purge(T, N);

      assert.equal((await store.get(T, 'kept')).value.text(), 'kept');
      assert.equal((await store.get('globex', N)).value.text(), 'kept too');
    });
  });
}
