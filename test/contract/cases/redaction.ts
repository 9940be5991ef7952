import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const VALUE = 'sk_live_redaction_marker';

export function redactionCases(fixture: ContractFixture): void {
  describe('redaction of read values', () => {
    test('a read value shows as [redacted] in String, templates, inspect and JSON', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, VALUE);

      const result = await store.get(T, N);

      assert.equal(String(result.value), '[redacted]');
      assert.equal(`${result.value}`, '[redacted]');
      assert.ok(!inspect(result, { depth: 10 }).includes(VALUE));
      assert.match(inspect(result), /value: \[redacted\]/);
      assert.ok(!JSON.stringify(result).includes(VALUE));
      assert.equal(JSON.parse(JSON.stringify(result)).value, '[redacted]');
    });

    test('text() and bytes() read the value', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, VALUE);

      const result = await store.get(T, N);

      assert.equal(result.value.text(), VALUE);
      assert.deepEqual(result.value.bytes(), new TextEncoder().encode(VALUE));
      assert.equal(result.value.byteLength, VALUE.length);
    });

    test('bytes() hands out a copy that does not change the value', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, VALUE);
      const result = await store.get(T, N);

      result.value.bytes().fill(0);

      assert.equal(result.value.text(), VALUE);
    });

    test('wipe() overwrites the value with zeros', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, VALUE);
      const result = await store.get(T, N);

      result.value.wipe();

      assert.deepEqual(result.value.bytes(), new Uint8Array(VALUE.length));
    });
  });
}
