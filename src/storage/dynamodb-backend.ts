import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IntegrityError } from '../errors.js';
import { batchGetItems } from './dynamodb-batch.js';
import {
  type Item,
  MAX_VERSION,
  PARTITION_KEY,
  RECORD_ATTRIBUTES,
  SORT_KEY,
  toCurrentCopy,
  toSecret,
  toVersion,
  versionKey,
} from './dynamodb-items.js';
import { isLegacyItem, legacySecret, legacyVersion, toLegacy } from './dynamodb-legacy.js';
import { migrateLegacy } from './dynamodb-migrate.js';
import { purgeSecret } from './dynamodb-purge.js';
import { secretsQuery, versionsQuery } from './dynamodb-queries.js';
import { TableRequests } from './dynamodb-requests.js';
import { TableScans } from './dynamodb-scans.js';
import { TenantKeyItems } from './dynamodb-tenant-keys.js';
import { replaceEnvelope, updateSecret } from './dynamodb-updates.js';
import { writeVersion } from './dynamodb-writes.js';
import type {
  CurrentRecords,
  LegacyItem,
  ListSecretsQuery,
  ScanPosition,
  SecretPage,
  SecretRecord,
  StorageBackend,
  TenantKeyPosition,
  TenantKeyRecord,
  VersionRecord,
  VersionWrite,
} from './storage-backend.js';

/** How a {@link DynamoDbBackend} reaches its table. */
export interface DynamoDbBackendOptions {
  /** The client to send requests with; the backend never destroys it unless told to. */
  readonly client: DynamoDBClient;
  /** A table with partition key `customerId` (S) and sort key `secretId` (S). */
  readonly tableName: string;
  /**
   * Strongly consistent reads (the default): a read sees every write that finished before it.
   * `false` halves the read cost, and a read may miss a write of the last second or so.
   */
  readonly consistentReads?: boolean | undefined;
  /**
   * `read` (the default) reads items in the layout strongroom grew from as version 1 of their
   * secret. `reject` refuses them with an IntegrityError: set it once `migrate` has run, so that
   * an item of that shape planted in the table is never read.
   */
  readonly legacyItems?: 'read' | 'reject' | undefined;
  /** Destroy the client on `close()`: for a client made for this backend alone. */
  readonly destroyClientOnClose?: boolean | undefined;
}

// DynamoDB's rule for table names.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Storage in a DynamoDB table of the caller's (the article's table: partition key `customerId`,
 * sort key `secretId`), in the layout of docs/DYNAMODB.md. Reading a secret's current version is
 * one GetItem; every write is one conditional TransactWriteItems (or UpdateItem), so a crash
 * never leaves half a write behind.
 *
 * @example
 * const storage = new DynamoDbBackend({ client: new DynamoDBClient({}), tableName: 'secrets' });
 * const store = openStore({ keys, storage });
 */
export class DynamoDbBackend implements StorageBackend {
  readonly kind = 'dynamodb';
  readonly tableName: string;
  readonly #requests: TableRequests;
  readonly #scans: TableScans;
  readonly #tenantKeys: TenantKeyItems;
  readonly #rejectLegacy: boolean;
  readonly #destroyClient: boolean;

