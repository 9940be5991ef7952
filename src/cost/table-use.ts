import type { PriceModel } from './prices.js';
import type { ResolvedWorkload } from './workload.js';

// DynamoDB's billing units (docs/DYNAMODB.md, "Access patterns"): a KB is 1,024 bytes, a
// strongly consistent read unit covers 4 KB of item, a write unit 1 KB, both rounded up.
const KB = 1024;
const READ_UNIT_BYTES = 4 * KB;
const WRITE_UNIT_BYTES = KB;
const GB = 1024 ** 3;

/** What a table holds and the request units it uses in a month. */
export interface TableUse {
  /** Billed storage, item overhead included, in GB. */
  readonly storageGb: number;
  readonly readUnits: number;
  readonly writeUnits: number;
}

/**
 * strongroom's layout (docs/DYNAMODB.md): a head item holding a copy of the current envelope,
 * and one item per stored version. A get is one GetItem of the head; a put reads the head, then
 * writes head and version item in one TransactWriteItems.
 */
export function strongroomTableUse(workload: ResolvedWorkload, model: PriceModel): TableUse {
  const { items, dynamoDb } = model;
  if (items.fixedItemBytes !== undefined) {
    return singleItemUse(workload, items.fixedItemBytes, model);
  }

  const envelope =
    workload.averageValueBytes + items.envelopeOverheadBytes + items.kmsEnvelopeExtraBytes;
  const head = envelope + items.headAttributeBytes;
  const version = envelope + items.versionAttributeBytes;

  // The head's copy is what makes a get one request; it stores each envelope a second time.
  const overhead = dynamoDb.storageOverheadBytesPerItem;
  const bytesPerSecret = head + overhead + items.versionsPerSecret * (version + overhead);

  // A transaction bills each of its actions twice; a failed condition would still bill them,
  // which this estimate leaves out (conflicts are rare outside contention).
  const headRead = readUnits(head, items.consistentReads);
  const putWrites = 2 * (writeUnits(head) + writeUnits(version));

  return {
    storageGb: (workload.secrets * bytesPerSecret) / GB,
    readUnits: (workload.readsPerMonth + workload.writesPerMonth) * headRead,
    writeUnits: workload.writesPerMonth * putWrites,
  };
}

/**
 * The item that points at a Parameter Store parameter, in the article's layout: one small item
 * per secret, read with a GetItem before the parameter and written with a PutItem.
 */
export function referenceTableUse(workload: ResolvedWorkload, model: PriceModel): TableUse {
  const bytes = model.items.fixedItemBytes ?? model.items.referenceItemBytes;

  return singleItemUse(workload, bytes, model);
}

/** One item per secret, one GetItem per read and one plain PutItem per write. */
function singleItemUse(workload: ResolvedWorkload, bytes: number, model: PriceModel): TableUse {
  const stored = bytes + model.dynamoDb.storageOverheadBytesPerItem;

  return {
    storageGb: (workload.secrets * stored) / GB,
    readUnits: workload.readsPerMonth * readUnits(bytes, model.items.consistentReads),
    writeUnits: workload.writesPerMonth * writeUnits(bytes),
  };
}

function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}
