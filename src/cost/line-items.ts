import type { PriceModel } from './prices.js';
import type { TableUse } from './table-use.js';

/** One charge on a monthly bill: what is billed, how much of it, and what it costs. */
export interface LineItem {
  /** For example `KMS requests` or `DynamoDB storage`. */
  readonly name: string;
  /** How many units are counted, before any free tier. */
  readonly quantity: number;
  /** What the quantity counts, with the free tier when there is one. */
  readonly unit: string;
  /** USD per month, to a hundredth of a cent. */
  readonly usd: number;
}

/** A line item with its cost rounded, so that sums of many small items do not drift. */
export function lineItem(name: string, quantity: number, unit: string, usd: number): LineItem {
  return { name, quantity, unit, usd: Math.round(usd * 10_000) / 10_000 };
}

/** One customer managed key and its requests, the free tier taken off the requests. */
export function kmsLines(requests: number, model: PriceModel): LineItem[] {
  const { perKeyMonth, perTenThousandRequests, freeRequestsPerMonth } = model.kms;
  const billed = Math.max(0, requests - freeRequestsPerMonth);

  return [
    lineItem('KMS key', 1, 'key-months', perKeyMonth),
    lineItem(
      'KMS requests',
      requests,
      withFree('requests', freeRequestsPerMonth),
      (billed / 10_000) * perTenThousandRequests,
    ),
  ];
}

/** Storage after the free tier, and request units (or the model's flat figure for them). */
export function dynamoDbLines(use: TableUse, model: PriceModel, what = 'DynamoDB'): LineItem[] {
  const prices = model.dynamoDb;
  const billedGb = Math.max(0, use.storageGb - prices.freeStorageGb);
  const storage = lineItem(
    `${what} storage`,
    use.storageGb,
    withFree('GB-months', prices.freeStorageGb),
    billedGb * prices.perGbMonth,
  );

  if (prices.flatRequestsPerMonth !== undefined) {
    const flat = prices.flatRequestsPerMonth;
    return [storage, lineItem(`${what} reads and writes`, 1, 'flat monthly figure', flat)];
  }

  return [
    storage,
    lineItem(
      `${what} reads`,
      use.readUnits,
      'read request units',
      (use.readUnits / 1_000_000) * prices.perMillionReadUnits,
    ),
    lineItem(
      `${what} writes`,
      use.writeUnits,
      'write request units',
      (use.writeUnits / 1_000_000) * prices.perMillionWriteUnits,
    ),
  ];
}

/** The sum of line items, rounded as they are. */
export function totalOf(items: readonly LineItem[]): number {
  const sum = items.reduce((total, item) => total + item.usd, 0);
  return Math.round(sum * 10_000) / 10_000;
}

function withFree(unit: string, free: number): string {
  return free > 0 ? `${unit} (${free.toLocaleString('en-US')} free)` : unit;
}
