import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError } from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';

export function checkAndSetCases(fixture: ContractFixture): void {
  describe('check-and-set on put', () => {
    test('expectedVersion 0 creates a secret that does not exist yet', async () => {
      const { store } = await fixture.open();

      const version = await store.put(T, N, 'first', { expectedVersion: 0 });

      assert.equal(version, 1);
      assert.equal((await store.get(T, N)).value.text(), 'first');
    });

    test('expectedVersion 0 on an existing secret conflicts and writes nothing', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'first');

      const work = store.put(T, N, 'second', { expectedVersion: 0 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message:
          'secret api-key of tenant acme is at version 1, not the expected 0; nothing was written',
      });
      assert.equal((await store.describe(T, N)).latestVersion, 1);
      assert.equal((await store.get(T, N)).value.text(), 'first');
    });

    test('a matching expectedVersion writes the next version', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'first');
      await store.put(T, N, 'second');

      const version = await store.put(T, N, 'third', { expectedVersion: 2 });

      assert.equal(version, 3);
      assert.equal((await store.get(T, N)).value.text(), 'third');
    });

    test('a stale expectedVersion fails with ConflictError, writing nothing', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'first');
      await store.put(T, N, 'second');

      const work = store.put(T, N, 'third', { expectedVersion: 1 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message:
          'secret api-key of tenant acme is at version 2, not the expected 1; nothing was written',
      });
      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => v.version),
        [2, 1],
      );
    });

    test('an expectedVersion on a secret that does not exist conflicts', async () => {
      const { store, storage } = await fixture.open();

      const work = store.put(T, N, 'first', { expectedVersion: 3 });

      await expectRejection(work, ConflictError, {
        code: 'ERR_CONFLICT',
        message: /is at version 0, not the expected 3/,
      });
      assert.equal(await storage.hasData(), false);
    });
  });
}
