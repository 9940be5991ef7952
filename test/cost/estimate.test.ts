import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type CostEstimate,
  estimateMonthlyCost,
  type OptionEstimate,
  type OptionId,
} from '../../src/cost/estimate.js';
import { ARTICLE_ASSUMPTIONS, DEFAULT_PRICES, type PriceModel } from '../../src/cost/prices.js';
import { WORKLOAD_DEFAULTS, type Workload } from '../../src/cost/workload.js';
import { InvalidInputError } from '../../src/errors.js';
import { expectThrow } from '../support/errors.js';

/** The article's inputs: 50,000 secrets of about 1 KB, a million requests a month. */
const ARTICLE: Workload = {
  secrets: 50_000,
  readsPerMonth: 1_000_000,
  writesPerMonth: 0,
  averageValueBytes: 1024,
};

const GB = 1024 ** 3;

function find(estimate: CostEstimate, id: OptionId): OptionEstimate {
  const found = estimate.options.find((option) => option.option === id);
  assert.ok(found, `no option ${id}`);
  return found;
}

function usd(option: OptionEstimate, name: string): number {
  const item = option.lineItems.find((line) => line.name === name);
  assert.ok(item, `${option.option} has no line item ${name}`);
  return item.usd;
}

function quantity(option: OptionEstimate, name: string): number {
  const item = option.lineItems.find((line) => line.name === name);
  assert.ok(item, `${option.option} has no line item ${name}`);
  return item.quantity;
}

describe("the article's comparison", () => {
  test("reproduces the article's totals to the dollar with its assumptions", () => {
    const estimate = estimateMonthlyCost(ARTICLE, ARTICLE_ASSUMPTIONS);

    assert.equal(Math.round(find(estimate, 'secrets-manager').totalUsd), 20_005);
    assert.equal(Math.round(find(estimate, 'parameter-store').totalUsd), 2_014);
    assert.equal(Math.round(find(estimate, 'strongroom-direct').totalUsd), 14);
    assert.equal(estimate.basis, "the article's assumptions");
  });

  test("itemizes the article's figures the way the article adds them up", () => {
    const estimate = estimateMonthlyCost(ARTICLE, ARTICLE_ASSUMPTIONS);
    const secretsManager = find(estimate, 'secrets-manager');
    const parameterStore = find(estimate, 'parameter-store');
    const direct = find(estimate, 'strongroom-direct');

    assert.equal(usd(secretsManager, 'secrets'), 20_000);
    assert.equal(usd(secretsManager, 'API calls'), 5);
    assert.equal(quantity(parameterStore, 'advanced parameters'), 40_000);
    assert.equal(usd(parameterStore, 'advanced parameters'), 2_000);
    assert.equal(usd(direct, 'KMS key'), 1);
    assert.equal(usd(direct, 'KMS requests'), 3, 'no free tier: 100 x $0.03');
    assert.equal(usd(direct, 'DynamoDB reads and writes'), 10);
    assert.equal(usd(direct, 'DynamoDB storage'), 0.0119, '50,000 x 1 KB at $0.25 per GB');
  });

  test('gives its own itemized figures with the default prices', () => {
    const estimate = estimateMonthlyCost(ARTICLE);
    const direct = find(estimate, 'strongroom-direct');

    assert.equal(find(estimate, 'secrets-manager').totalUsd, 20_005);
    // 40,000 advanced parameters, their 800,000 calls, the KMS key and requests, the references.
    assert.equal(find(estimate, 'parameter-store').totalUsd, 2_000 + 4 + 1 + 2.94 + 0.125);
    assert.equal(usd(direct, 'KMS requests'), 2.94, '980,000 past the free 20,000');
    assert.equal(usd(direct, 'DynamoDB reads'), 0.125, 'one read unit per get');
    assert.equal(usd(direct, 'DynamoDB storage'), 0, 'within the free 25 GB');
    assert.equal(direct.totalUsd, 4.065);
    assert.equal(estimate.pricesChecked, DEFAULT_PRICES.checked);
  });
});

