import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { StorageError } from '../errors.js';
import { type Item, itemKey } from './dynamodb-items.js';
import type { TableRequests } from './dynamodb-requests.js';

/** DynamoDB's limit on the keys of one BatchGetItem call. */
export const MAX_BATCH_GET_KEYS = 100;

/**
 * Rounds in a row that read nothing before a batch's still-unprocessed keys fail the read.
 * DynamoDB hands keys back unprocessed when the table is throttled, and also, as normal paging,
 * when a response would pass 16 MB or 1 MB of one partition: a tenant's heads holding large
 * values take several rounds. Rounds that read something are not counted, so that paging
 * always finishes; eight empty rounds, with backoff, wait at most about 3.5 s in all.
 */
export const MAX_EMPTY_BATCH_ROUNDS = 8;

const BACKOFF_BASE_MS = 25;
const BACKOFF_CAP_MS = 1000;

/**
 * The items at `sortKeys` of one tenant's partition, in no particular order; keys with no item
 * are simply absent. One BatchGetItem per 100 keys, sent together, each retrying the keys
 * DynamoDB returns unprocessed with jittered backoff, as the DynamoDB API reference asks.
 * Reads are strongly consistent when the backend's are.
 */
export async function batchGetItems(
  requests: TableRequests,
  tenant: string,
  sortKeys: readonly string[],
): Promise<Item[]> {
  const batches: Item[][] = [];
  for (let at = 0; at < sortKeys.length; at += MAX_BATCH_GET_KEYS) {
    const keys = sortKeys.slice(at, at + MAX_BATCH_GET_KEYS).map((key) => itemKey(tenant, key));
    batches.push(keys);
  }

  const results = await Promise.all(batches.map((keys) => getBatch(requests, keys)));
  return results.flat();
}

async function getBatch(requests: TableRequests, keys: Item[]): Promise<Item[]> {
  const { client, table, consistent } = requests;
  const items: Item[] = [];
  let pending = keys;
  let empty = 0;

  for (;;) {
    const command = new BatchGetItemCommand({
      RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } },
    });
    const output = await requests.run('batch read', () => client.send(command));
    const read = output.Responses?.[table] ?? [];
    items.push(...read);

    pending = output.UnprocessedKeys?.[table]?.Keys ?? [];
    if (pending.length === 0) {
      return items;
    }
    empty = read.length > 0 ? 0 : empty + 1;
    if (empty >= MAX_EMPTY_BATCH_ROUNDS) {
      throw new StorageError(
        `DynamoDB batch read on table ${table} failed: keys were still unprocessed ` +
          `after ${empty} rounds that read nothing`,
      );
    }

    // Jittered, and exponential in the rounds that read nothing: a page cut short by size
    // retries almost at once, a throttled table is given room.
    await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** empty));
  }
}
