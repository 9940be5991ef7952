import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type AwsStoreOptions, openAwsStore } from '../src/aws/aws-store.js';
import { createSecretsTable } from '../src/storage/dynamodb-table.js';
import { newDynamoDbClient, newKmsClient } from './clients.js';
import { nodecredstash } from './credstash-contender.js';
import type { BenchServers } from './local-servers.js';
import { VALUE_BYTES } from './workload.js';

/** One client of one contender, with its own SDK clients and its own (cold) caches. */
export interface Session {
  put(tenant: string, name: string, value: string): Promise<void>;
  /** The value read, or undefined from a contender that reads without decrypting. */
  get(tenant: string, name: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A way to keep secrets in DynamoDB, measured against the same servers as the others. */
export interface EndToEndContender {
  readonly id: string;
  readonly label: string;
  /** Why it is not measured in this run; undefined when it is. */
  readonly skipped?: string | undefined;
  /** Environment variables its library reads, set for the whole run. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Creates its table; once, before any session. */
  setup(): Promise<void>;
  /** A fresh client: new SDK clients, empty caches. */
  open(): Promise<Session>;
}

type BenchStoreOptions = Omit<AwsStoreOptions, 'tableName'>;

async function createTable(servers: BenchServers, tableName: string): Promise<void> {
  const client = newDynamoDbClient(servers);
  try {
    await createSecretsTable(client, tableName);
  } finally {
    client.destroy();
  }
}

function strongroom(
  servers: BenchServers,
  id: string,
  label: string,
  options: BenchStoreOptions,
  skipped?: string,
): EndToEndContender {
  const tableName = `bench-${id}`;

  return {
    id,
    label,
    skipped,
    setup: () => createTable(servers, tableName),
    async open() {
      const dynamoDb = newDynamoDbClient(servers);
      const kms = newKmsClient(servers);
      const { store } = openAwsStore({
        ...options,
        tableName,
        kmsKeyId: servers.kms.keyArn,
        dynamoDb,
        kms,
      });

      return {
        async put(tenant, name, value) {
          await store.put(tenant, name, value);
        },
        async get(tenant, name) {
          const { value } = await store.get(tenant, name);
          const text = value.text();
          value.wipe();
          return text;
        },
        async close() {
          await store.close();
          dynamoDb.destroy();
          kms.destroy();
        },
      };
    },
  };
}

/**
 * The floor: one plain GetItem (strongly consistent, as strongroom reads) of an item of the
 * same size and shape as a strongroom head, and one plain PutItem of it. Nothing is decrypted
 * or checked: this is what reading the item at all costs.
 */
function bareGetItem(servers: BenchServers): EndToEndContender {
  const tableName = 'bench-bare-getitem';
  let template: Awaited<ReturnType<typeof headTemplate>> | undefined;

  return {
    id: 'bare-getitem',
    label: 'bare DynamoDB GetItem / PutItem of a strongroom-sized item (the floor)',
    async setup() {
      await createTable(servers, tableName);
      template = await headTemplate(servers, tableName);
    },
    async open() {
      const client = newDynamoDbClient(servers);
      const item = template;
      if (item === undefined) {
        throw new Error('bare-getitem: setup() must run before open()');
      }

      return {
        async put(tenant, name) {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...item, customerId: { S: tenant }, secretId: { S: name } },
            }),
          );
        },
        async get(tenant, name) {
          const { Item } = await client.send(
            new GetItemCommand({
              TableName: tableName,
              Key: { customerId: { S: tenant }, secretId: { S: name } },
              ConsistentRead: true,
            }),
          );
          if (Item === undefined) {
            throw new Error(`bare-getitem: no item for ${tenant}/${name}`);
          }
          return undefined;
        },
        async close() {
          client.destroy();
        },
      };
    },
  };
}

/**
 * A real strongroom head item to copy: a secret written twice through a store in the default
 * mode (so it has `current` and `previous`, as the other contenders' secrets do after the put
 * rounds), read back raw.
 */
async function headTemplate(servers: BenchServers, tableName: string) {
  const dynamoDb = newDynamoDbClient(servers);
  const kms = newKmsClient(servers);
  const { store } = openAwsStore({ tableName, kmsKeyId: servers.kms.keyArn, dynamoDb, kms });
  try {
    const value = 'x'.repeat(VALUE_BYTES);
    await store.put('template-tenant', 'template-secret', value);
    await store.put('template-tenant', 'template-secret', value);

    const { Item } = await dynamoDb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { customerId: { S: 'template-tenant' }, secretId: { S: 'template-secret' } },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) {
      throw new Error('bare-getitem: the template head item was not written');
    }
    return Item;
  } finally {
    await store.close();
    dynamoDb.destroy();
    kms.destroy();
  }
}

/** Every contender of the end-to-end benchmark, in report order. */
export function endToEndContenders(servers: BenchServers): EndToEndContender[] {
  return [
    strongroom(servers, 'direct', 'strongroom direct mode (KMS Encrypt/Decrypt of the value)', {
      mode: 'direct',
      keyCache: false,
    }),
    strongroom(servers, 'envelope-no-cache', 'strongroom envelope mode, keyCache: false', {
      keyCache: false,
    }),
    strongroom(servers, 'envelope-key-cache', 'strongroom envelope mode, key cache (default)', {}),
    strongroom(servers, 'tenant-keys', 'strongroom per-tenant keys (tenantKeys: true), key cache', {
      tenantKeys: true,
    }),
    nodecredstash(servers),
    bareGetItem(servers),
  ];
}
