import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError } from '../../../src/errors.js';
import type { SecretStore } from '../../../src/store/store.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const WRITERS = 20;

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function putAll(store: SecretStore, options: { expectedVersion?: number } = {}) {
  return Promise.allSettled(
    range(1, WRITERS).map((writer) => store.put(T, N, `writer ${writer}`, options)),
  );
}

function conflicts(results: readonly PromiseSettledResult<unknown>[]): unknown[] {
  return results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
}

async function expectEveryValueReadable(
  store: SecretStore,
  results: PromiseSettledResult<number>[],
): Promise<void> {
  for (const [i, result] of results.entries()) {
    assert.equal(result.status, 'fulfilled');
    const read = await store.get(T, N, { version: result.value });
    assert.equal(read.value.text(), `writer ${i + 1}`);
  }
}

export function concurrencyCases(fixture: ContractFixture): void {
  describe('concurrent writers', () => {
    test('20 parallel creates with expectedVersion 0: exactly one succeeds', async () => {
      const { store } = await fixture.open();

      const results = await putAll(store, { expectedVersion: 0 });

      const won = results.filter((result) => result.status === 'fulfilled');
      assert.equal(won.length, 1);
      assert.deepEqual(
        won.map((result) => result.value),
        [1],
      );
      for (const error of conflicts(results)) {
        assert.ok(error instanceof ConflictError);
        assert.equal(error.code, 'ERR_CONFLICT');
        assert.match(error.message, /is at version 1, not the expected 0; nothing was written/);
      }
      assert.equal((await store.describe(T, N)).versionCount, 1);
    });

    test('20 parallel puts with the same expectedVersion: exactly one succeeds', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'first');
      await store.put(T, N, 'second');

      const results = await putAll(store, { expectedVersion: 2 });

      const won = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1);
      assert.equal(conflicts(results).length, WRITERS - 1);
      assert.ok(conflicts(results).every((error) => error instanceof ConflictError));
      assert.equal((await store.get(T, N)).value.text(), `writer ${(won[0] ?? 0) + 1}`);
      assert.equal((await store.describe(T, N)).latestVersion, 3);
    });

    test('20 parallel puts get versions 1 to 20, and no value is lost', async () => {
      const { store, events } = await fixture.open();

      const results = await putAll(store);

      const versions = results.map((result) => (result.status === 'fulfilled' ? result.value : 0));
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        range(1, WRITERS),
      );
      await expectEveryValueReadable(store, results);
      const puts = events.filter((event) => event.operation === 'put');
      assert.equal(puts.length, WRITERS, 'one event per put, however often it retried');
      assert.ok(puts.every((event) => event.outcome === 'success'));
    });

    test('20 parallel puts on a secret at version 3 get versions 4 to 23', async () => {
      const { store } = await fixture.open();
      for (let i = 1; i <= 3; i += 1) {
        await store.put(T, N, `before ${i}`);
      }

      const results = await putAll(store);

      const versions = results.map((result) => (result.status === 'fulfilled' ? result.value : 0));
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        range(4, WRITERS),
      );
      await expectEveryValueReadable(store, results);
      assert.equal((await store.describe(T, N)).versionCount, 3 + WRITERS);
    });

    test('parallel label moves with one expectedVersion: exactly one succeeds', async () => {
      const { store } = await fixture.open();
      for (let i = 1; i <= 5; i += 1) {
        await store.put(T, N, `v${i}`);
      }

      const results = await Promise.allSettled(
        range(1, 5).map((v) => store.moveLabel(T, N, 'pending', v, { expectedVersion: 0 })),
      );

      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      assert.ok(conflicts(results).every((error) => error instanceof ConflictError));
    });
  });
}
