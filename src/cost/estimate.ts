import { InvalidInputError } from '../errors.js';
import { MAX_VALUE_BYTES } from '../store/validation.js';
import { unwrapsPerMonth } from './cache-model.js';
import { dynamoDbLines, kmsLines, type LineItem, lineItem, totalOf } from './line-items.js';
import { DEFAULT_PRICES, type PriceModel } from './prices.js';
import { referenceTableUse, strongroomTableUse } from './table-use.js';
import { type ResolvedWorkload, resolveWorkload, type Workload } from './workload.js';

// AWS bills a month as 730 hours; a tenant key is fetched again once per cache period.
const MINUTES_PER_MONTH = 730 * 60;

// The largest plaintext KMS Encrypt takes (FACTS.md); direct mode seals larger values as
// envelopes, with the same one KMS call per read and per write.
const KMS_DIRECT_LIMIT_BYTES = 4096;

/** The options compared, in the order they are listed. */
export type OptionId =
  | 'secrets-manager'
  | 'parameter-store'
  | 'strongroom-direct'
  | 'strongroom-envelope'
  | 'strongroom-envelope-cached'
  | 'strongroom-tenant-keys';

/** One option's monthly bill. */
export interface OptionEstimate {
  readonly option: OptionId;
  /** For example `strongroom envelope, key cache`. */
  readonly label: string;
  /** USD per month: the sum of the line items. */
  readonly totalUsd: number;
  readonly lineItems: readonly LineItem[];
  /** Limits the workload reaches and assumptions worth knowing; empty when there are none. */
  readonly notes: readonly string[];
}

/** The monthly bill of every option for one workload, with the prices it rests on. */
export interface CostEstimate {
  readonly workload: ResolvedWorkload;
  readonly region: string;
  readonly pricesChecked: string;
  readonly basis: string;
  readonly options: readonly OptionEstimate[];
}

/**
 * Estimates what a workload costs a month on Secrets Manager, on Parameter Store (with the KMS
 * key and the DynamoDB reference items it needs beside it) and in each of strongroom's modes.
 * Every charge is a named line item, so the total shows where the money goes.
 *
 * @example
 * const estimate = estimateMonthlyCost({
 *   secrets: 50_000,
 *   readsPerMonth: 1_000_000,
 *   writesPerMonth: 0,
 *   averageValueBytes: 1024,
 * });
 * // With ARTICLE_ASSUMPTIONS as the second argument: $20,005, $2,014 and $14 (direct).
 */
export function estimateMonthlyCost(
  workload: Workload,
  prices: PriceModel = DEFAULT_PRICES,
): CostEstimate {
  const resolved = resolveWorkload(workload);
  checkPrices(prices);

  const requests = resolved.readsPerMonth + resolved.writesPerMonth;
  const periods = Math.ceil(MINUTES_PER_MONTH / resolved.cachePeriodMinutes);
  const entries = resolved.cacheEntries;
  // Every write draws a fresh data key; reads of one version share its cached data key.
  const cachedReads =
    resolved.kmsCallsPerRead === undefined
      ? unwrapsPerMonth({ uses: resolved.readsPerMonth, keys: resolved.secrets, periods, entries })
      : Math.ceil(resolved.readsPerMonth * resolved.kmsCallsPerRead);
  // Reads and writes alike need their tenant's key; it is unwrapped once per period when used.
  const tenantKeyCalls = unwrapsPerMonth({
    uses: requests,
    keys: Math.min(resolved.tenants, Math.max(resolved.secrets, 1)),
    periods,
    entries,
  });

  return {
    workload: resolved,
    region: prices.region,
    pricesChecked: prices.checked,
    basis: prices.basis,
    options: [
      secretsManager(resolved, prices),
      parameterStore(resolved, prices),
      strongroom('strongroom-direct', 'strongroom direct', requests, resolved, prices),
      strongroom('strongroom-envelope', 'strongroom envelope', requests, resolved, prices),
      strongroom(
        'strongroom-envelope-cached',
        'strongroom envelope, key cache',
        cachedReads + resolved.writesPerMonth,
        resolved,
        prices,
      ),
      strongroom(
        'strongroom-tenant-keys',
        'strongroom per-tenant keys',
        tenantKeyCalls,
        resolved,
        prices,
      ),
    ],
  };
}

function secretsManager(workload: ResolvedWorkload, model: PriceModel): OptionEstimate {
  const prices = model.secretsManager;
  const calls = workload.readsPerMonth + workload.writesPerMonth;
  const lineItems = [
    lineItem(
      'secrets',
      workload.secrets,
      'secret-months',
      workload.secrets * prices.perSecretMonth,
    ),
    lineItem('API calls', calls, 'calls', (calls / 10_000) * prices.perTenThousandCalls),
  ];

  // Secrets Manager encrypts under the AWS managed key aws/secretsmanager unless told otherwise;
  // a customer managed key would add the KMS lines the other options carry.
  const notes = ['no KMS lines: assumes the AWS managed key aws/secretsmanager'];
  if (workload.averageValueBytes > prices.valueLimitBytes) {
    notes.push(`values over ${bytes(prices.valueLimitBytes)} do not fit in a secret`);
  }

  return option('secrets-manager', 'Secrets Manager', lineItems, notes);
}

