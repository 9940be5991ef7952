import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../../src/errors.js';
import { parseEnvelope, SUITE_DIRECT } from '../../../src/format/envelope.js';
import { expectRejection } from '../../support/errors.js';
import { alterEnvelope, copyEnvelope } from '../../support/tamper.js';
import { count, openCached } from '../cached-harness.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';
const INTEGRITY = { code: 'ERR_INTEGRITY', message: INTEGRITY_MESSAGE };
const GETS = 20;
// Over every provider's direct limit (4,096 bytes), so even direct-mode stores seal it in an
// envelope with a data key: the key cache applies in every pair.
const LARGE = 'k'.repeat(5000);
const MINUTE = 60 * 1000;

/** The offset of the middle of the envelope's ciphertext, and of its last byte (the tag). */
function sealedOffsets(envelope: Uint8Array): number[] {
  const parsed = parseEnvelope(envelope);
  assert.notEqual(parsed.suite, SUITE_DIRECT, 'the value is sealed under a data key');
  const ciphertext = parsed.ciphertext;
  const middle = ciphertext.byteOffset - envelope.byteOffset + Math.floor(ciphertext.length / 2);

  return [middle, envelope.length - 1];
}

export function keyCacheCases(fixture: ContractFixture): void {
  describe('data key cache', () => {
    test('gets of the same version make one unwrap', async () => {
      const { store, keyCalls, reset } = await openCached(fixture, {});
      await store.put(T, N, LARGE);
      reset();

      for (let i = 0; i < GETS; i += 1) {
        assert.equal((await store.get(T, N)).value.text(), LARGE);
      }

      assert.deepEqual(keyCalls, ['unwrapDataKey']);
    });

    test('concurrent gets of an uncached version share one unwrap', async () => {
      const { store, keyCalls, reset } = await openCached(fixture, {});
      await store.put(T, N, LARGE);
      reset();

      const reads = await Promise.all(Array.from({ length: 8 }, () => store.get(T, N)));

      assert.ok(reads.every((read) => read.value.text() === LARGE));
      assert.deepEqual(keyCalls, ['unwrapDataKey']);
    });

    test('with keyCache false every get unwraps', async () => {
      const { store, keyCalls, reset } = await openCached(fixture, { keyCache: false });
      await store.put(T, N, LARGE);
      reset();

      for (let i = 0; i < GETS; i += 1) {
        await store.get(T, N);
      }

      assert.equal(count(keyCalls, 'unwrapDataKey'), GETS);
    });

    test('every version gets a fresh data key, and each is unwrapped once', async () => {
      const { store, keyCalls, reset } = await openCached(fixture, {});
      reset();

      for (let version = 1; version <= 3; version += 1) {
        await store.put(T, N, `${LARGE}${version}`);
        await store.get(T, N);
        await store.get(T, N);
      }

      assert.equal(count(keyCalls, 'generateDataKey'), 3);
      assert.equal(count(keyCalls, 'unwrapDataKey'), 3);
    });

    test('an entry older than maxAgeMs is unwrapped again', async () => {
      const { store, keyCalls, clock, reset } = await openCached(fixture, {
        keyCache: { maxAgeMs: MINUTE },
      });
      await store.put(T, N, LARGE);
      reset();

      await store.get(T, N);
      clock.advance(MINUTE - 1);
      await store.get(T, N);
      clock.advance(1);
      await store.get(T, N);

      assert.deepEqual(keyCalls, ['unwrapDataKey', 'unwrapDataKey']);
    });

    test('a tampered envelope still fails with the cache warm', async () => {
      const { store, storage, keyCalls, reset } = await openCached(fixture, {});
      await store.put(T, N, LARGE);
      await store.get(T, N);
      const stored = await storage.getVersion(T, N, 1);
      assert.ok(stored);
      const at = { tenant: T, name: N, version: 1 };
      reset();

      for (const offset of sealedOffsets(stored.envelope)) {
        await alterEnvelope(storage, at, (envelope) => {
          const changed = Uint8Array.from(envelope);
          changed[offset] = (changed[offset] ?? 0) ^ 0x01;
          return changed;
        });

        await expectRejection(store.get(T, N), IntegrityError, INTEGRITY);

        await alterEnvelope(storage, at, () => stored.envelope);
      }

      // The wrapped key was untouched, so the cached data key served: the tag check failed.
      assert.deepEqual(keyCalls, []);
      assert.equal((await store.get(T, N)).value.text(), LARGE);
    });

    test('a cached data key never opens its envelope moved to another version', async () => {
      const { store, storage } = await openCached(fixture, {});
      await store.put(T, N, LARGE);
      await store.put(T, N, `${LARGE}2`);
      await store.get(T, N, { version: 1 });

      await copyEnvelope(
        storage,
        { tenant: T, name: N, version: 1 },
        { tenant: T, name: N, version: 2 },
      );

      await expectRejection(store.get(T, N), IntegrityError, INTEGRITY);
      await expectRejection(store.get(T, N, { version: 2 }), IntegrityError, INTEGRITY);
    });

    test('after a rewrap, reads unwrap the new wrapped key once', async (t) => {
      const harness = await openCached(fixture, {}, { rotated: true });
      const { store, other, keyCalls, reset } = harness;
      if (!harness.rotated) {
        t.skip('this key provider cannot rotate');
        return;
      }
      if (harness.tenantKeys) {
        t.skip('a master key rotation moves tenant keys, not data keys (tenant-keys.test.ts)');
        return;
      }
      await other.put(T, N, LARGE);
      reset();

      await store.get(T, N);
      await store.get(T, N);
      const result = await store.rewrap();
      await store.get(T, N);
      const read = await store.get(T, N);

      assert.equal(result.rewrapped, 1);
      assert.equal(read.value.text(), LARGE);
      assert.equal(count(keyCalls, 'unwrapDataKey'), 2);
    });

    test('direct envelopes are decrypted by the provider on every read', async (t) => {
      const { store, mode, keyCalls, reset } = await openCached(fixture, {});
      if (mode !== 'direct') {
        t.skip('only a direct-mode store seals small values without a data key');
        return;
      }
      await store.put(T, N, 'small');
      reset();

      await store.get(T, N);
      await store.get(T, N);

      assert.deepEqual(keyCalls, ['decrypt', 'decrypt']);
    });
  });
}
