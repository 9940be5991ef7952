import { Expression } from './dynamodb-expression.js';
import {
  FIRST_HEAD_KEY,
  type Item,
  LEGACY_VALUE,
  PARTITION_KEY,
  SORT_KEY,
  toVersion,
  VERSIONS_FROM,
  VERSIONS_TO,
  versionKeyAfter,
} from './dynamodb-items.js';
import type { TableRequests } from './dynamodb-requests.js';
import {
  TENANT_KEYS_FROM,
  tenantKeyAfter,
  tenantKeysQuery,
  toTenantKey,
} from './dynamodb-tenant-keys.js';
import type {
  ScanPosition,
  TenantKeyPosition,
  TenantKeyRecord,
  VersionRecord,
} from './storage-backend.js';

/** Key order: UTF-8 bytes, as DynamoDB compares strings. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The whole-table walks of the offline jobs (rewrap of versions and of tenant keys, migrate).
 * The seam wants them in key order, tenant first, but a Scan visits partitions in hash order.
 * So a walk starts with one Scan that lists the tenants (a snapshot, sorted by bytes), then
 * reads each tenant's partition in order with Queries, which do come sorted. The snapshot is
 * retaken whenever a walk starts again from the beginning, and the walks share it; a tenant
 * whose first item is written during a walk is not visited by it (its versions and tenant keys
 * were sealed under the newest master key at the time anyway).
 */
export class TableScans {
  readonly #requests: TableRequests;
  #tenants: Promise<string[]> | undefined;

  constructor(requests: TableRequests) {
    this.#requests = requests;
  }

  /** The snapshot's tenants from `from` on; a walk that starts afresh retakes it. */
  async #tenantsFrom(from: string | undefined, restart: boolean): Promise<string[]> {
    if (restart || this.#tenants === undefined) {
      const listing = this.#listTenants();
      this.#tenants = listing;
      // A failed listing is not kept: the next call lists again.
      listing.catch(() => {
        if (this.#tenants === listing) {
          this.#tenants = undefined;
        }
      });
    }
    const tenants = await this.#tenants;

    return from === undefined
      ? tenants
      : tenants.filter((tenant) => compareText(tenant, from) >= 0);
  }

  async #listTenants(): Promise<string[]> {
    const expression = new Expression();
    const input = { ProjectionExpression: expression.projection([PARTITION_KEY]) };
    const tenants = new Set<string>();
    for await (const item of this.#requests.scan('scan', { ...input, ...expression.params() })) {
      tenants.add(item[PARTITION_KEY]?.S ?? '');
    }
    tenants.delete('');

    return [...tenants].sort(compareText);
  }

  /** Up to `limit` versions after `from`, in tenant, name, version order. */
  async versions(from: ScanPosition | undefined, limit: number): Promise<VersionRecord[]> {
    const found: VersionRecord[] = [];
    if (limit <= 0) {
      return found;
    }

    for (const tenant of await this.#tenantsFrom(from?.tenant, from === undefined)) {
      const resume = from !== undefined && tenant === from.tenant;
      const lower = resume ? versionKeyAfter(from.name, from.version) : VERSIONS_FROM;
      const e = new Expression();
      const condition =
        `${e.equals(PARTITION_KEY, { S: tenant })} AND ` +
        `${e.name(SORT_KEY)} BETWEEN ${e.value({ S: lower })} AND ${e.value({ S: VERSIONS_TO })}`;
      const input = { KeyConditionExpression: condition, ...e.params() };

      for await (const item of this.#requests.query('scan', input, limit - found.length)) {
        found.push(toVersion(item));
      }
      if (found.length >= limit) {
        break;
      }
    }

    return found;
  }

  /** Up to `limit` tenant keys after `from`, in tenant, version order. */
  async tenantKeys(from: TenantKeyPosition | undefined, limit: number): Promise<TenantKeyRecord[]> {
    const found: TenantKeyRecord[] = [];
    if (limit <= 0) {
      return found;
    }

    for (const tenant of await this.#tenantsFrom(from?.tenant, from === undefined)) {
      const resume = from !== undefined && tenant === from.tenant;
      const lower = resume ? tenantKeyAfter(from.version) : TENANT_KEYS_FROM;
      // Resumed past the highest version a key holds: this tenant has nothing left.
      if (lower === undefined) {
        continue;
      }
      const items = this.#requests.query(
        'tenant key scan',
        tenantKeysQuery(tenant, lower),
        limit - found.length,
      );

      for await (const item of items) {
        found.push(toTenantKey(item));
      }
      if (found.length >= limit) {
        break;
      }
    }

    return found;
  }

  /** Up to `limit` items in the legacy layout after `from`, in tenant, name order. */
  async legacy(
    from: { readonly tenant: string; readonly name: string } | undefined,
    limit: number,
  ): Promise<Item[]> {
    const found: Item[] = [];
    if (limit <= 0) {
      return found;
    }

    for (const tenant of await this.#tenantsFrom(from?.tenant, from === undefined)) {
      const after = from !== undefined && tenant === from.tenant ? from.name : undefined;
      const e = new Expression();
      // Heads and legacy items sort at or above `0`; version keys (`#v#…`) below it.
      const bound =
        after === undefined ? `>= ${e.value({ S: FIRST_HEAD_KEY })}` : `> ${e.value({ S: after })}`;
      const inTenant = e.equals(PARTITION_KEY, { S: tenant });
      const condition = `${inTenant} AND ${e.name(SORT_KEY)} ${bound}`;
      const filter = `attribute_exists(${e.name(LEGACY_VALUE)}) AND ${e.absent('revision')}`;
      const input = { KeyConditionExpression: condition, FilterExpression: filter, ...e.params() };

      for await (const item of this.#requests.query('scan', input, limit - found.length)) {
        found.push(item);
      }
      if (found.length >= limit) {
        break;
      }
    }

    return found;
  }

  /** True when the table holds any item at all: a Scan that stops at the first one. */
  async any(): Promise<boolean> {
    const expression = new Expression();
    const input = {
      Limit: 1,
      ProjectionExpression: expression.projection([PARTITION_KEY, SORT_KEY]),
      ...expression.params(),
    };

    for await (const _ of this.#requests.scan('read', input)) {
      return true;
    }
    return false;
  }
}
