import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../../src/errors.js';
import { openStore, type SecretStore } from '../../../src/store/store.js';
import type { StoreOptions } from '../../../src/store/types.js';
import { expectRejection, expectThrow } from '../../support/errors.js';
import type { ContractFixture } from '../fixture.js';

const T = 'acme';
const N = 'api-key';

const TENANT_RULE =
  'invalid tenant: use 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit';
const NAME_RULE =
  'invalid secret name: use 1 to 256 of A-Z a-z 0-9 . _ - / + = @, starting with a letter or digit';
const LABEL_RULE = 'invalid label: use 1 to 64 of A-Z a-z 0-9 _ -, starting with a letter';

const BAD_TENANTS: [string, unknown][] = [
  ['empty', ''],
  ['129 characters long', 'a'.repeat(129)],
  ['with a space', 'acme corp'],
  ['with a #', 'acme#1'],
  ['with a /', 'acme/eu'],
  ['starting with -', '-acme'],
  ['not ASCII', 'äcme'],
  ['not a string', 42],
];

const BAD_NAMES: [string, unknown][] = [
  ['empty', ''],
  ['257 characters long', 'n'.repeat(257)],
  ['with a #', 'db#password'],
  ['with a space', 'db password'],
  ['starting with /', '/db'],
  ['starting with .', '.env'],
  ['with a newline', 'db\npassword'],
  ['not a string', undefined],
];

const BAD_LABELS: [string, unknown][] = [
  ['empty', ''],
  ['65 characters long', 'l'.repeat(65)],
  ['starting with a digit', '1st'],
  ['with a space', 'pending label'],
  ['with a /', 'pending/x'],
];

const BAD_VERSIONS: [string, unknown][] = [
  ['0', 0],
  ['negative', -1],
  ['fractional', 1.5],
  ['NaN', Number.NaN],
  ['infinite', Number.POSITIVE_INFINITY],
  ['a numeric string', '1'],
];

/** The store typed loosely, to pass what TypeScript callers cannot but JavaScript ones can. */
interface LooseStore {
  put(tenant: unknown, name: unknown, value: unknown, options?: unknown): Promise<unknown>;
  get(tenant: unknown, name: unknown, options?: unknown): Promise<unknown>;
  describe(tenant: unknown, name: unknown): Promise<unknown>;
  list(tenant: unknown, options?: unknown): Promise<unknown>;
  versions(tenant: unknown, name: unknown): Promise<unknown>;
  moveLabel(tenant: unknown, name: unknown, label: unknown, version: unknown): Promise<unknown>;
  removeLabel(tenant: unknown, name: unknown, label: unknown): Promise<unknown>;
  rollback(tenant: unknown, name: unknown, options?: unknown): Promise<unknown>;
  delete(tenant: unknown, name: unknown): Promise<unknown>;
  purge(tenant: unknown, name: unknown): Promise<unknown>;
}

function loose(store: SecretStore): LooseStore {
  return store as unknown as LooseStore;
}

async function expectInvalid(work: Promise<unknown>, message: string | RegExp): Promise<void> {
  await expectRejection(work, InvalidInputError, { code: 'ERR_INVALID_INPUT', message });
}

