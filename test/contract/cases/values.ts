import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError, ValueTooLargeError } from '../../../src/errors.js';
import { MAX_VALUE_BYTES } from '../../../src/store/validation.js';
import { expectRejection } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';

export function valueCases(fixture: ContractFixture): void {
  describe('put and get', () => {
    test('put numbers the versions of a secret 1, 2, 3', async () => {
      const { store } = await fixture.open();

      const versions = [
        await store.put(T, N, 'one'),
        await store.put(T, N, 'two'),
        await store.put(T, N, 'three'),
      ];

      assert.deepEqual(versions, [1, 2, 3]);
    });

    test('get reads the newest version by default', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');

      const result = await store.get(T, N);

      assert.equal(result.value.text(), 'two');
      assert.equal(result.version, 2);
      assert.deepEqual(result.labels, ['current']);
      assert.equal(result.tenant, T);
      assert.equal(result.name, N);
    });

    test('get reads an older version by its number', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');

      const result = await store.get(T, N, { version: 1 });

      assert.equal(result.value.text(), 'one');
      assert.equal(result.version, 1);
      assert.deepEqual(result.labels, ['previous']);
    });

    test('get reads the version a label points at', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');
      await store.put(T, N, 'two');
      await store.put(T, N, 'three');
      await store.moveLabel(T, N, 'pending', 1);

      const pending = await store.get(T, N, { label: 'pending' });
      const previous = await store.get(T, N, { label: 'previous' });
      const current = await store.get(T, N, { label: 'current' });

      assert.equal(pending.value.text(), 'one');
      assert.equal(previous.value.text(), 'two');
      assert.equal(current.value.text(), 'three');
    });

    test('a string value round-trips exactly', async () => {
      const { store } = await fixture.open();
      const value = 'pässwörd 🔑 "quoted" \\ \n\t\u0000 end';

      await store.put(T, N, value);
      const result = await store.get(T, N);

      assert.equal(result.value.text(), value);
      assert.equal(result.size, Buffer.byteLength(value));
    });

    test('a binary value holding all 256 byte values round-trips exactly', async () => {
      const { store } = await fixture.open();
      const value = Uint8Array.from({ length: 256 }, (_, i) => i);

      await store.put(T, N, value);
      const result = await store.get(T, N);

      assert.deepEqual(result.value.bytes(), value);
    });

    test('a value given as a view into a larger buffer stores only the view', async () => {
      const { store } = await fixture.open();
      const whole = Uint8Array.from({ length: 64 }, (_, i) => i);
      const view = whole.subarray(10, 20);

      await store.put(T, N, view);
      const result = await store.get(T, N);

      assert.deepEqual(result.value.bytes(), Uint8Array.from(view));
      assert.equal(result.size, 10);
    });

    test('put leaves the caller bytes as they were', async () => {
      const { store } = await fixture.open();
      const value = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
      const copy = Uint8Array.from(value);

      await store.put(T, N, value);

      assert.deepEqual(value, copy);
    });

    test('an empty value round-trips', async () => {
      const { store } = await fixture.open();

      await store.put(T, N, '');
      const result = await store.get(T, N);

      assert.equal(result.value.byteLength, 0);
      assert.equal(result.value.text(), '');
      assert.equal(result.size, 0);
    });

    test('a value of exactly 256 KiB is stored and read back', async () => {
      const { store } = await fixture.open();
      const value = new Uint8Array(MAX_VALUE_BYTES).map((_, i) => (i * 31) % 251);

      await store.put(T, N, value);
      const result = await store.get(T, N);

      assert.equal(MAX_VALUE_BYTES, 256 * 1024);
      assert.deepEqual(result.value.bytes(), value);
    });

    test('a value one byte over 256 KiB is refused as too large, writing nothing', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'small');

      await expectRejection(
        store.put(T, N, new Uint8Array(MAX_VALUE_BYTES + 1)),
        ValueTooLargeError,
        {
          code: 'ERR_VALUE_TOO_LARGE',
          message: 'value is 262145 bytes; the limit is 262144 bytes',
        },
      );

      const versions = await store.versions(T, N);
      assert.deepEqual(
        versions.map((v) => v.version),
        [1],
      );
      assert.equal((await store.get(T, N)).value.text(), 'small');
    });

    test('get of a secret that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();

      const work = store.get(T, 'missing');

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'secret missing of tenant acme not found',
      });
    });

    test('get of a version that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');

      const work = store.get(T, N, { version: 9 });

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'version 9 of secret api-key of tenant acme not found',
      });
    });

    test('get of a label that does not exist fails with NotFoundError', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'one');

      const work = store.get(T, N, { label: 'pending' });

      await expectRejection(work, NotFoundError, {
        code: 'ERR_NOT_FOUND',
        message: 'label pending of secret api-key of tenant acme not found',
      });
    });

    test('secrets of one name in two tenants are kept apart', async () => {
      const { store } = await fixture.open();

      await store.put('acme', N, 'for acme');
      await store.put('globex', N, 'for globex');

      assert.equal((await store.get('acme', N)).value.text(), 'for acme');
      assert.equal((await store.get('globex', N)).value.text(), 'for globex');
      assert.equal((await store.get('globex', N)).version, 1);
    });

    test('small values seal in the store mode; empty and large ones as envelopes', async () => {
      const { store, pair, mode } = await fixture.open();
      const largest = new Uint8Array(pair.keys.maxDirectBytes).fill(1);
      const large = new Uint8Array(pair.keys.maxDirectBytes + 1).fill(2);

      await store.put(T, 'small', 'x');
      await store.put(T, 'largest', largest);
      await store.put(T, 'empty', '');
      await store.put(T, 'large', large);

      assert.equal((await store.describe(T, 'small')).current.mode, mode);
      assert.equal((await store.describe(T, 'largest')).current.mode, mode);
      assert.deepEqual((await store.get(T, 'largest')).value.bytes(), largest);
      assert.equal((await store.describe(T, 'empty')).current.mode, 'envelope');
      assert.equal((await store.describe(T, 'large')).current.mode, 'envelope');
      assert.deepEqual((await store.get(T, 'large')).value.bytes(), large);
    });

    test('a store in the other mode reads versions sealed in this one', async () => {
      const { store, mode, another } = await fixture.open();
      await store.put(T, N, 'sealed once');
      const other = another({ mode: mode === 'direct' ? 'envelope' : 'direct' });

      const result = await other.get(T, N);

      assert.equal(result.value.text(), 'sealed once');
    });

    test('a put without description and tags keeps the ones given before', async () => {
      const { store, clock } = await fixture.open();
      const options = { description: 'Stripe key', tags: { env: 'prod' } };
      await store.put(T, N, '{"k":1}', { ...options, contentType: 'application/json' });
      clock.advance(1000);

      await store.put(T, N, 'plain');

      const first = await store.get(T, N, { version: 1 });
      const described = await store.describe(T, N);
      assert.equal(first.contentType, 'application/json');
      assert.equal(described.current.contentType, undefined);
      assert.equal(described.description, 'Stripe key');
      assert.deepEqual(described.tags, { env: 'prod' });
      assert.equal(described.updatedAt.getTime() - described.createdAt.getTime(), 1000);
    });
  });
}