describe('DynamoDB from item sizes', () => {
  test('a put of a 1 KB value reads the head, then writes two 2 KB items in a transaction', () => {
    const workload = { ...ARTICLE, readsPerMonth: 0, writesPerMonth: 1_000 };

    const direct = find(estimateMonthlyCost(workload), 'strongroom-direct');

    assert.equal(quantity(direct, 'DynamoDB reads'), 1_000);
    assert.equal(quantity(direct, 'DynamoDB writes'), 8_000, '2 x (2 + 2) write units per put');
  });

  test('stores the envelope twice per secret: in the head and in its version item', () => {
    const items = DEFAULT_PRICES.items;
    const envelope = 1024 + items.envelopeOverheadBytes + items.kmsEnvelopeExtraBytes;
    const overhead = DEFAULT_PRICES.dynamoDb.storageOverheadBytesPerItem;
    const expected =
      envelope + items.headAttributeBytes + overhead + envelope + items.versionAttributeBytes;

    const direct = find(estimateMonthlyCost(ARTICLE), 'strongroom-direct');
    const perSecret = (quantity(direct, 'DynamoDB storage') * GB) / ARTICLE.secrets;

    assert.ok(Math.abs(perSecret - (expected + overhead)) < 1e-6);
  });

  test('a value that makes the head larger than 4 KB costs two read units per get', () => {
    const workload = { ...ARTICLE, averageValueBytes: 5_000 };

    const direct = find(estimateMonthlyCost(workload), 'strongroom-direct');

    assert.equal(quantity(direct, 'DynamoDB reads'), 2_000_000);
  });

  test('eventually consistent reads cost half a read unit', () => {
    const items = { ...DEFAULT_PRICES.items, consistentReads: false };

    const estimate = estimateMonthlyCost(ARTICLE, { ...DEFAULT_PRICES, items });

    assert.equal(quantity(find(estimate, 'strongroom-direct'), 'DynamoDB reads'), 500_000);
  });

  test('storage past the free tier is billed per GB-month', () => {
    const dynamoDb = { ...DEFAULT_PRICES.dynamoDb, freeStorageGb: 0 };
    const workload = { ...ARTICLE, secrets: 10_000_000 };

    const direct = find(
      estimateMonthlyCost(workload, { ...DEFAULT_PRICES, dynamoDb }),
      'strongroom-direct',
    );

    const gb = quantity(direct, 'DynamoDB storage');
    assert.ok(gb > 25);
    assert.equal(usd(direct, 'DynamoDB storage'), Math.round(gb * 0.25 * 10_000) / 10_000);
  });
});

describe('KMS calls per mode', () => {
  const workload = { ...ARTICLE, readsPerMonth: 100_000_000, writesPerMonth: 10_000 };

  test('direct and envelope make one call per read and one per write', () => {
    const estimate = estimateMonthlyCost(workload);

    assert.equal(quantity(find(estimate, 'strongroom-direct'), 'KMS requests'), 100_010_000);
    assert.equal(quantity(find(estimate, 'strongroom-envelope'), 'KMS requests'), 100_010_000);
  });

  test('a key cache makes kmsCallsPerRead calls per read, and one per write still', () => {
    const estimate = estimateMonthlyCost({ ...workload, kmsCallsPerRead: 0.1 });

    const cached = find(estimate, 'strongroom-envelope-cached');

    assert.equal(quantity(cached, 'KMS requests'), 10_010_000);
  });

  test('per-tenant keys cost less KMS than envelope for many reads', () => {
    const estimate = estimateMonthlyCost({ ...workload, tenants: 50, cachePeriodMinutes: 15 });

    const envelope = find(estimate, 'strongroom-envelope');
    const tenantKeys = find(estimate, 'strongroom-tenant-keys');

    // 50 tenants x 2,920 fifteen-minute periods in a 730-hour month.
    assert.equal(quantity(tenantKeys, 'KMS requests'), 146_000);
    assert.ok(usd(tenantKeys, 'KMS requests') < usd(envelope, 'KMS requests'));
    assert.ok(tenantKeys.totalUsd < envelope.totalUsd);
  });

  test('per-tenant keys never make more calls than there are requests', () => {
    const estimate = estimateMonthlyCost({ ...ARTICLE, readsPerMonth: 300, tenants: 10_000 });

    assert.equal(quantity(find(estimate, 'strongroom-tenant-keys'), 'KMS requests'), 300);
  });

  test('requests within the free tier cost nothing, the key still does', () => {
    const estimate = estimateMonthlyCost({ ...ARTICLE, readsPerMonth: 20_000 });

    const direct = find(estimate, 'strongroom-direct');

    assert.equal(usd(direct, 'KMS requests'), 0);
    assert.equal(usd(direct, 'KMS key'), 1);
  });

  test('fills in the documented defaults for the mode parameters', () => {
    const estimate = estimateMonthlyCost(ARTICLE);

    assert.equal(estimate.workload.tenants, WORKLOAD_DEFAULTS.tenants);
    assert.equal(estimate.workload.cachePeriodMinutes, WORKLOAD_DEFAULTS.cachePeriodMinutes);
    assert.equal(estimate.workload.cacheEntries, WORKLOAD_DEFAULTS.cacheEntries);
    assert.equal(estimate.workload.kmsCallsPerRead, undefined, 'modelled, not assumed');
  });
});