export function badInputCases(fixture: ContractFixture): void {
  describe('bad input', () => {
    for (const [what, tenant] of BAD_TENANTS) {
      test(`refuses a tenant ${what} on every operation, writing nothing`, async () => {
        const { store, storage } = await fixture.open();
        const s = loose(store);

        await expectInvalid(s.put(tenant, N, 'value'), TENANT_RULE);
        await expectInvalid(s.get(tenant, N), TENANT_RULE);
        await expectInvalid(s.describe(tenant, N), TENANT_RULE);
        await expectInvalid(s.list(tenant), TENANT_RULE);
        await expectInvalid(s.delete(tenant, N), TENANT_RULE);

        assert.equal(await storage.hasData(), false);
      });
    }

    for (const [what, name] of BAD_NAMES) {
      test(`refuses a secret name ${what}, writing nothing`, async () => {
        const { store, storage } = await fixture.open();
        const s = loose(store);

        await expectInvalid(s.put(T, name, 'value'), NAME_RULE);
        await expectInvalid(s.get(T, name), NAME_RULE);
        await expectInvalid(s.versions(T, name), NAME_RULE);
        await expectInvalid(s.purge(T, name), NAME_RULE);

        assert.equal(await storage.hasData(), false);
      });
    }

    test('accepts the longest tenant and name and every allowed character', async () => {
      const { store } = await fixture.open();
      const tenant = `A${'a'.repeat(126)}9`;
      const name = `0aZ9${'._-/+=@'.repeat(40)}`.slice(0, 256);

      await store.put(tenant, name, 'value');

      assert.equal(tenant.length, 128);
      assert.equal(name.length, 256);
      assert.equal((await store.get(tenant, name)).value.text(), 'value');
    });

    for (const [what, label] of BAD_LABELS) {
      test(`refuses a label ${what}, moving nothing`, async () => {
        const { store } = await fixture.open();
        await store.put(T, N, 'value');
        const s = loose(store);

        await expectInvalid(s.moveLabel(T, N, label, 1), LABEL_RULE);
        await expectInvalid(s.get(T, N, { label }), LABEL_RULE);
        await expectInvalid(s.removeLabel(T, N, label), LABEL_RULE);

        assert.deepEqual((await store.describe(T, N)).labels, { current: 1 });
      });
    }

    for (const [what, version] of BAD_VERSIONS) {
      test(`refuses a version that is ${what}`, async () => {
        const { store } = await fixture.open();
        await store.put(T, N, 'value');
        const s = loose(store);

        await expectInvalid(
          s.get(T, N, { version }),
          'invalid options.version: must be an integer >= 1',
        );
        await expectInvalid(
          s.moveLabel(T, N, 'pending', version),
          'invalid version: must be an integer >= 1',
        );
        await expectInvalid(
          s.rollback(T, N, { version }),
          'invalid options.version: must be an integer >= 1',
        );

        assert.deepEqual((await store.describe(T, N)).labels, { current: 1 });
      });
    }

    test('refuses an expectedVersion that is negative or fractional, writing nothing', async () => {
      const { store, storage } = await fixture.open();
      const message = 'invalid options.expectedVersion: must be an integer >= 0';

      await expectInvalid(store.put(T, N, 'value', { expectedVersion: -1 }), message);
      await expectInvalid(store.put(T, N, 'value', { expectedVersion: 0.5 }), message);

      assert.equal(await storage.hasData(), false);
    });

    test('refuses a value that is neither a string nor bytes, writing nothing', async () => {
      const { store, storage } = await fixture.open();
      const s = loose(store);

      const work = s.put(T, N, 42);

      await expectInvalid(work, 'invalid value: must be a string or a Uint8Array');
      assert.equal(await storage.hasData(), false);
    });

    test('refuses a get with both a version and a label', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'value');

      const work = store.get(T, N, { version: 1, label: 'current' });

      await expectInvalid(work, 'invalid options: give a version or a label, not both');
    });

    test('refuses a list limit outside 1 to 1000', async () => {
      const { store } = await fixture.open();
      const message = 'invalid options.limit: must be an integer from 1 to 1000';

      await expectInvalid(store.list(T, { limit: 0 }), message);
      await expectInvalid(store.list(T, { limit: 1001 }), message);
      await expectInvalid(store.list(T, { limit: 2.5 }), message);
    });

    test('refuses bad description, tags and content type, writing nothing', async () => {
      const { store, storage } = await fixture.open();

      await expectInvalid(
        store.put(T, N, 'v', { description: 'd'.repeat(2049) }),
        /^invalid options\.description: /,
      );
      await expectInvalid(
        store.put(T, N, 'v', { tags: { 'bad#key': 'x' } }),
        /^invalid options\.tags: /,
      );
      await expectInvalid(
        store.put(T, N, 'v', { tags: { key: 'bad\nvalue' } }),
        /^invalid options\.tags: /,
      );
      await expectInvalid(
        store.put(T, N, 'v', { contentType: '' }),
        /^invalid options\.contentType: /,
      );

      assert.equal(await storage.hasData(), false);
    });

    test('openStore refuses a bad mode, maxVersions or recovery window', async () => {
      const { pair } = await fixture.open();
      const base = { keys: pair.keys, storage: pair.storage };
      const bad: [Partial<Record<keyof StoreOptions, unknown>>, string][] = [
        [{ mode: 'kms' }, "invalid options.mode: must be 'envelope' or 'direct'"],
        [{ maxVersions: 0 }, 'invalid options.maxVersions: must be an integer >= 1'],
        [{ maxVersions: 2.5 }, 'invalid options.maxVersions: must be an integer >= 1'],
        [
          { recoveryWindowDays: 400 },
          'invalid options.recoveryWindowDays: must be an integer from 1 to 365 days',
        ],
      ];

      for (const [options, message] of bad) {
        const work = () => openStore({ ...base, ...options } as StoreOptions);

        expectThrow(work, InvalidInputError, { code: 'ERR_INVALID_INPUT', message });
      }
    });

    test('refuses a recovery window outside 1 to 365 days, deleting nothing', async () => {
      const { store } = await fixture.open();
      await store.put(T, N, 'value');
      const message = 'invalid options.recoveryWindowDays: must be an integer from 1 to 365 days';

      await expectInvalid(store.delete(T, N, { recoveryWindowDays: 0 }), message);
      await expectInvalid(store.delete(T, N, { recoveryWindowDays: 366 }), message);

      assert.equal((await store.get(T, N)).value.text(), 'value');
    });
  });
}
