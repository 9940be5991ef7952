import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidInputError, KeyProviderError } from '../../src/errors.js';
import { secretContext } from '../../src/format/context.js';
import type { KeyReference } from '../../src/format/envelope.js';
import { dataKeyId, KeyCache, type WrappedDataKey } from '../../src/store/key-cache.js';
import { expectRejection, expectThrow } from '../support/errors.js';
import { FakeClock } from '../support/fake-clock.js';

const KEY_REF: KeyReference = { provider: 'local', keyId: 'ring', keyVersion: 1, layer: 'master' };

function wrapped(n: number, overrides: Partial<WrappedDataKey> = {}): WrappedDataKey {
  return {
    wrapped: Uint8Array.of(n, n, n),
    keyRef: KEY_REF,
    context: secretContext('acme', `secret-${n}`, 1),
    ...overrides,
  };
}

/** A fake provider: hands out a fresh 32-byte key per unwrap, and keeps each for inspection. */
function unwrapper() {
  const handedOut: Uint8Array[] = [];
  const unwrap = (fill: number) => async () => {
    const key = new Uint8Array(32).fill(fill);
    handedOut.push(key);
    return key;
  };

  return { handedOut, unwrap };
}

const isZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

/** Reads through the cache, returning the byte the key was filled with. */
async function read(cache: KeyCache, request: WrappedDataKey, unwrap: () => Promise<Uint8Array>) {
  return cache.withDataKey(request, unwrap, (key) => key[0]);
}

