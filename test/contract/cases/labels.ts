import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../src/errors.js';
import type { SecretStore } from '../../../src/store/store.js';
import { expectRejection } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';

async function putVersions(store: SecretStore, count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    await store.put(T, N, `v${i}`);
  }
}

export function labelCases(fixture: ContractFixture): void {
  describe('versions and labels', () => {
    test('versions lists every version newest first, with its labels', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);

      const versions = await store.versions(T, N);

      assert.deepEqual(
        versions.map((v) => [v.version, v.labels]),
        [
          [3, ['current']],
          [2, ['previous']],
          [1, []],
        ],
      );
    });

    test('current follows the newest version and previous keeps the one before', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 1);
      const afterOne = await store.describe(T, N);

      await store.put(T, N, 'v2');

      assert.deepEqual(afterOne.labels, { current: 1 });
      assert.deepEqual((await store.describe(T, N)).labels, { current: 2, previous: 1 });
    });

    test('moveLabel with expectedVersion 0 creates a label that does not exist yet', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);

      const moved = await store.moveLabel(T, N, 'pending', 1, { expectedVersion: 0 });

      assert.deepEqual(moved.labels, { current: 2, previous: 1, pending: 1 });
      assert.equal((await store.get(T, N, { label: 'pending' })).value.text(), 'v1');
    });

    test('moveLabel with expectedVersion 0 conflicts when the label exists', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);
      await store.moveLabel(T, N, 'pending', 1);

      const work = store.moveLabel(T, N, 'pending', 2, { expectedVersion: 0 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message:
          'label pending of secret api-key of tenant acme points at version 1, not the expected 0',
      });
      assert.equal((await store.describe(T, N)).labels.pending, 1);
    });

    test('moveLabel moves a label when expectedVersion is where it points', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);
      await store.moveLabel(T, N, 'pending', 1);

      const moved = await store.moveLabel(T, N, 'pending', 3, { expectedVersion: 1 });

      assert.equal(moved.labels.pending, 3);
      assert.equal((await store.get(T, N, { label: 'pending' })).value.text(), 'v3');
    });

    test('moveLabel with a stale expectedVersion conflicts and moves nothing', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);
      await store.moveLabel(T, N, 'pending', 2);

      const work = store.moveLabel(T, N, 'pending', 3, { expectedVersion: 1 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message:
          'label pending of secret api-key of tenant acme points at version 2, not the expected 1',
      });
      assert.equal((await store.describe(T, N)).labels.pending, 2);
    });

    test('moveLabel expecting a missing label to exist says it points nowhere', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 1);

      const work = store.moveLabel(T, N, 'pending', 1, { expectedVersion: 1 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message:
          'label pending of secret api-key of tenant acme points at no version, not the expected 1',
      });
    });

    test('moveLabel to a version that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);

      const work = store.moveLabel(T, N, 'pending', 9);

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'version 9 of secret api-key of tenant acme not found',
      });
      assert.equal((await store.describe(T, N)).labels.pending, undefined);
    });

    test('moving current by hand keeps where it was as previous', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);

      const moved = await store.moveLabel(T, N, 'current', 1);

      assert.deepEqual(moved.labels, { current: 1, previous: 3 });
      assert.equal((await store.get(T, N)).value.text(), 'v1');
    });

    test('rollback moves current back to previous', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);

      const current = await store.rollback(T, N);

      assert.equal(current, 2);
      assert.deepEqual((await store.describe(T, N)).labels, { current: 2, previous: 3 });
      assert.equal((await store.get(T, N)).value.text(), 'v2');
    });

    test('rollback to a given version moves current there', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);

      const current = await store.rollback(T, N, { version: 1 });

      assert.equal(current, 1);
      assert.equal((await store.get(T, N)).value.text(), 'v1');
      assert.equal((await store.describe(T, N)).labels.previous, 3);
    });

    test('a put after a rollback becomes current and the rolled-back-to one previous', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 3);
      await store.rollback(T, N, { version: 1 });

      const version = await store.put(T, N, 'v4');

      assert.equal(version, 4);
      assert.deepEqual((await store.describe(T, N)).labels, { current: 4, previous: 1 });
    });

    test('rollback without a previous version fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 1);

      const work = store.rollback(T, N);

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'version to roll back to for secret api-key of tenant acme not found',
      });
    });

    test('rollback to a version that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);

      const work = store.rollback(T, N, { version: 7 });

      await expectRejection(work, NotFoundError, { code: 'ERR_NOT_FOUND', message: /roll back/ });
      assert.equal((await store.describe(T, N)).currentVersion, 2);
    });

    test('removeLabel refuses to remove current', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);

      const work = store.removeLabel(T, N, 'current');

      await expectRejection(work, InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid label: current cannot be removed; move it instead',
      });
      assert.equal((await store.describe(T, N)).labels.current, 2);
    });

    test('removeLabel removes a custom label, which then no longer reads', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 2);
      await store.moveLabel(T, N, 'pending', 1);

      const updated = await store.removeLabel(T, N, 'pending', { expectedVersion: 1 });

      assert.deepEqual(updated.labels, { current: 2, previous: 1 });
      await expectRejection(store.get(T, N, { label: 'pending' }), NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'label pending of secret api-key of tenant acme not found',
      });
    });

    test('removeLabel of a label that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await putVersions(store, 1);

      const work = store.removeLabel(T, N, 'pending');

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'label pending of secret api-key of tenant acme not found',
      });
    });
  });
}
