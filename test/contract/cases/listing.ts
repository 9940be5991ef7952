import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../../src/errors.js';
import type { SecretStore } from '../../../src/store/store.js';
import { expectRejection } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';

async function putNames(store: SecretStore, tenant: string, names: readonly string[]) {
  for (const name of names) {
    await store.put(tenant, name, `value of ${name}`);
  }
}

async function listAll(store: SecretStore, tenant: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(tenant, cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page.secrets.map((secret) => secret.name));
    cursor = page.cursor;
  } while (cursor !== undefined);

  return pages;
}

export function listingCases(fixture: ContractFixture): void {
  describe('describe and list', () => {
    test('describe gives the metadata without calling the key provider', async () => {
      const { store, pair, keyCalls, clock, tenantKeys } = await fixture.open();
      const created = clock.now();
      await store.put(T, 'db', 'one', { description: 'primary', tags: { team: 'core' } });
      clock.advance(5000);
      await store.put(T, 'db', 'twenty', { contentType: 'text/plain' });
      keyCalls.length = 0;

      const described = await store.describe(T, 'db');

      assert.deepEqual(keyCalls, []);
      assert.equal(described.tenant, T);
      assert.equal(described.name, 'db');
      assert.equal(described.currentVersion, 2);
      assert.equal(described.latestVersion, 2);
      assert.equal(described.versionCount, 2);
      assert.deepEqual(described.labels, { current: 2, previous: 1 });
      assert.equal(described.description, 'primary');
      assert.deepEqual(described.tags, { team: 'core' });
      assert.equal(described.createdAt.getTime(), created);
      assert.equal(described.updatedAt.getTime(), created + 5000);
      assert.equal(described.deletedAt, undefined);
      assert.equal(described.current.version, 2);
      assert.equal(described.current.size, 6);
      assert.equal(described.current.contentType, 'text/plain');
      assert.ok(described.current.storedSize > described.current.size);
      assert.equal(described.current.key.provider, tenantKeys ? 'tenant' : pair.keys.providerId);
    });

    test('versions and list never call the key provider', async () => {
      const { store, keyCalls } = await fixture.open();
      await putNames(store, T, ['a', 'b']);
      keyCalls.length = 0;

      await store.versions(T, 'a');
      await store.list(T);

      assert.deepEqual(keyCalls, []);
    });

    test('list returns only the given tenant secrets, in name order', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['zeta', 'alpha', 'db/main', 'db+backup']);
      await putNames(store, 'globex', ['alpha', 'other']);

      const { secrets, cursor } = await store.list(T);

      assert.deepEqual(
        secrets.map((secret) => secret.name),
        ['alpha', 'db+backup', 'db/main', 'zeta'],
      );
      assert.ok(secrets.every((secret) => secret.tenant === T));
      assert.equal(cursor, undefined);
    });

    test('list with a prefix returns only the names that start with it', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['app/db', 'app/api', 'apple', 'other/db']);

      const { secrets } = await store.list(T, { prefix: 'app/' });

      assert.deepEqual(
        secrets.map((secret) => secret.name),
        ['app/api', 'app/db'],
      );
    });

    test('list pages through 25 secrets 10 at a time, each once', async () => {
      const { store } = await fixture.open();
      const names = Array.from({ length: 25 }, (_, i) => `secret-${String(i).padStart(2, '0')}`);
      await putNames(store, T, [...names].reverse());

      const pages = await listAll(store, T, 10);

      assert.deepEqual(
        pages.map((page) => page.length),
        [10, 10, 5],
      );
      assert.deepEqual(pages.flat(), names);
    });

    test('list of exactly one full page gives no cursor', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a', 'b', 'c', 'd']);

      const pages = await listAll(store, T, 2);

      assert.deepEqual(pages, [
        ['a', 'b'],
        ['c', 'd'],
      ]);
    });

    test('list matches a prefix literally, with no wildcards', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a_1', 'ab1', 'a.1', 'a+1']);

      const underscore = await store.list(T, { prefix: 'a_' });
      const percent = await store.list(T, { prefix: 'a%' });

      assert.deepEqual(
        underscore.secrets.map((secret) => secret.name),
        ['a_1'],
      );
      assert.deepEqual(percent.secrets, []);
    });

    test('list pages with a prefix keep to the prefix', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a/1', 'a/2', 'a/3', 'b/1', 'b/2']);

      const first = await store.list(T, { prefix: 'a/', limit: 2 });
      const second = await store.list(T, { prefix: 'a/', limit: 2, cursor: first.cursor ?? '' });

      assert.deepEqual(
        [...first.secrets, ...second.secrets].map((secret) => secret.name),
        ['a/1', 'a/2', 'a/3'],
      );
      assert.equal(second.cursor, undefined);
    });

    test('list refuses a cursor issued for another tenant', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a', 'b', 'c']);
      await putNames(store, 'globex', ['a', 'b', 'c']);
      const { cursor } = await store.list(T, { limit: 1 });
      assert.ok(cursor);

      const work = store.list('globex', { limit: 1, cursor });

      await expectRejection(work, InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid options.cursor: belongs to another tenant or prefix',
      });
    });

    test('list refuses a cursor issued for another prefix', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a/1', 'a/2', 'b/1']);
      const { cursor } = await store.list(T, { prefix: 'a/', limit: 1 });
      assert.ok(cursor);

      const work = store.list(T, { prefix: 'b/', cursor });

      await expectRejection(work, InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid options.cursor: belongs to another tenant or prefix',
      });
    });

    test('list refuses a cursor it did not issue', async () => {
      const { store } = await fixture.open();

      const work = store.list(T, { cursor: 'not-a-cursor' });

      await expectRejection(work, InvalidInputError, {
        code: 'ERR_INVALID_INPUT',
        message: 'invalid options.cursor: is not a cursor this store issued',
      });
    });

    test('list hides deleted secrets unless includeDeleted is set', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a', 'b', 'c']);
      await store.delete(T, 'b');

      const plain = await store.list(T);
      const withDeleted = await store.list(T, { includeDeleted: true });

      assert.deepEqual(
        plain.secrets.map((secret) => secret.name),
        ['a', 'c'],
      );
      assert.deepEqual(
        withDeleted.secrets.map((secret) => [secret.name, secret.deletedAt !== undefined]),
        [
          ['a', false],
          ['b', true],
          ['c', false],
        ],
      );
    });

    test('list fills each page past deleted secrets', async () => {
      const { store } = await fixture.open();
      await putNames(store, T, ['a', 'b', 'c', 'd', 'e', 'f']);
      await store.delete(T, 'a');
      await store.delete(T, 'c');
      await store.delete(T, 'd');

      const pages = await listAll(store, T, 2);

      assert.deepEqual(pages.flat(), ['b', 'e', 'f']);
      assert.equal(pages[0]?.length, 2);
    });

    test('list of a tenant without secrets is empty', async () => {
      const { store } = await fixture.open();

      const { secrets, cursor } = await store.list('nobody');

      assert.deepEqual(secrets, []);
      assert.equal(cursor, undefined);
    });
  });
}