describe('limits', () => {
  test('values over 4 KB make every Parameter Store parameter advanced', () => {
    const estimate = estimateMonthlyCost({ ...ARTICLE, averageValueBytes: 5_000 });

    const parameterStore = find(estimate, 'parameter-store');

    assert.equal(quantity(parameterStore, 'standard parameters'), 0);
    assert.equal(quantity(parameterStore, 'advanced parameters'), 50_000);
  });

  test('names the options a value is too large for', () => {
    const estimate = estimateMonthlyCost({ ...ARTICLE, averageValueBytes: 100_000 });

    assert.deepEqual(find(estimate, 'parameter-store').notes, [
      'values over 8 KB do not fit in a parameter',
    ]);
    assert.match(find(estimate, 'secrets-manager').notes.join('\n'), /over 64 KB do not fit/);
    assert.match(find(estimate, 'strongroom-direct').notes.join('\n'), /sealed as envelopes/);
  });
});

describe('validation', () => {
  const cases: [string, Partial<Record<keyof Workload, unknown>>, string][] = [
    [
      'negative secrets',
      { secrets: -1 },
      'invalid workload.secrets: must be a non-negative integer',
    ],
    [
      'fractional reads',
      { readsPerMonth: 1.5 },
      'invalid workload.readsPerMonth: must be a non-negative integer',
    ],
    [
      'NaN writes',
      { writesPerMonth: Number.NaN },
      'invalid workload.writesPerMonth: must be a non-negative integer',
    ],
    [
      'a string size',
      { averageValueBytes: '1024' },
      'invalid workload.averageValueBytes: must be a non-negative integer',
    ],
    ['zero tenants', { tenants: 0 }, 'invalid workload.tenants: must be a positive integer'],
    [
      'a zero cache period',
      { cachePeriodMinutes: 0 },
      'invalid workload.cachePeriodMinutes: must be a positive integer',
    ],
    [
      'calls per read over 1',
      { kmsCallsPerRead: 1.5 },
      'invalid workload.kmsCallsPerRead: must be a number from 0 to 1',
    ],
  ];

  for (const [what, change, message] of cases) {
    test(`rejects ${what}, naming the field`, () => {
      const workload = { ...ARTICLE, ...change } as Workload;

      expectThrow(() => estimateMonthlyCost(workload), InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message,
      });
    });
  }

  test('rejects a workload that is not an object', () => {
    assert.throws(() => estimateMonthlyCost(null as unknown as Workload), {
      name: 'TypeError',
      message: 'workload must be an object',
    });
  });

  test('rejects a negative price, naming it', () => {
    const kms = { ...DEFAULT_PRICES.kms, perTenThousandRequests: -0.03 };

    expectThrow(() => estimateMonthlyCost(ARTICLE, { ...DEFAULT_PRICES, kms }), InvalidInputError, {
      code: 'ERR_INVALID_INPUT',
      message: 'invalid prices.kms.perTenThousandRequests: must be a non-negative number',
    });
  });
});

describe('monotonic behaviour (property)', () => {
  const workload = fc.record({
    secrets: fc.nat({ max: 200_000 }),
    readsPerMonth: fc.nat({ max: 50_000_000 }),
    writesPerMonth: fc.nat({ max: 1_000_000 }),
    averageValueBytes: fc.nat({ max: 300_000 }),
    tenants: fc.integer({ min: 1, max: 5_000 }),
  });
  const field = fc.constantFrom(
    'secrets',
    'readsPerMonth',
    'writesPerMonth',
    'averageValueBytes',
  ) as fc.Arbitrary<'secrets' | 'readsPerMonth' | 'writesPerMonth' | 'averageValueBytes'>;
  const model = fc.constantFrom<PriceModel>(DEFAULT_PRICES, ARTICLE_ASSUMPTIONS);

  test('more secrets, reads, writes or bytes never make any option cheaper', () => {
    fc.assert(
      fc.property(workload, field, fc.nat({ max: 100_000 }), model, (base, grow, by, prices) => {
        const before = estimateMonthlyCost(base, prices);
        const after = estimateMonthlyCost({ ...base, [grow]: base[grow] + by }, prices);

        before.options.forEach((option, index) => {
          const later = after.options[index] as OptionEstimate;
          assert.ok(later.totalUsd >= option.totalUsd, `${option.option}: ${grow} + ${by}`);
        });
      }),
      { numRuns: 500 },
    );
  });
});
