import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT_USAGE } from '../../src/cli/exit-codes.js';
import type { CostEstimate } from '../../src/cost/estimate.js';
import { Cli } from './harness.js';

const ARTICLE_ARGS = ['--secrets', '50000', '--reads', '1000000', '--writes', '0'];

function totalsOf(estimate: CostEstimate): Record<string, number> {
  return Object.fromEntries(estimate.options.map((option) => [option.option, option.totalUsd]));
}

describe('cost', () => {
  test("prints the article's figures with --article, one option per row", async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['cost', ...ARTICLE_ARGS, '--value-bytes', '1024', '--article']);
    const rows = result.out.trimEnd().split('\n');

    assert.equal(result.code, 0);
    assert.match(rows[0] ?? '', /^OPTION +USD\/MONTH {2}MAIN LINE ITEMS$/);
    assert.match(
      rows[1] ?? '',
      /^Secrets Manager +20,005\.00 {2}secrets 20,000\.00, API calls 5\.00$/,
    );
    assert.match(
      rows[2] ?? '',
      /^Parameter Store \+ KMS \+ DynamoDB +2,014\.01 {2}advanced parameters/,
    );
    assert.match(rows[3] ?? '', /^strongroom direct +14\.01 {2}DynamoDB reads and writes 10\.00/);
    assert.equal(rows.length, 7);
    assert.match(
      result.stderr,
      /^strongroom: the article's assumptions, us-east-1, prices checked /,
    );
  });

  test('prints the itemized default figures next to them without --article', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['cost', ...ARTICLE_ARGS]);

    assert.equal(result.code, 0);
    assert.match(result.out, /\nstrongroom direct +4\.07 {2}KMS requests 2\.94, KMS key 1\.00/);
    assert.match(result.out, /\nParameter Store \+ KMS \+ DynamoDB +2,008\.07 /);
    assert.match(result.stderr, /^strongroom: itemized list prices, us-east-1/);
    assert.match(result.stderr, /per-tenant keys: 100 tenants, keys cached 5 min/);
  });

  test('--json prints the whole estimate, with the tenants and cache inputs applied', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run([
      'cost',
      ...ARTICLE_ARGS,
      '--tenants',
      '20',
      '--cache-minutes',
      '60',
      '--kms-calls-per-read',
      '0.25',
      '--json',
    ]);
    const estimate = JSON.parse(result.out) as CostEstimate;

    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.deepEqual(estimate.workload, {
      secrets: 50_000,
      readsPerMonth: 1_000_000,
      writesPerMonth: 0,
      averageValueBytes: 1024,
      tenants: 20,
      cachePeriodMinutes: 60,
      cacheEntries: 1000,
      kmsCallsPerRead: 0.25,
    });
    assert.equal(totalsOf(estimate)['secrets-manager'], 20_005);
    // 20 tenants x 730 hourly periods: 14,600 calls, inside the free tier.
    assert.equal(totalsOf(estimate)['strongroom-tenant-keys'], 1.125);
  });

  test('takes --json before the command as well', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['--json', 'cost', ...ARTICLE_ARGS, '--article']);
    const totals = totalsOf(JSON.parse(result.out) as CostEstimate);

    assert.equal(result.code, 0);
    assert.equal(Math.round(totals['parameter-store'] ?? 0), 2_014);
    assert.equal(Math.round(totals['strongroom-direct'] ?? 0), 14);
  });

  test('rejects missing and malformed figures as usage errors, naming the option', async (t) => {
    const cli = new Cli(t);

    const missing = await cli.run(['cost', '--reads', '10']);
    const negative = await cli.run(['cost', '--secrets', '-5', '--reads', '10']);
    const fraction = await cli.run(['cost', '--secrets', '5', '--reads', '1.5']);
    const ratio = await cli.run(['cost', ...ARTICLE_ARGS, '--kms-calls-per-read', '2']);
    const tenants = await cli.run(['cost', ...ARTICLE_ARGS, '--tenants', '0']);

    for (const result of [missing, negative, fraction, ratio, tenants]) {
      assert.equal(result.code, EXIT_USAGE, result.args.join(' '));
      assert.equal(result.out, '');
      assert.match(result.stderr, /^strongroom: [^\n]+\n$/);
    }
    assert.match(missing.stderr, /required option '--secrets <n>' not specified/);
    assert.match(fraction.stderr, /--reads <n>.*must be an integer >= 0/);
    assert.match(ratio.stderr, /--kms-calls-per-read <ratio>.*must be a number from 0 to 1/);
    assert.match(tenants.stderr, /--tenants <n>.*must be an integer >= 1/);
  });

  test('--help describes the command and its assumptions', async (t) => {
    const cli = new Cli(t);

    const result = await cli.run(['cost', '--help']);

    assert.equal(result.code, 0);
    assert.match(result.out, /^Usage: strongroom cost/);
    assert.match(result.out, /--article/);
    assert.match(result.out, /docs\/COST\.md/);
  });
});
