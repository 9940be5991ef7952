import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SecretValue } from '../../src/store/secret-value.js';
import type { SecretVersion } from '../../src/store/types.js';
import { ValueCache } from '../../src/store/value-cache.js';
import { FakeClock } from '../support/fake-clock.js';

const CURRENT = {};

function version(name: string, text: string, extra: Partial<SecretVersion> = {}): SecretVersion {
  return {
    tenant: 'acme',
    name,
    version: 1,
    labels: ['current'],
    createdAt: new Date(0),
    size: text.length,
    storedSize: 100,
    mode: 'envelope',
    key: { provider: 'local', keyId: 'ring', keyVersion: 1, layer: 'master' },
    value: new SecretValue(new TextEncoder().encode(text)),
    ...extra,
  };
}

describe('ValueCache', () => {
  test('hands out a fresh copy each time, values and metadata alike', () => {
    const cache = new ValueCache({ maxAgeMs: 1000 });
    const stored = version('db', 'value');
    cache.set(cache.ticket(), CURRENT, stored);
    stored.value.wipe();

    const first = cache.get('acme', 'db', CURRENT);
    assert.ok(first);
    first.value.wipe();
    (first.labels as string[]).push('changed');
    first.createdAt.setTime(5);
    const second = cache.get('acme', 'db', CURRENT);

    assert.equal(second?.value.text(), 'value');
    assert.deepEqual(second?.labels, ['current']);
    assert.equal(second?.createdAt.getTime(), 0);
  });

  test('a read that began before a write is not stored', () => {
    const cache = new ValueCache({ maxAgeMs: 1000 });
    const ticket = cache.ticket();

    cache.invalidate('acme', 'other');
    cache.set(ticket, CURRENT, version('db', 'stale'));

    assert.equal(cache.get('acme', 'db', CURRENT), undefined);
    assert.equal(cache.size, 0);
  });

  test('invalidate drops every entry of the secret and only those', () => {
    const cache = new ValueCache({ maxAgeMs: 1000 });
    cache.set(cache.ticket(), CURRENT, version('db', 'one'));
    cache.set(cache.ticket(), { version: 1 }, version('db', 'one'));
    cache.set(cache.ticket(), { label: 'previous' }, version('db', 'one'));
    cache.set(cache.ticket(), CURRENT, version('db2', 'two'));

    cache.invalidate('acme', 'db');

    assert.equal(cache.size, 1);
    assert.equal(cache.get('acme', 'db2', CURRENT)?.value.text(), 'two');
    assert.equal(cache.get('acme', 'db', { version: 1 }), undefined);
  });

  test('an entry expires at maxAgeMs or at the version expiry, whichever is sooner', () => {
    const clock = new FakeClock();
    const cache = new ValueCache({ maxAgeMs: 1000 }, clock.now);
    cache.set(cache.ticket(), CURRENT, version('a', 'long'));
    cache.set(cache.ticket(), CURRENT, version('b', 'short', { expiresAt: clock.later(10) }));

    clock.advance(10);
    const early = [cache.get('acme', 'a', CURRENT), cache.get('acme', 'b', CURRENT)];
    clock.advance(990);
    const late = cache.get('acme', 'a', CURRENT);

    assert.equal(early[0]?.value.text(), 'long');
    assert.equal(early[1], undefined);
    assert.equal(late, undefined);
  });

  test('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new ValueCache({ maxAgeMs: 1000, maxEntries: 2 });
    cache.set(cache.ticket(), CURRENT, version('a', 'a'));
    cache.set(cache.ticket(), CURRENT, version('b', 'b'));
    cache.get('acme', 'a', CURRENT);

    cache.set(cache.ticket(), CURRENT, version('c', 'c'));

    assert.equal(cache.get('acme', 'b', CURRENT), undefined);
    assert.equal(cache.get('acme', 'a', CURRENT)?.value.text(), 'a');
    assert.equal(cache.get('acme', 'c', CURRENT)?.value.text(), 'c');
  });

  test('clear drops everything, and reads in flight are not stored after it', () => {
    const cache = new ValueCache({ maxAgeMs: 1000 });
    cache.set(cache.ticket(), CURRENT, version('a', 'a'));
    const ticket = cache.ticket();

    cache.clear();
    cache.set(ticket, CURRENT, version('b', 'b'));

    assert.equal(cache.size, 0);
  });
});