function parameterStore(workload: ResolvedWorkload, model: PriceModel): OptionEstimate {
  const prices = model.parameterStore;
  // A value too large for a standard parameter makes every parameter advanced.
  const fitsStandard = workload.averageValueBytes <= prices.standardValueLimitBytes;
  const standard = fitsStandard ? Math.min(workload.secrets, prices.standardParameterLimit) : 0;
  const advanced = workload.secrets - standard;

  // Calls are spread evenly over parameters; only those to advanced ones are billed.
  const calls = workload.readsPerMonth + workload.writesPerMonth;
  const advancedCalls = workload.secrets === 0 ? 0 : (calls * advanced) / workload.secrets;

  // Each SecureString read is a KMS Decrypt and each write an Encrypt or GenerateDataKey.
  const lineItems = [
    lineItem('standard parameters', standard, 'parameter-months', 0),
    lineItem(
      'advanced parameters',
      advanced,
      'parameter-months',
      advanced * prices.advancedPerParameterMonth,
    ),
    lineItem(
      'advanced API calls',
      Math.round(advancedCalls),
      'calls',
      (advancedCalls / 10_000) * prices.advancedPerTenThousandCalls,
    ),
    ...kmsLines(calls, model),
    ...dynamoDbLines(referenceTableUse(workload, model), model, 'DynamoDB reference'),
  ];

  const notes: string[] = [];
  if (workload.averageValueBytes > prices.advancedValueLimitBytes) {
    notes.push(`values over ${bytes(prices.advancedValueLimitBytes)} do not fit in a parameter`);
  }
  if (advanced > prices.advancedParameterLimit) {
    notes.push(`more than ${count(prices.advancedParameterLimit)} advanced parameters per Region`);
  }

  return option('parameter-store', 'Parameter Store + KMS + DynamoDB', lineItems, notes);
}

function strongroom(
  id: OptionId,
  label: string,
  kmsRequests: number,
  workload: ResolvedWorkload,
  model: PriceModel,
): OptionEstimate {
  const lineItems = [
    ...kmsLines(kmsRequests, model),
    ...dynamoDbLines(strongroomTableUse(workload, model), model),
  ];

  const notes: string[] = [];
  if (workload.averageValueBytes > MAX_VALUE_BYTES) {
    notes.push(`values over ${bytes(MAX_VALUE_BYTES)} do not fit in a strongroom secret`);
  }
  if (id === 'strongroom-direct' && workload.averageValueBytes > KMS_DIRECT_LIMIT_BYTES) {
    notes.push(`values over ${bytes(KMS_DIRECT_LIMIT_BYTES)} are sealed as envelopes instead`);
  }
  if (id === 'strongroom-envelope-cached') {
    notes.push(
      workload.kmsCallsPerRead === undefined
        ? `reads at random over ${count(workload.secrets)} secrets, ` +
            `${count(workload.cacheEntries)} keys cached ${workload.cachePeriodMinutes} min, ` +
            'one process (docs/COST.md)'
        : `${workload.kmsCallsPerRead} KMS calls per read, as given`,
    );
  }
  if (id === 'strongroom-tenant-keys') {
    notes.push(
      `${count(workload.tenants)} tenants, keys cached ${workload.cachePeriodMinutes} min, ` +
        'one process (multiply the KMS requests by processes)',
    );
  }

  return option(id, label, lineItems, notes);
}

function option(
  id: OptionId,
  label: string,
  lineItems: LineItem[],
  notes: string[],
): OptionEstimate {
  return { option: id, label, totalUsd: totalOf(lineItems), lineItems, notes };
}

/** Every price and size is a finite, non-negative number, or undefined where that is allowed. */
function checkPrices(model: PriceModel): void {
  const sections = ['secretsManager', 'parameterStore', 'kms', 'dynamoDb', 'items'] as const;

  for (const section of sections) {
    const values: unknown = model[section];
    if (typeof values !== 'object' || values === null) {
      throw new InvalidInputError(`prices.${section}`, 'must be an object');
    }

    for (const [key, value] of Object.entries(values)) {
      if (typeof value === 'boolean' || value === undefined) {
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidInputError(`prices.${section}.${key}`, 'must be a non-negative number');
      }
    }
  }
}

function bytes(value: number): string {
  return value % 1024 === 0 ? `${value / 1024} KB` : `${count(value)} bytes`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
