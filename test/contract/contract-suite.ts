import { afterEach, describe } from 'node:test';
import { badInputCases } from './cases/bad-input.js';
import { batchReadCases } from './cases/batch-reads.js';
import { checkAndSetCases } from './cases/check-and-set.js';
import { concurrencyCases } from './cases/concurrency.js';
import { deletionCases } from './cases/deletion.js';
import { eventCases } from './cases/events.js';
import { integrityCases } from './cases/integrity.js';
import { keyCacheCases } from './cases/key-cache.js';
import { labelCases } from './cases/labels.js';
import { listingCases } from './cases/listing.js';
import { redactionCases } from './cases/redaction.js';
import { retentionCases } from './cases/retention.js';
import { rewrapCases } from './cases/rewrap.js';
import { valueCacheCases } from './cases/value-cache.js';
import { valueCases } from './cases/values.js';
import { ContractFixture, type MakePair } from './fixture.js';

export type { ContractPair, MakePair } from './fixture.js';

/**
 * Registers every behavioural test of the store against one key provider and storage backend.
 * The tests reach the pair only through `openStore` and the `KeyProvider` and `StorageBackend`
 * interfaces, so a new backend or provider joins by calling this with its own `makePair`.
 *
 * @example
 * runContractSuite('memory + local, envelope', async () => ({
 *   keys: new LocalKeyProvider(createKeyring()),
 *   storage: new MemoryBackend(),
 *   async cleanup() {},
 * }));
 */
export function runContractSuite(name: string, makePair: MakePair): void {
  describe(name, () => {
    const fixture = new ContractFixture(makePair);
    afterEach(() => fixture.cleanup());

    valueCases(fixture);
    checkAndSetCases(fixture);
    listingCases(fixture);
    labelCases(fixture);
    deletionCases(fixture);
    retentionCases(fixture);
    rewrapCases(fixture);
    integrityCases(fixture);
    concurrencyCases(fixture);
    eventCases(fixture);
    redactionCases(fixture);
    badInputCases(fixture);
    batchReadCases(fixture);
    keyCacheCases(fixture);
    valueCacheCases(fixture);
  });
}
