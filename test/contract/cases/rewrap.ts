import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnvelope, SUITE_DIRECT } from '../../../src/format/envelope.js';
import type { RewrapFailure, RewrapProgress, RewrapResult } from '../../../src/store/types.js';
import { alterEnvelope } from '../../support/tamper.js';
import type { ContractFixture, Harness } from '../fixture.js';

/** Writes `count` versions spread over two tenants and several secrets; returns their values. */
async function fill({ store }: Harness, count: number): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < count; i += 1) {
    const tenant = i % 2 === 0 ? 'acme' : 'globex';
    const name = `secret-${i % 5}`;
    const value = `value ${i}`;
    const version = await store.put(tenant, name, value);
    values.set(`${tenant}/${name}/${version}`, value);
  }

  return values;
}

async function readAll(store: Harness['store'], values: Map<string, string>): Promise<void> {
  for (const [key, value] of values) {
    const [tenant = '', name = '', version = ''] = key.split('/');
    const result = await store.get(tenant, name, { version: Number(version) });
    assert.equal(result.value.text(), value, `${key} reads back`);
  }
}

/** Flips one byte inside the part a rewrap must unwrap: the wrapped key, or direct ciphertext. */
function damageKeyPart(envelope: Uint8Array): Uint8Array {
  const parsed = parseEnvelope(envelope);
  const part = parsed.suite === SUITE_DIRECT ? parsed.ciphertext : parsed.wrappedKey;
  const at = part.byteOffset - envelope.byteOffset + Math.floor(part.length / 2);
  const copy = Uint8Array.from(envelope);
  copy[at] = (copy[at] ?? 0) ^ 0x01;

  return copy;
}

/**
 * What a rewrap reports. Without per-tenant keys a master key rotation moves every version's
 * data key; with them it moves the two tenants' tenant keys instead, and the data keys, under
 * those, stay as they are (so a damaged wrapped data key goes unnoticed until it is read).
 */
function expected(
  harness: Harness,
  scanned: number,
  { moved, failed = [] }: { moved: number; failed?: RewrapFailure[] },
): RewrapResult {
  if (!harness.tenantKeys) {
    const tenantKeys = { scanned: 0, rewrapped: 0, failed: [] };
    return { scanned, rewrapped: moved, failed, tenantKeys };
  }
  const tenantKeys = { scanned: 2, rewrapped: moved > 0 ? 2 : 0, failed: [] };

  return { scanned, rewrapped: 0, failed: [], tenantKeys };
}

export function rewrapCases(fixture: ContractFixture): void {
  describe('rewrap', () => {
    test('rewrap without a newer master key rewraps nothing', async () => {
      const harness = await fixture.open();
      await fill(harness, 4);

      const result = await harness.store.rewrap();

      assert.deepEqual(result, expected(harness, 4, { moved: 0 }));
    });

    test('after a rotation rewrap moves every version and all still read', async (t) => {
      const harness = await fixture.open();
      if (harness.pair.rotate === undefined) {
        t.skip('this key provider cannot rotate');
        return;
      }
      const values = await fill(harness, 6);
      const rotated = harness.another({ keys: await harness.pair.rotate() });

      const result = await rotated.rewrap();

      assert.deepEqual(result, expected(harness, 6, { moved: 6 }));
      await readAll(rotated, values);
    });

    test('a second rewrap after a rotation rewraps nothing', async (t) => {
      const harness = await fixture.open();
      if (harness.pair.rotate === undefined) {
        t.skip('this key provider cannot rotate');
        return;
      }
      await fill(harness, 6);
      const rotated = harness.another({ keys: await harness.pair.rotate() });
      await rotated.rewrap();

      const second = await rotated.rewrap();

      assert.deepEqual(second, expected(harness, 6, { moved: 0 }));
    });

    test('rewrap skips and reports a tampered version, and moves every other one', async (t) => {
      const harness = await fixture.open();
      if (harness.pair.rotate === undefined) {
        t.skip('this key provider cannot rotate');
        return;
      }
      const values = await fill(harness, 6);
      const damaged = { tenant: 'acme', name: 'secret-0', version: 1 };
      // Rewrap opens only the wrapped key (or direct ciphertext), never the value: damage it
      // there. A damaged value ciphertext is caught by the next read instead.
      await alterEnvelope(harness.storage, damaged, damageKeyPart);
      values.delete('acme/secret-0/1');
      const rotated = harness.another({ keys: await harness.pair.rotate() });

      const result = await rotated.rewrap();

      const failed = [{ ...damaged, code: 'ERR_INTEGRITY' }];
      assert.deepEqual(result, expected(harness, 6, { moved: 5, failed }));
      await readAll(rotated, values);
    });

    test('rewrap pages through more versions than one page and reports progress', async (t) => {
      const harness = await fixture.open();
      if (harness.pair.rotate === undefined) {
        t.skip('this key provider cannot rotate');
        return;
      }
      const values = await fill(harness, 105);
      const rotated = harness.another({ keys: await harness.pair.rotate() });
      const progress: RewrapProgress[] = [];

      const result = await rotated.rewrap({ onProgress: (step) => progress.push(step) });

      const wanted = expected(harness, 105, { moved: 105 });
      assert.deepEqual(result, wanted);
      assert.deepEqual(progress.at(-1), { scanned: 105, rewrapped: wanted.rewrapped });
      assert.ok(progress.length >= 2, 'progress is reported per page');
      await readAll(rotated, values);
    });

    test('a rotated store reads versions sealed before rotation, without rewrap', async (t) => {
      const harness = await fixture.open();
      if (harness.pair.rotate === undefined) {
        t.skip('this key provider cannot rotate');
        return;
      }
      const values = await fill(harness, 3);

      const rotated = harness.another({ keys: await harness.pair.rotate() });

      await readAll(rotated, values);
    });
  });
}
