import assert from 'node:assert/strict';
import {
  RevisionConflict,
  type StorageBackend,
  type TenantKeyRecord,
} from '../../src/storage/storage-backend.js';
import { versionWrite } from '../support/records.js';

/** One behaviour every backend's tenant keys must show, run on a fresh, empty backend. */
export interface TenantKeyCase {
  readonly name: string;
  run(storage: StorageBackend): Promise<void>;
}

/** A tenant key record whose bytes tell its tenant, version and `mark` apart. */
export function tenantKey(tenant: string, version: number, mark = 0): TenantKeyRecord {
  const wrapped = Uint8Array.from([...Buffer.from(tenant), version, mark, 0xcc]);
  return { tenant, version, wrapped, createdAt: 2_000 + version };
}

/** Rejects with the seam's RevisionConflict, message and all. */
export async function rejectsAsConflict(work: Promise<unknown>): Promise<void> {
  await assert.rejects(work, (error) => {
    assert.ok(error instanceof RevisionConflict, `expected a RevisionConflict, got ${error}`);
    assert.equal(error.message, 'the secret was changed by another writer');
    return true;
  });
}

const where = (record: TenantKeyRecord) => `${record.tenant}/${record.version}`;

// Added out of order. UTF-8 byte order puts `a-b` (0x2D) before `ab`, `B` before `a`, and
// U+FF5E (EF BD 9E) before U+1F512 (F0 9F ...), which UTF-16 order (a plain sort) reverses.
const TENANTS = ['ab', '\u{1F512}', 'a', 'é', '\uFF5E', 'a-b', 'B'];
const IN_ORDER = ['B', 'a', 'a-b', 'ab', 'é', '\uFF5E', '\u{1F512}'];

/** Versions 10, 1 and 2 of every tenant of TENANTS; returns the positions in scan order. */
async function addMany(storage: StorageBackend): Promise<string[]> {
  for (const tenant of TENANTS) {
    for (const version of [10, 1, 2]) {
      await storage.addTenantKey(tenantKey(tenant, version));
    }
  }

  return IN_ORDER.flatMap((tenant) => [1, 2, 10].map((version) => `${tenant}/${version}`));
}