  constructor(options: DynamoDbBackendOptions) {
    if (typeof options.tableName !== 'string' || !TABLE_NAME.test(options.tableName)) {
      throw new RangeError('tableName must be 3 to 255 of A-Z a-z 0-9 _ . -');
    }
    if (![undefined, 'read', 'reject'].includes(options.legacyItems)) {
      throw new RangeError("legacyItems must be 'read' or 'reject'");
    }

    this.tableName = options.tableName;
    this.#requests = new TableRequests(
      options.client,
      options.tableName,
      options.consistentReads ?? true,
    );
    this.#scans = new TableScans(this.#requests);
    this.#tenantKeys = new TenantKeyItems(this.#requests);
    this.#rejectLegacy = options.legacyItems === 'reject';
    this.#destroyClient = options.destroyClientOnClose === true;
  }

  /** A legacy item as the seam sees it; refused when legacy items are rejected. */
  #legacy(item: Item): LegacyItem & { readonly stored: string } {
    if (this.#rejectLegacy) {
      const where = `${item[PARTITION_KEY]?.S}/${item[SORT_KEY]?.S}`;
      const reason = `DynamoDB item ${where} has the legacy layout, and legacyItems is reject`;
      throw new IntegrityError({ cause: new Error(reason) });
    }
    return toLegacy(item);
  }

  #record(item: Item): SecretRecord {
    return isLegacyItem(item) ? legacySecret(this.#legacy(item)) : toSecret(item);
  }

  async getSecret(tenant: string, name: string): Promise<SecretRecord | undefined> {
    const item = await this.#requests.get('read', tenant, name, RECORD_ATTRIBUTES);
    return item && this.#record(item);
  }

  async getVersion(tenant: string, name: string, version: number) {
    if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
      return undefined;
    }

    const item = await this.#requests.get('read', tenant, versionKey(name, version));
    if (item !== undefined || version !== 1) {
      return item && toVersion(item);
    }

    // A legacy item is its secret's version 1, stored in the head's place.
    const head = await this.#requests.get('read', tenant, name, RECORD_ATTRIBUTES);
    return head && isLegacyItem(head) ? legacyVersion(this.#legacy(head)) : undefined;
  }

  /** One GetItem: the head holds the record and a copy of the current version. */
  async getCurrent(tenant: string, name: string): Promise<CurrentRecords | undefined> {
    const item = await this.#requests.get('read', tenant, name);
    return item && this.#current(tenant, name, item);
  }

  /** One BatchGetItem per 100 heads (docs/DYNAMODB.md, "Access patterns"). */
  async getCurrentMany(tenant: string, names: readonly string[]) {
    const items = await batchGetItems(this.#requests, tenant, names);
    const asked = new Set(names);
    const found = new Map<string, CurrentRecords>();
    for (const item of items) {
      // Responses come in no order; each names its key. Only heads asked for are taken.
      const name = item[SORT_KEY]?.S;
      if (name !== undefined && asked.has(name)) {
        found.set(name, await this.#current(tenant, name, item));
      }
    }

    return found;
  }

  /** The records a head item holds, reading the version item only if its copy is damaged. */
  async #current(tenant: string, name: string, item: Item): Promise<CurrentRecords> {
    if (isLegacyItem(item)) {
      const legacy = this.#legacy(item);
      return { secret: legacySecret(legacy), version: legacyVersion(legacy) };
    }

    const secret = toSecret(item);
    const current = secret.labels.current;
    const copy = toCurrentCopy(item);
    if (copy !== undefined && copy.version === current) {
      return { secret, version: copy };
    }

    // Only a damaged head lacks the copy: read the version itself.
    const version =
      current === undefined ? undefined : await this.getVersion(tenant, name, current);
    return { secret, version };
  }

  async listVersions(tenant: string, name: string): Promise<VersionRecord[]> {
    const versions: VersionRecord[] = [];
    for await (const item of this.#requests.query('read', versionsQuery(tenant, name))) {
      versions.push(toVersion(item));
    }
    if (versions.length > 0) {
      return versions;
    }

    const legacy = await this.getVersion(tenant, name, 1);
    return legacy?.legacy ? [legacy] : [];
  }

  async listSecrets(tenant: string, query: ListSecretsQuery): Promise<SecretPage> {
    const input = secretsQuery(tenant, query);
    if (input === undefined) {
      return { secrets: [], more: false };
    }

    // One more than a page tells whether more remain; a LastEvaluatedKey alone does not.
    const secrets: SecretRecord[] = [];
    for await (const item of this.#requests.query('list', input, query.limit + 1)) {
      secrets.push(this.#record(item));
    }
    return { secrets: secrets.slice(0, query.limit), more: secrets.length > query.limit };
  }

  async writeVersion(write: VersionWrite): Promise<void> {
    return writeVersion(this.#requests, write);
  }

  async updateSecret(secret: SecretRecord, expectedRevision: number): Promise<void> {
    await updateSecret(this.#requests, secret, expectedRevision);
  }

  async purgeSecret(tenant: string, name: string, expectedRevision: number): Promise<number> {
    return purgeSecret(this.#requests, tenant, name, expectedRevision);
  }

  async scanVersions(from: ScanPosition | undefined, limit: number): Promise<VersionRecord[]> {
    return this.#scans.versions(from, limit);
  }

  async replaceEnvelope(position: ScanPosition, expected: Uint8Array, next: Uint8Array) {
    return replaceEnvelope(this.#requests, position, expected, next);
  }

  async scanLegacy(
    from: { readonly tenant: string; readonly name: string } | undefined,
    limit: number,
  ): Promise<LegacyItem[]> {
    const items = await this.#scans.legacy(from, limit);
    return items.map((item) => {
      const { tenant, name, blob, createdAt } = this.#legacy(item);
      return { tenant, name, blob, createdAt };
    });
  }

  async migrateLegacy(item: LegacyItem, write: VersionWrite): Promise<boolean> {
    return migrateLegacy(this.#requests, (found) => this.#legacy(found), item, write);
  }

  /** One Query of the tenant's `#k#` range (docs/DYNAMODB.md, "Tenant key item"). */
  async listTenantKeys(tenant: string): Promise<TenantKeyRecord[]> {
    return this.#tenantKeys.list(tenant);
  }

  async addTenantKey(record: TenantKeyRecord): Promise<void> {
    await this.#tenantKeys.add(record);
  }

  async replaceTenantKey(position: TenantKeyPosition, expected: Uint8Array, next: Uint8Array) {
    return this.#tenantKeys.replace(position, expected, next);
  }

  async deleteTenantKey(position: TenantKeyPosition, expected: Uint8Array) {
    return this.#tenantKeys.delete(position, expected);
  }

  /** The tenant list snapshot of the other walks, then a Query per tenant. */
  async scanTenantKeys(from: TenantKeyPosition | undefined, limit: number) {
    return this.#scans.tenantKeys(from, limit);
  }

  /** Any item at all counts, tenant key items included. */
  async hasData(): Promise<boolean> {
    return this.#scans.any();
  }

  async close(): Promise<void> {
    if (this.#destroyClient) {
      this.#requests.client.destroy();
    }
  }
}
