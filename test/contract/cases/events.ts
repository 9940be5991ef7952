import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { StoreEvent } from '../../../src/store/events.js';
import { copyEnvelope } from '../../support/tamper.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const MARKER = 'canary-7f3e9b1c-do-not-print';

/** The event without its duration, which is only checked for being a number. */
function shape({ durationMs, ...rest }: StoreEvent): Omit<StoreEvent, 'durationMs'> {
  assert.equal(typeof durationMs, 'number');
  assert.ok(durationMs >= 0);

  return Object.fromEntries(
    Object.entries(rest).filter(([, value]) => value !== undefined),
  ) as Omit<StoreEvent, 'durationMs'>;
}

export function eventCases(fixture: ContractFixture): void {
  describe('events', () => {
    test('onEvent reports one event per operation, with its outcome', async () => {
      const { store, events } = await fixture.open();

      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      await store.get(T, N);
      await store.describe(T, N);
      await store.list(T);
      await store.versions(T, N);
      await store.moveLabel(T, N, 'pending', 1);
      await store.removeLabel(T, N, 'pending');
      await store.rollback(T, N);
      await store.delete(T, N);
      await store.restore(T, N);
      await store.rewrap();
      await store.purge(T, N);
      await store.get(T, N).catch(() => undefined);

      const secret = { tenant: T, name: N };
      assert.deepEqual(events.map(shape), [
        { operation: 'put', ...secret, version: 1, outcome: 'success' },
        { operation: 'put', ...secret, version: 2, outcome: 'success' },
        { operation: 'get', ...secret, version: 2, outcome: 'success' },
        { operation: 'describe', ...secret, outcome: 'success' },
        { operation: 'list', tenant: T, outcome: 'success' },
        { operation: 'versions', ...secret, outcome: 'success' },
        { operation: 'moveLabel', ...secret, outcome: 'success' },
        { operation: 'removeLabel', ...secret, outcome: 'success' },
        { operation: 'rollback', ...secret, version: 1, outcome: 'success' },
        { operation: 'delete', ...secret, outcome: 'success' },
        { operation: 'restore', ...secret, outcome: 'success' },
        { operation: 'rewrap', outcome: 'success' },
        { operation: 'purge', ...secret, outcome: 'success' },
        { operation: 'get', ...secret, outcome: 'failure', errorCode: 'ERR_NOT_FOUND' },
      ]);
    });

    test('a failed operation reports its error code', async () => {
      const { store, events } = await fixture.open();
      await store.put(T, N, 'one');

      await store.put(T, N, 'two', { expectedVersion: 0 }).catch(() => undefined);
      await store.put('bad tenant', N, 'x').catch(() => undefined);
      await store.put(T, N, new Uint8Array(256 * 1024 + 1)).catch(() => undefined);

      assert.deepEqual(
        events.slice(1).map((event) => [event.operation, event.outcome, event.errorCode]),
        [
          ['put', 'failure', 'ERR_CONFLICT'],
          ['put', 'failure', 'ERR_INVALID_INPUT'],
          ['put', 'failure', 'ERR_VALUE_TOO_LARGE'],
        ],
      );
    });

    test('a value passed where the tenant goes never reaches the hook', async () => {
      const { store, events } = await fixture.open();
      const value = 'sk_live swapped arguments';

      await store.put(value, T, N).catch(() => undefined);
      await store.put(T, 'not a valid name!', value).catch(() => undefined);

      assert.deepEqual(
        events.map((event) => [event.operation, event.tenant, event.name, event.errorCode]),
        [
          ['put', undefined, T, 'ERR_INVALID_INPUT'],
          ['put', T, undefined, 'ERR_INVALID_INPUT'],
        ],
      );
      assert.equal(JSON.stringify(events).includes(value), false);
    });

    test('a hook that throws does not fail the operation', async () => {
      const { store } = await fixture.open({
        onEvent: () => {
          throw new Error('audit sink down');
        },
      });

      const version = await store.put(T, N, 'value');

      assert.equal(version, 1);
      assert.equal((await store.get(T, N)).value.text(), 'value');
    });

    test('a canary value never appears in events or error messages', async () => {
      const { store, storage, events, clock } = await fixture.open();
      const errors: unknown[] = [];
      const attempt = (work: Promise<unknown>) => work.catch((error) => errors.push(error));
      await store.put(T, N, MARKER, { expiresAt: clock.later(1000) });
      await store.put(T, 'other', 'other value');
      await store.put(T, 'binary', new TextEncoder().encode(MARKER));
      const read = await store.get(T, N);

      await attempt(store.put(T, N, MARKER, { expectedVersion: 0 }));
      await attempt(store.put('bad tenant', N, MARKER));
      await attempt(store.put(T, N, `${MARKER}${'x'.repeat(256 * 1024)}`));
      await copyEnvelope(
        storage,
        { tenant: T, name: N, version: 1 },
        { tenant: T, name: 'other', version: 1 },
      );
      await attempt(store.get(T, 'other'));
      await store.delete(T, 'binary');
      await attempt(store.get(T, 'binary'));
      clock.advance(1000);
      await attempt(store.get(T, N));

      const output = [
        JSON.stringify(events),
        inspect(events, { depth: 10 }),
        ...errors.map((error) => inspect(error, { depth: 10 })),
        ...errors.map((error) => JSON.stringify(error)),
        inspect(read, { depth: 10 }),
        JSON.stringify(read),
      ].join('\n');
      assert.equal(errors.length, 6);
      assert.ok(!output.includes(MARKER), 'the marker leaked into events, errors or results');
      assert.ok(!output.includes(Buffer.from(MARKER).toString('hex')));
      assert.ok(!output.includes(Buffer.from(MARKER).toString('base64')));
    });
  });
}