describe('KeyCache', () => {
  test('a hit spares the unwrap and hands out a copy that is wiped after use', async () => {
    const cache = new KeyCache();
    const { handedOut, unwrap } = unwrapper();
    const seen: Uint8Array[] = [];

    await cache.withDataKey(wrapped(1), unwrap(7), (key) => seen.push(key));
    await cache.withDataKey(wrapped(1), unwrap(7), (key) => seen.push(key));

    assert.equal(handedOut.length, 1);
    assert.equal(seen.length, 2);
    assert.ok(seen.every(isZero), 'the key given to the callback is wiped when it returns');
    assert.ok(
      seen.every((key) => key !== handedOut[0]),
      'the cached key itself is never given',
    );
    assert.ok(!isZero(handedOut[0] as Uint8Array), 'the cache keeps its key until it leaves');
  });

  test('evicts the least recently used key first and wipes it', async () => {
    const cache = new KeyCache({ maxEntries: 2 });
    const { handedOut, unwrap } = unwrapper();
    await read(cache, wrapped(1), unwrap(1));
    await read(cache, wrapped(2), unwrap(2));
    await read(cache, wrapped(1), unwrap(1));

    await read(cache, wrapped(3), unwrap(3));

    const [one, two, three] = handedOut as [Uint8Array, Uint8Array, Uint8Array];
    assert.ok(isZero(two), 'the least recently used key is wiped on eviction');
    assert.ok(!isZero(one) && !isZero(three));
    assert.equal(cache.size, 2);
    assert.equal(await read(cache, wrapped(1), unwrap(1)), 1);
    assert.equal(handedOut.length, 3, 'key 1 was still cached');
    await read(cache, wrapped(2), unwrap(2));
    assert.equal(handedOut.length, 4, 'key 2 was unwrapped again');
  });

  test('a key is served for maxAgeMs after its unwrap, then wiped and unwrapped anew', async () => {
    const clock = new FakeClock();
    const cache = new KeyCache({ maxAgeMs: 1000 }, clock.now);
    const { handedOut, unwrap } = unwrapper();
    await read(cache, wrapped(1), unwrap(1));

    clock.advance(999);
    await read(cache, wrapped(1), unwrap(1));
    assert.equal(handedOut.length, 1);
    clock.advance(1);
    await read(cache, wrapped(1), unwrap(1));

    assert.equal(handedOut.length, 2);
    assert.ok(isZero(handedOut[0] as Uint8Array), 'the expired key is wiped');
  });

  test('hits do not extend a key past maxAgeMs', async () => {
    const clock = new FakeClock();
    const cache = new KeyCache({ maxAgeMs: 1000 }, clock.now);
    const { handedOut, unwrap } = unwrapper();

    for (let i = 0; i < 4; i += 1) {
      await read(cache, wrapped(1), unwrap(1));
      clock.advance(400);
    }

    assert.equal(handedOut.length, 2);
  });

  test('expired keys are wiped by the sweep even when nobody reads again', async () => {
    const cache = new KeyCache({ maxAgeMs: 20 });
    const { handedOut, unwrap } = unwrapper();
    await read(cache, wrapped(1), unwrap(1));

    await sleep(80);

    assert.ok(isZero(handedOut[0] as Uint8Array));
    assert.equal(cache.size, 0);
  });

  test('clear wipes every key', async () => {
    const cache = new KeyCache();
    const { handedOut, unwrap } = unwrapper();
    await read(cache, wrapped(1), unwrap(1));
    await read(cache, wrapped(2), unwrap(2));

    cache.clear();

    assert.equal(cache.size, 0);
    assert.ok(handedOut.every(isZero));
    await read(cache, wrapped(1), unwrap(1));
    assert.equal(handedOut.length, 3);
  });

  test('an unwrap in flight during clear is not cached', async () => {
    const cache = new KeyCache();
    const { handedOut, unwrap } = unwrapper();

    const pending = read(cache, wrapped(1), unwrap(1));
    cache.clear();
    await pending;

    assert.equal(cache.size, 0);
    assert.ok(isZero(handedOut[0] as Uint8Array));
  });

  test('the wrapped bytes, the key reference and the context each name another key', () => {
    const base = wrapped(1);
    const variants: WrappedDataKey[] = [
      { ...base, wrapped: Uint8Array.of(1, 1, 2) },
      { ...base, keyRef: { ...KEY_REF, provider: 'aws-kms' } },
      { ...base, keyRef: { ...KEY_REF, keyId: 'other' } },
      { ...base, keyRef: { ...KEY_REF, keyVersion: 2 } },
      { ...base, keyRef: { ...KEY_REF, layer: 'tenant' } },
      { ...base, context: secretContext('globex', 'secret-1', 1) },
      { ...base, context: secretContext('acme', 'secret-1', 2) },
      { ...base, context: { ...base.context, extra: '' } },
    ];

    const ids = new Set([base, ...variants].map(dataKeyId));

    assert.equal(ids.size, variants.length + 1);
    assert.equal(dataKeyId({ ...base, context: { ...base.context } }), dataKeyId(base));
  });

  test('a key unwrapped for one context is never served for another', async () => {
    const cache = new KeyCache();
    const { handedOut, unwrap } = unwrapper();
    await read(cache, wrapped(1), unwrap(1));

    const moved = wrapped(1, { context: secretContext('globex', 'secret-1', 1) });
    await read(cache, moved, unwrap(9));

    assert.equal(handedOut.length, 2);
  });

  test('concurrent misses of one key share a single unwrap', async () => {
    const cache = new KeyCache();
    const { handedOut, unwrap } = unwrapper();

    const reads = await Promise.all(
      Array.from({ length: 5 }, () => read(cache, wrapped(1), unwrap(1))),
    );

    assert.deepEqual(reads, [1, 1, 1, 1, 1]);
    assert.equal(handedOut.length, 1);
  });

  test('a failed unwrap is not cached, and every waiter sees the failure', async () => {
    const cache = new KeyCache();
    const failure = new KeyProviderError('key provider unavailable');
    const failing = async () => {
      await sleep(1);
      throw failure;
    };

    const reads = Array.from({ length: 3 }, () => read(cache, wrapped(1), failing));

    for (const pending of reads) {
      await assert.rejects(pending, (error) => error === failure);
    }
    assert.equal(cache.size, 0);
    const { unwrap } = unwrapper();
    assert.equal(await read(cache, wrapped(1), unwrap(4)), 4);
  });

  test('rejects bounds that are not positive integers', () => {
    for (const [options, field] of [
      [{ maxEntries: 0 }, 'options.keyCache.maxEntries'],
      [{ maxEntries: 1.5 }, 'options.keyCache.maxEntries'],
      [{ maxAgeMs: -1 }, 'options.keyCache.maxAgeMs'],
      [{ maxAgeMs: Number.POSITIVE_INFINITY }, 'options.keyCache.maxAgeMs'],
    ] as const) {
      expectThrow(() => new KeyCache(options), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: `invalid ${field}: must be an integer >= 1`,
      });
    }
  });

  test('the callback failing still wipes the key it was given', async () => {
    const cache = new KeyCache();
    const { unwrap } = unwrapper();
    let given: Uint8Array | undefined;

    await expectRejection(
      cache.withDataKey(wrapped(1), unwrap(1), (key) => {
        given = key;
        throw new InvalidInputError('value', 'test failure');
      }),
      InvalidInputError,
      { code: 'ERR_INVALID_INPUT', message: 'invalid value: test failure' },
    );

    assert.ok(given !== undefined && isZero(given));
  });
});
