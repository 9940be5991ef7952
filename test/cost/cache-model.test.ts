import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { unwrapsPerMonth } from '../../src/cost/cache-model.js';
import { estimateMonthlyCost } from '../../src/cost/estimate.js';

describe('the key cache model', () => {
  test('meets the benchmark: 10,000 gets over 1,000 versions in one period, 1,000 unwraps', () => {
    assert.equal(unwrapsPerMonth({ uses: 10_000, keys: 1000, periods: 1, entries: 1000 }), 1000);
  });

  test('meets the test: 10,000 gets over 100 tenants, 100 tenant key unwraps', () => {
    assert.equal(unwrapsPerMonth({ uses: 10_000, keys: 100, periods: 1, entries: 1000 }), 100);
  });

  test('a key read about once a period costs about one unwrap per read', () => {
    // 1,000,000 reads over 50,000 secrets in 8,760 five-minute periods: almost never a hit.
    const uses = 1_000_000;
    const calls = unwrapsPerMonth({ uses, keys: 50_000, periods: 8760, entries: 1000 });

    assert.ok(calls > 0.999 * uses && calls <= uses, String(calls));
  });

  test('a cache smaller than the keys loses that share of its hits', () => {
    const roomy = unwrapsPerMonth({ uses: 1_000_000, keys: 2000, periods: 1, entries: 2000 });
    const half = unwrapsPerMonth({ uses: 1_000_000, keys: 2000, periods: 1, entries: 1000 });

    assert.equal(roomy, 2000);
    assert.equal(half, 1_000_000 - (1_000_000 - 2000) / 2);
  });

  test('no uses or no keys, no unwraps', () => {
    assert.equal(unwrapsPerMonth({ uses: 0, keys: 10, periods: 10, entries: 10 }), 0);
    assert.equal(unwrapsPerMonth({ uses: 10, keys: 0, periods: 10, entries: 10 }), 0);
  });

  test('never more unwraps than uses, never fewer than one per key used (property)', () => {
    const traffic = fc.record({
      uses: fc.integer({ min: 1, max: 1e9 }),
      keys: fc.integer({ min: 1, max: 1e6 }),
      periods: fc.integer({ min: 1, max: 50_000 }),
      entries: fc.integer({ min: 1, max: 1e6 }),
    });

    fc.assert(
      fc.property(traffic, (t) => {
        const calls = unwrapsPerMonth(t);
        assert.ok(calls <= t.uses);
        assert.ok(calls >= Math.min(t.uses, t.keys) - 1, `${calls} for ${JSON.stringify(t)}`);
      }),
    );
  });

  test('the cost estimate uses the model unless a measured ratio is given', () => {
    const workload = {
      secrets: 1000,
      readsPerMonth: 10_000_000,
      writesPerMonth: 0,
      averageValueBytes: 512,
    };

    const modelled = estimateMonthlyCost(workload).options.find(
      (o) => o.option === 'strongroom-envelope-cached',
    );
    const given = estimateMonthlyCost({ ...workload, kmsCallsPerRead: 1 }).options.find(
      (o) => o.option === 'strongroom-envelope-cached',
    );

    const requests = (o: typeof modelled) =>
      o?.lineItems.find((item) => item.name === 'KMS requests')?.quantity;
    // 1,000 versions, each read ~1.14 times per five-minute period: ~68% of periods unwrap.
    assert.equal(
      requests(modelled),
      unwrapsPerMonth({
        uses: 10_000_000,
        keys: 1000,
        periods: 8760,
        entries: 1000,
      }),
    );
    assert.equal(requests(given), 10_000_000);
  });
});