export const TENANT_KEY_CASES: readonly TenantKeyCase[] = [
  {
    name: 'lists a tenant key of each version, oldest first, 10 after 2',
    async run(storage) {
      for (const version of [10, 1, 2]) {
        await storage.addTenantKey(tenantKey('acme', version));
      }

      const listed = await storage.listTenantKeys('acme');

      assert.deepEqual(
        listed,
        [1, 2, 10].map((version) => tenantKey('acme', version)),
      );
      assert.deepEqual(await storage.listTenantKeys('globex'), []);
    },
  },
  {
    name: 'an add of a version the tenant has conflicts and leaves the first record intact',
    async run(storage) {
      await storage.addTenantKey(tenantKey('acme', 1));

      await rejectsAsConflict(storage.addTenantKey({ ...tenantKey('acme', 1, 9), createdAt: 7 }));

      assert.deepEqual(await storage.listTenantKeys('acme'), [tenantKey('acme', 1)]);
    },
  },
  {
    name: 'of 10 parallel adds of one version, exactly one wins',
    async run(storage) {
      const adds = Array.from({ length: 10 }, (_, i) =>
        storage.addTenantKey(tenantKey('acme', 1, i)),
      );

      const results = await Promise.allSettled(adds);

      const won = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1);
      for (const result of results) {
        assert.ok(result.status === 'fulfilled' || result.reason instanceof RevisionConflict);
      }
      assert.deepEqual(await storage.listTenantKeys('acme'), [tenantKey('acme', 1, won[0])]);
    },
  },
  {
    name: 'keeps tenants apart: one version number, three tenants, three records',
    async run(storage) {
      for (const tenant of ['acme', 'acme2', 'globex']) {
        await storage.addTenantKey(tenantKey(tenant, 1));
      }
      const acme = { tenant: 'acme', version: 1 };

      const foreign = await storage.deleteTenantKey(acme, tenantKey('acme2', 1).wrapped);
      const own = await storage.deleteTenantKey(acme, tenantKey('acme', 1).wrapped);

      assert.deepEqual([foreign, own], [false, true]);
      assert.deepEqual(await storage.listTenantKeys('acme'), []);
      assert.deepEqual(await storage.listTenantKeys('acme2'), [tenantKey('acme2', 1)]);
      assert.deepEqual(await storage.listTenantKeys('globex'), [tenantKey('globex', 1)]);
    },
  },
  {
    name: 'replaceTenantKey swaps only when the stored bytes are the expected ones',
    async run(storage) {
      await storage.addTenantKey(tenantKey('acme', 1));
      await storage.addTenantKey(tenantKey('acme', 2));
      const at = { tenant: 'acme', version: 1 };

      const stale = await storage.replaceTenantKey(
        at,
        tenantKey('acme', 2).wrapped,
        Uint8Array.of(7),
      );
      const unchanged = await storage.listTenantKeys('acme');
      const fresh = await storage.replaceTenantKey(
        at,
        tenantKey('acme', 1).wrapped,
        Uint8Array.of(7),
      );

      assert.deepEqual([stale, fresh], [false, true]);
      assert.deepEqual(unchanged, [tenantKey('acme', 1), tenantKey('acme', 2)]);
      assert.deepEqual(await storage.listTenantKeys('acme'), [
        { ...tenantKey('acme', 1), wrapped: Uint8Array.of(7) },
        tenantKey('acme', 2),
      ]);
    },
  },
  {
    name: 'deleteTenantKey deletes only when the stored bytes are the expected ones',
    async run(storage) {
      await storage.addTenantKey(tenantKey('acme', 1));
      await storage.addTenantKey(tenantKey('acme', 2));
      const at = { tenant: 'acme', version: 1 };

      const stale = await storage.deleteTenantKey(at, Uint8Array.of(1, 2, 3));
      const unchanged = await storage.listTenantKeys('acme');
      const fresh = await storage.deleteTenantKey(at, tenantKey('acme', 1).wrapped);

      assert.deepEqual([stale, fresh], [false, true]);
      assert.deepEqual(unchanged, [tenantKey('acme', 1), tenantKey('acme', 2)]);
      assert.deepEqual(await storage.listTenantKeys('acme'), [tenantKey('acme', 2)]);
    },
  },
  {
    name: 'replace and delete of a missing version return false and create nothing',
    async run(storage) {
      const bytes = tenantKey('acme', 1).wrapped;
      const acme1 = { tenant: 'acme', version: 1 };
      const acme2 = { tenant: 'acme', version: 2 };
      const globex1 = { tenant: 'globex', version: 1 };

      const replacedEmpty = await storage.replaceTenantKey(acme1, bytes, bytes);
      const deletedEmpty = await storage.deleteTenantKey(acme1, bytes);
      const emptyAfter = await storage.hasData();
      await storage.addTenantKey(tenantKey('acme', 1));
      const replacedOther = await storage.replaceTenantKey(acme2, bytes, bytes);
      const deletedOther = await storage.deleteTenantKey(globex1, bytes);

      assert.deepEqual(
        [replacedEmpty, deletedEmpty, replacedOther, deletedOther],
        [false, false, false, false],
      );
      assert.equal(emptyAfter, false);
      assert.deepEqual(await storage.listTenantKeys('acme'), [tenantKey('acme', 1)]);
      assert.deepEqual(await storage.listTenantKeys('globex'), []);
    },
  },
  {
    name: 'scanTenantKeys orders by tenant in UTF-8 byte order, then by version',
    async run(storage) {
      const expected = await addMany(storage);

      const all = await storage.scanTenantKeys(undefined, 1_000);

      assert.deepEqual(all.map(where), expected);
      assert.deepEqual(all[0], tenantKey('B', 1));
    },
  },
  {
    name: 'scanTenantKeys pages with small limits visit every tenant key exactly once',
    async run(storage) {
      const expected = await addMany(storage);

      for (const limit of [1, 2, 3, 7]) {
        const seen: string[] = [];
        let page = await storage.scanTenantKeys(undefined, limit);
        while (page.length > 0 && seen.length <= expected.length) {
          assert.ok(page.length <= limit);
          seen.push(...page.map(where));
          page = await storage.scanTenantKeys(page.at(-1), limit);
        }

        assert.deepEqual(seen, expected, `limit ${limit}`);
      }
    },
  },
  {
    name: 'scanTenantKeys resumes strictly after any position, stored or not',
    async run(storage) {
      await addMany(storage);
      const scan = async (tenant: string, version: number, limit = 2) =>
        (await storage.scanTenantKeys({ tenant, version }, limit)).map(where);

      assert.deepEqual(await scan('a', 2), ['a/10', 'a-b/1']);
      assert.deepEqual(await scan('a', 3), ['a/10', 'a-b/1']);
      assert.deepEqual(await scan('a', 0), ['a/1', 'a/2']);
      assert.deepEqual(await scan('a', 9_999_999_999), ['a-b/1', 'a-b/2']);
      assert.deepEqual(await scan('aa', 1), ['ab/1', 'ab/2']);
      assert.deepEqual(await scan('\u{1F512}', 10), []);
      assert.deepEqual(await scan('a', 2, 0), []);
      assert.deepEqual(await storage.scanTenantKeys(undefined, 0), []);
    },
  },
  {
    name: 'hasData is true with only a tenant key stored, and false once it is deleted',
    async run(storage) {
      const before = await storage.hasData();
      await storage.addTenantKey(tenantKey('acme', 1));
      const stored = await storage.hasData();
      await storage.deleteTenantKey({ tenant: 'acme', version: 1 }, tenantKey('acme', 1).wrapped);

      assert.deepEqual([before, stored, await storage.hasData()], [false, true, false]);
    },
  },
  {
    name: 'tenant keys are not secrets or versions, and a purge of a secret leaves them',
    async run(storage) {
      // `k` and `v` are the letters of the tenant key and version key prefixes.
      for (const name of ['db', 'k', 'v']) {
        await storage.writeVersion(versionWrite('acme', name, 1));
      }
      await storage.addTenantKey(tenantKey('acme', 1));
      await storage.addTenantKey(tenantKey('acme', 2));

      const page = await storage.listSecrets('acme', { limit: 100 });
      const versions = await storage.scanVersions(undefined, 100);
      const keys = await storage.scanTenantKeys(undefined, 100);
      const purged = await storage.purgeSecret('acme', 'db', 1);

      assert.deepEqual(
        page.secrets.map((secret) => secret.name),
        ['db', 'k', 'v'],
      );
      assert.equal(page.more, false);
      assert.deepEqual(
        versions.map((v) => `${v.name}/${v.version}`),
        ['db/1', 'k/1', 'v/1'],
      );
      assert.deepEqual(keys.map(where), ['acme/1', 'acme/2']);
      assert.equal(purged, 1);
      assert.equal(await storage.getSecret('acme', 'db'), undefined);
      assert.deepEqual(await storage.listTenantKeys('acme'), [
        tenantKey('acme', 1),
        tenantKey('acme', 2),
      ]);
    },
  },
  {
    name: 'records are copied in and out: changing one changes nothing stored',
    async run(storage) {
      const record = tenantKey('acme', 1);
      const next = Uint8Array.of(5, 5, 5);
      await storage.addTenantKey(record);
      record.wrapped.fill(0);

      const listed = await storage.listTenantKeys('acme');
      listed[0]?.wrapped.fill(0);
      const scanned = await storage.scanTenantKeys(undefined, 10);
      scanned[0]?.wrapped.fill(0);
      const intact = await storage.listTenantKeys('acme');
      await storage.replaceTenantKey(
        { tenant: 'acme', version: 1 },
        tenantKey('acme', 1).wrapped,
        next,
      );
      next.fill(0);

      assert.deepEqual(intact, [tenantKey('acme', 1)]);
      assert.deepEqual(await storage.listTenantKeys('acme'), [
        { ...tenantKey('acme', 1), wrapped: Uint8Array.of(5, 5, 5) },
      ]);
    },
  },
];
