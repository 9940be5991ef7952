import {
  DeleteItemCommand,
  PutItemCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Expression } from './dynamodb-expression.js';
import {
  type Item,
  ItemReader,
  itemKey,
  MAX_VERSION,
  malformed,
  PARTITION_KEY,
  SORT_KEY,
} from './dynamodb-items.js';
import { isWriteConflict, type TableRequests } from './dynamodb-requests.js';
import {
  RevisionConflict,
  type TenantKeyPosition,
  type TenantKeyRecord,
} from './storage-backend.js';

/**
 * Tenant key items (docs/DYNAMODB.md, "Tenant key item"): in the tenant's partition, sort key
 * `#k#<version, 10 digits>`, the wrapped tenant key in `tenantKey` (B) and `createdAt` (N).
 * `#k#` sorts below `#v#` (`k` < `v`) and below `0`, so no head or version range ever reads one,
 * and names, which start with a letter or digit, can never take such a key.
 */

const TENANT_KEY_PREFIX = '#k#';
const TENANT_KEY = /^#k#(\d{10})$/;

/** The wrapped tenant key's attribute: never `envelope`, so no version reader takes it for one. */
export const TENANT_KEY_VALUE = 'tenantKey';

/** Every tenant key lies in [TENANT_KEYS_FROM, TENANT_KEYS_TO]: `$` is the character after `#`. */
export const TENANT_KEYS_FROM = TENANT_KEY_PREFIX;
export const TENANT_KEYS_TO = '#k$';

/** True for a version the 10-digit key can hold; no other version can be stored. */
function storable(version: number): boolean {
  return Number.isSafeInteger(version) && version >= 1 && version <= MAX_VERSION;
}

/** The sort key of one tenant key version. */
export function tenantKeyKey(version: number): string {
  if (!storable(version)) {
    throw new RangeError(`tenant key version must be an integer from 1 to ${MAX_VERSION}`);
  }
  return `${TENANT_KEY_PREFIX}${String(version).padStart(10, '0')}`;
}

/** The lowest tenant key after `version`, or undefined when the tenant can have none. */
export function tenantKeyAfter(version: number): string | undefined {
  if (version >= MAX_VERSION) {
    return undefined;
  }
  return version < 1 ? TENANT_KEYS_FROM : tenantKeyKey(Math.floor(version) + 1);
}

/** The Query of a tenant's tenant keys from `lower` on, oldest first (the keys sort by number). */
export function tenantKeysQuery(tenant: string, lower = TENANT_KEYS_FROM) {
  const e = new Expression();
  const inTenant = e.equals(PARTITION_KEY, { S: tenant });
  const range = `${e.value({ S: lower })} AND ${e.value({ S: TENANT_KEYS_TO })}`;
  const condition = `${inTenant} AND ${e.name(SORT_KEY)} BETWEEN ${range}`;

  return { KeyConditionExpression: condition, ...e.params() } satisfies Omit<
    QueryCommandInput,
    'TableName'
  >;
}

/** The record of a tenant key item; an IntegrityError for one out of shape. */
export function toTenantKey(item: Item): TenantKeyRecord {
  const read = new ItemReader(item);
  const key = TENANT_KEY.exec(read.string(SORT_KEY) ?? '');
  if (key === null || Number(key[1]) < 1) {
    throw malformed(item, SORT_KEY);
  }

  return {
    tenant: read.required(read.string(PARTITION_KEY), PARTITION_KEY),
    version: Number(key[1]),
    wrapped: read.required(read.bytes(TENANT_KEY_VALUE), TENANT_KEY_VALUE),
    createdAt: read.required(read.number('createdAt'), 'createdAt'),
  };
}

/**
 * Sends one conditional write; false when its condition failed (which writes nothing), any
 * other failure mapped as every request of the backend is.
 */
async function conditionalWrite(
  requests: TableRequests,
  operation: string,
  send: () => Promise<unknown>,
): Promise<boolean> {
  return requests.run(operation, async () => {
    try {
      await send();
      return true;
    } catch (error) {
      if (!isWriteConflict(error)) {
        throw error;
      }
      return false;
    }
  });
}

/** The tenant key operations of a DynamoDB backend, each one request on one item. */
export class TenantKeyItems {
  readonly #requests: TableRequests;

  constructor(requests: TableRequests) {
    this.#requests = requests;
  }

  /** One Query of the tenant's `#k#` range, paged past 1 MB (thousands of keys). */
  async list(tenant: string): Promise<TenantKeyRecord[]> {
    const records: TenantKeyRecord[] = [];
    for await (const item of this.#requests.query('tenant key read', tenantKeysQuery(tenant))) {
      records.push(toTenantKey(item));
    }

    return records;
  }

  /** One PutItem on condition that the key is free: of two racing writers, one wins. */
  async add(record: TenantKeyRecord): Promise<void> {
    const e = new Expression();
    const command = new PutItemCommand({
      TableName: this.#requests.table,
      Item: {
        ...itemKey(record.tenant, tenantKeyKey(record.version)),
        [TENANT_KEY_VALUE]: { B: record.wrapped },
        createdAt: { N: String(record.createdAt) },
      },
      ConditionExpression: e.absent(SORT_KEY),
      ...e.params(),
    });

    const written = await conditionalWrite(this.#requests, 'tenant key write', () =>
      this.#requests.client.send(command),
    );
    if (!written) {
      throw new RevisionConflict();
    }
  }

  /**
   * One UpdateItem on condition that the stored bytes are `expected`, which also fails for an
   * absent item, so an update never creates one.
   */
  async replace(position: TenantKeyPosition, expected: Uint8Array, next: Uint8Array) {
    if (!storable(position.version)) {
      return false;
    }

    const e = new Expression();
    const command = new UpdateItemCommand({
      TableName: this.#requests.table,
      Key: itemKey(position.tenant, tenantKeyKey(position.version)),
      UpdateExpression: e.update({ [TENANT_KEY_VALUE]: { B: next } }),
      ConditionExpression: e.equals(TENANT_KEY_VALUE, { B: expected }),
      ...e.params(),
    });

    return conditionalWrite(this.#requests, 'tenant key rewrap', () =>
      this.#requests.client.send(command),
    );
  }

  /** One DeleteItem on condition that the stored bytes are `expected`. */
  async delete(position: TenantKeyPosition, expected: Uint8Array) {
    if (!storable(position.version)) {
      return false;
    }

    const e = new Expression();
    const command = new DeleteItemCommand({
      TableName: this.#requests.table,
      Key: itemKey(position.tenant, tenantKeyKey(position.version)),
      ConditionExpression: e.equals(TENANT_KEY_VALUE, { B: expected }),
      ...e.params(),
    });

    return conditionalWrite(this.#requests, 'tenant key delete', () =>
      this.#requests.client.send(command),
    );
  }
}
