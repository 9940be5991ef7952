import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageError, StrongroomError, TableNotFoundError } from '../errors.js';
import { Expression } from './dynamodb-expression.js';
import { type Item, itemKey } from './dynamodb-items.js';
import { RevisionConflict } from './storage-backend.js';

/** DynamoDB's limit on the actions of one TransactWriteItems call. */
export const MAX_TRANSACTION_ACTIONS = 100;

// DynamoDB says "Item size has exceeded the maximum allowed size" (or "to update is too large").
const TOO_LARGE = /item size|maximum allowed size|too large/i;

function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as Error).name : undefined;
}

/** The reason codes of a cancelled transaction, one per action in request order. */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (nameOf(error) !== 'TransactionCanceledException') {
    return undefined;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;

  return (reasons ?? []).map((reason) => reason.Code ?? 'None');
}

/**
 * True for a failed condition, or a clash with a transaction in flight on the same item: in
 * both cases another writer got there first, and the store re-reads and retries.
 */
export function isWriteConflict(error: unknown): boolean {
  const name = nameOf(error);
  if (name === 'ConditionalCheckFailedException' || name === 'TransactionConflictException') {
    return true;
  }
  const codes = cancellationCodes(error) ?? [];

  return codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict');
}

function isTooLarge(error: unknown): boolean {
  const message = (error as { message?: unknown })?.message;
  if (nameOf(error) === 'ValidationException') {
    return typeof message === 'string' && TOO_LARGE.test(message);
  }
  const reasons = (error as { CancellationReasons?: { Code?: string; Message?: string }[] })
    .CancellationReasons;

  return (reasons ?? []).some(
    (reason) => reason.Code === 'ValidationError' && TOO_LARGE.test(reason.Message ?? ''),
  );
}

/**
 * The error a caller sees for a failed request: the AWS error goes into `cause`, never into the
 * message, which names only the operation and the table.
 */
export function storageFailure(error: unknown, operation: string, table: string): Error {
  if (error instanceof RevisionConflict || error instanceof StrongroomError) {
    return error;
  }
  if (nameOf(error) === 'ResourceNotFoundException') {
    return new TableNotFoundError(table, { cause: error });
  }
  if (isTooLarge(error)) {
    return new StorageError(
      `DynamoDB ${operation} on table ${table} failed: the value is too large for a DynamoDB item`,
      { cause: error },
    );
  }

  return new StorageError(`DynamoDB ${operation} on table ${table} failed`, { cause: error });
}

/** The requests the backend makes of its one table, each failure mapped by `storageFailure`. */
export class TableRequests {
  constructor(
    readonly client: DynamoDBClient,
    readonly table: string,
    readonly consistent: boolean,
  ) {}

  /** Runs `work`, mapping what it throws; `operation` names it in the message. */
  async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storageFailure(error, operation, this.table);
    }
  }

  /** One GetItem; with `attributes`, only those come back (the read costs the same). */
  async get(operation: string, tenant: string, sortKey: string, attributes?: readonly string[]) {
    const expression = new Expression();
    const projection = attributes && { ProjectionExpression: expression.projection(attributes) };
    const command = new GetItemCommand({
      TableName: this.table,
      Key: itemKey(tenant, sortKey),
      ConsistentRead: this.consistent,
      ...projection,
      ...expression.params(),
    });

    const output = await this.run(operation, () => this.client.send(command));
    return output.Item;
  }

  /**
   * The items of a Query, page after page, at most `max` of them. `Limit` asks only for what
   * is still wanted, so a caller that stops early pays for no page it does not read.
   */
  async *query(
    operation: string,
    input: Omit<QueryCommandInput, 'TableName'>,
    max = Number.POSITIVE_INFINITY,
  ): AsyncGenerator<Item> {
    let start: Item | undefined;
    let yielded = 0;
    do {
      const limit = Number.isFinite(max) && !input.FilterExpression ? max - yielded : undefined;
      const command = new QueryCommand({
        TableName: this.table,
        ConsistentRead: this.consistent,
        ...input,
        ...(limit === undefined ? {} : { Limit: limit }),
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      const output = await this.run(operation, () => this.client.send(command));

      for (const item of output.Items ?? []) {
        yield item;
        yielded += 1;
        if (yielded >= max) {
          return;
        }
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** The items of a Scan of the whole table, page after page. */
  async *scan(operation: string, input: Omit<ScanCommandInput, 'TableName'>) {
    let start: Item | undefined;
    do {
      const command = new ScanCommand({
        TableName: this.table,
        ConsistentRead: this.consistent,
        ...input,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      const output = await this.run(operation, () => this.client.send(command));

      yield* output.Items ?? [];
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /**
   * One TransactWriteItems: every action or none. Returns undefined when it committed, or the
   * cancellation codes (one per action, in request order) when a condition failed or another
   * transaction on the same item was in flight. The request token makes the SDK's own retry of
   * a call whose answer was lost idempotent (for 10 minutes), instead of a clash with itself
   * that the store would retry as a second write.
   */
  async tryTransact(operation: string, actions: TransactWriteItem[]) {
    const command = new TransactWriteItemsCommand({
      TransactItems: actions,
      ClientRequestToken: randomUUID(),
    });

    return this.run(operation, async () => {
      try {
        await this.client.send(command);
        return undefined;
      } catch (error) {
        if (!isWriteConflict(error)) {
          throw error;
        }
        return cancellationCodes(error) ?? [];
      }
    });
  }

  /** {@link tryTransact}, with a failed condition or a clash thrown as a RevisionConflict. */
  async transact(operation: string, actions: TransactWriteItem[]): Promise<void> {
    if ((await this.tryTransact(operation, actions)) !== undefined) {
      throw new RevisionConflict();
    }
  }
}
