import { join } from 'node:path';
import { createKeyring, rotateKeyring } from '../../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../../src/keys/local/local-key-provider.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { SqliteBackend } from '../../src/storage/sqlite-backend.js';
import type { StorageBackend } from '../../src/storage/storage-backend.js';
import type { SealMode } from '../../src/store/envelopes.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';
import { type ContractPair, runContractSuite } from './contract-suite.js';

/** The local keyring provider over `storage`, able to rotate to a keyring with one more key. */
function localPair(
  storage: StorageBackend,
  mode: SealMode,
  cleanup: () => Promise<void>,
  tenantKeys = false,
) {
  const keyring = createKeyring();
  const pair: ContractPair = {
    keys: new LocalKeyProvider(keyring),
    storage,
    mode,
    tenantKeys,
    rotate: async () => new LocalKeyProvider(rotateKeyring(keyring)),
    cleanup,
  };

  return pair;
}

const backends: Record<
  string,
  () => Promise<{ storage: StorageBackend; cleanup(): Promise<void> }>
> = {
  memory: async () => ({ storage: new MemoryBackend(), cleanup: async () => {} }),
  'SQLite file': async () => {
    const dir = makeTempDir();
    const storage = new SqliteBackend(join(dir, 'strongroom.db'));
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        removeTempDir(dir);
      },
    };
  },
};

for (const [backend, open] of Object.entries(backends)) {
  for (const mode of ['envelope', 'direct'] as const) {
    runContractSuite(`${backend} + local keyring, ${mode} mode`, async () => {
      const { storage, cleanup } = await open();
      return localPair(storage, mode, cleanup);
    });
  }
}

// The same contract with the per-tenant key layer between the master key and the data keys.
runContractSuite('memory + local keyring, per-tenant keys', async () =>
  localPair(new MemoryBackend(), 'envelope', async () => {}, true),
);
