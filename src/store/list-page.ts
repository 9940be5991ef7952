import type { SecretRecord, StorageBackend } from '../storage/storage-backend.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { secretMetadata } from './metadata.js';
import type { ListOptions, SecretList, SecretMetadata } from './types.js';

/**
 * One page of a tenant's secrets in name order, from the cursor on. The options are checked by
 * the caller; the cursor is checked here against the tenant and prefix it was issued for.
 */
export async function listPage(
  storage: StorageBackend,
  tenant: string,
  options: ListOptions,
  limit: number,
  now: number,
): Promise<SecretList> {
  const after =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, tenant, options.prefix);
  const secrets: SecretMetadata[] = [];
  let from = after;
  let more = true;

  // Deleted secrets are skipped after the query, so one query may not fill a page. Each
  // query asks for a whole page, so a run of deleted secrets costs few round trips; the
  // cursor points after the last record consumed, not the last one fetched.
  while (secrets.length < limit && more) {
    const page = await storage.listSecrets(tenant, {
      prefix: options.prefix,
      after: from,
      limit,
    });
    let consumed = 0;
    for (const record of page.secrets) {
      if (secrets.length === limit) {
        break;
      }
      consumed += 1;
      from = record.name;
      if (isVisible(record, now, options.includeDeleted === true)) {
        secrets.push(secretMetadata(record));
      }
    }
    more = page.more || consumed < page.secrets.length;
  }

  const cursor =
    more && from !== undefined ? encodeCursor(tenant, options.prefix, from) : undefined;
  return { secrets, cursor };
}

function isVisible(record: SecretRecord, now: number, includeDeleted: boolean): boolean {
  if (record.deletedAt === undefined) {
    return true;
  }
  return includeDeleted && (record.purgeAfter ?? 0) > now;
}
