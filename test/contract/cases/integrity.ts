import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INTEGRITY_MESSAGE, IntegrityError } from '../../../src/errors.js';
import { expectRejection } from '../../support/errors.js';
import { alterEnvelope, copyEnvelope, forgeVersion } from '../../support/tamper.js';
import type { ContractFixture } from '../fixture.js';

const INTEGRITY = { code: 'ERR_INTEGRITY', message: INTEGRITY_MESSAGE };
const MARKER = 'moved-plaintext-marker';

async function expectIntegrityFailure(work: Promise<unknown>): Promise<void> {
  const error = await expectRejection(work, IntegrityError, INTEGRITY);
  assert.ok(!String(error.stack).includes(MARKER), 'the error never carries the plaintext');
}

export function integrityCases(fixture: ContractFixture): void {
  describe('moved or altered ciphertext', () => {
    test('rejects an envelope moved to another tenant', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);
      await store.put('globex', 'api-key', 'globex value');

      await copyEnvelope(
        storage,
        { tenant: 'acme', name: 'api-key', version: 1 },
        { tenant: 'globex', name: 'api-key', version: 1 },
      );

      await expectIntegrityFailure(store.get('globex', 'api-key'));
      assert.equal((await store.get('acme', 'api-key')).value.text(), MARKER);
    });

    test('rejects an envelope moved to another secret name', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);
      await store.put('acme', 'db-password', 'other value');

      await copyEnvelope(
        storage,
        { tenant: 'acme', name: 'api-key', version: 1 },
        { tenant: 'acme', name: 'db-password', version: 1 },
      );

      await expectIntegrityFailure(store.get('acme', 'db-password'));
    });

    test('rejects an envelope moved to another version of the same secret', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);
      await store.put('acme', 'api-key', 'second value');

      await copyEnvelope(
        storage,
        { tenant: 'acme', name: 'api-key', version: 1 },
        { tenant: 'acme', name: 'api-key', version: 2 },
      );

      await expectIntegrityFailure(store.get('acme', 'api-key'));
      await expectIntegrityFailure(store.get('acme', 'api-key', { version: 2 }));
    });

    test('rejects a forged version row carrying an older version envelope', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);
      const original = await storage.getVersion('acme', 'api-key', 1);
      assert.ok(original);

      const forged = await forgeVersion(
        storage,
        { tenant: 'acme', name: 'api-key' },
        original.envelope,
      );

      assert.equal(forged, 2);
      await expectIntegrityFailure(store.get('acme', 'api-key'));
    });

    test('rejects an envelope with one flipped byte anywhere', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);
      const stored = await storage.getVersion('acme', 'api-key', 1);
      assert.ok(stored);
      const at = { tenant: 'acme', name: 'api-key', version: 1 };
      const offsets = [0, 1, Math.floor(stored.envelope.length / 2), stored.envelope.length - 1];

      for (const offset of offsets) {
        await alterEnvelope(storage, at, (envelope) => {
          const changed = Uint8Array.from(envelope);
          changed[offset] = (changed[offset] ?? 0) ^ 0x01;
          return changed;
        });

        await expectIntegrityFailure(store.get('acme', 'api-key'));

        await alterEnvelope(storage, at, () => stored.envelope);
      }
      assert.equal((await store.get('acme', 'api-key')).value.text(), MARKER);
    });

    test('rejects a truncated envelope', async () => {
      const { store, storage } = await fixture.open();
      await store.put('acme', 'api-key', MARKER);

      await alterEnvelope(storage, { tenant: 'acme', name: 'api-key', version: 1 }, (envelope) =>
        envelope.subarray(0, envelope.length - 1),
      );

      await expectIntegrityFailure(store.get('acme', 'api-key'));
    });
  });
}
