import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError, NotFoundError, SecretExpiredError } from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';

export function retentionCases(fixture: ContractFixture): void {
  describe('retention and expiry', () => {
    test('maxVersions 3 keeps the newest 3 versions, destroying the oldest on write', async () => {
      const { store } = await fixture.open({ maxVersions: 3 });

      for (let i = 1; i <= 5; i += 1) {
        await store.put(T, N, `v${i}`);
      }

      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => v.version),
        [5, 4, 3],
      );
      assert.equal((await store.describe(T, N)).versionCount, 3);
      assert.equal((await store.get(T, N, { version: 3 })).value.text(), 'v3');
      await expectRejection(store.get(T, N, { version: 1 }), NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'version 1 of secret api-key of tenant acme not found',
      });
    });

    test('retention never destroys a version a label points at', async () => {
      const { store } = await fixture.open({ maxVersions: 3 });
      await store.put(T, N, 'v1');
      await store.moveLabel(T, N, 'pending', 1);

      for (let i = 2; i <= 6; i += 1) {
        await store.put(T, N, `v${i}`);
      }

      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => v.version),
        [6, 5, 1],
      );
      assert.equal((await store.get(T, N, { label: 'pending' })).value.text(), 'v1');
    });

    test('retention keeps the labelled versions even past the limit', async () => {
      const { store } = await fixture.open({ maxVersions: 1 });

      await store.put(T, N, 'v1');
      await store.put(T, N, 'v2');
      await store.put(T, N, 'v3');

      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => [v.version, v.labels]),
        [
          [3, ['current']],
          [2, ['previous']],
        ],
      );
    });

    test('destroyed version numbers are never reused', async () => {
      const { store } = await fixture.open({ maxVersions: 2 });
      for (let i = 1; i <= 4; i += 1) {
        await store.put(T, N, `v${i}`);
      }

      const version = await store.put(T, N, 'v5');

      assert.equal(version, 5);
      assert.equal((await store.describe(T, N)).latestVersion, 5);
    });

    test('a version read after its expiresAt fails with SecretExpiredError', async () => {
      const { store, clock } = await fixture.open();
      const expiresAt = clock.later(60_000);
      await store.put(T, N, 'short-lived', { expiresAt });
      clock.advance(60_000);

      const work = store.get(T, N);

      const error = await expectRejection(work, SecretExpiredError, {
        code: 'ERR_EXPIRED',
        message: `version 1 of secret api-key of tenant acme expired at ${expiresAt.toISOString()}`,
      });
      assert.deepEqual(error.expiredAt, expiresAt);
    });

    test('a version reads until its expiresAt and reports it', async () => {
      const { store, clock } = await fixture.open();
      const expiresAt = clock.later(60_000);
      await store.put(T, N, 'short-lived', { expiresAt });
      clock.advance(59_999);

      const result = await store.get(T, N);

      assert.equal(result.value.text(), 'short-lived');
      assert.deepEqual(result.expiresAt, expiresAt);
    });

    test('expiry applies to its own version only', async () => {
      const { store, clock } = await fixture.open();
      await store.put(T, N, 'v1', { expiresAt: clock.later(1000) });
      await store.put(T, N, 'v2');
      clock.advance(1000);

      const current = await store.get(T, N);
      const old = store.get(T, N, { version: 1 });

      assert.equal(current.value.text(), 'v2');
      await expectRejection(old, SecretExpiredError, { code: 'ERR_EXPIRED', message: /expired/ });
    });

    test('put refuses an expiresAt that is not in the future, writing nothing', async () => {
      const { store, storage, clock } = await fixture.open();

      const past = store.put(T, N, 'value', { expiresAt: clock.later(-1) });
      const now = store.put(T, N, 'value', { expiresAt: clock.later(0) });

      const expected = {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid options.expiresAt: must be in the future',
      };
      await expectRejection(past, InvalidInputError, expected);
      await expectRejection(now, InvalidInputError, expected);
      assert.equal(await storage.hasData(), false);
    });

    test('put refuses an expiresAt that is not a valid Date', async () => {
      const { store } = await fixture.open();

      const work = store.put(T, N, 'value', { expiresAt: new Date(Number.NaN) });

      await expectRejection(work, InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid options.expiresAt: must be a valid Date',
      });
    });
  });
}
