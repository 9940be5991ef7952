import { CredStash } from 'nodecredstash';
import { dynamoDbConfig } from './clients.js';
import type { EndToEndContender } from './end-to-end-contenders.js';
import { type BenchServers, serverEnvironment } from './local-servers.js';

const TABLE = 'bench-nodecredstash';

/**
 * nodecredstash 3.0.0, the Node port of credstash and strongroom's closest peer, as shipped:
 * its own table (partition key `name`, sort key `version`, made by its `createDdbTable`), one
 * GenerateDataKey (64 bytes: AES-256-CTR and HMAC-SHA-256 keys) and one PutItem per put, one
 * Query (latest version, strongly consistent) and one Decrypt per get, and no cache.
 *
 * Its `putSecret` and `getSecret` build a new KMSClient from the SDK's defaults on every call and
 * ignore the `kmsOpts` it is given, so its KMS endpoint, Region and credentials can only come from
 * the environment: the contender sets the SDK's standard variables for the run. Every put and get
 * therefore also pays for a new client and a new connection to KMS; that is its cost as shipped.
 *
 * It has no tenants: a secret is named `<tenant>/<name>` and its encryption context names both,
 * as a multi-tenant user of it would do. Versions are given on put (the next number for that
 * name), since letting it find the next one would cost it a Query more per put.
 *
 * Its files are ES modules whose relative imports lack `.js`: plain Node cannot load it
 * (ERR_MODULE_NOT_FOUND), tsx resolves them, so it runs here under tsx with no resolve hook.
 */
export function nodecredstash(servers: BenchServers): EndToEndContender {
  const versions = new Map<string, number>();

  return {
    id: 'nodecredstash',
    label: 'nodecredstash 3.0.0 (credstash for Node)',
    environment: serverEnvironment(servers),
    async setup() {
      await new CredStash({ dynamoOpts: dynamoDbConfig(servers) }).createDdbTable({
        tableName: TABLE,
      });
    },
    async open() {
      const credstash = new CredStash({ dynamoOpts: dynamoDbConfig(servers) });
      const options = { tableName: TABLE, kmsKey: servers.kms.keyArn };

      return {
        async put(tenant, name, secret) {
          const key = `${tenant}/${name}`;
          const version = (versions.get(key) ?? 0) + 1;
          versions.set(key, version);
          await credstash.putSecret({
            ...options,
            name: key,
            secret,
            version,
            context: { tenant, secret: name },
          });
        },
        get: (tenant, name) =>
          credstash.getSecret({
            ...options,
            name: `${tenant}/${name}`,
            context: { tenant, secret: name },
          }),
        async close() {},
      };
    },
  };
}
