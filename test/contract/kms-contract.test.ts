import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { kmsForTestFile } from '../support/kms.js';
import { runContractSuite } from './contract-suite.js';

// The contract suite, unchanged, over AWS KMS: the SDK's KMSClient talking HTTP to the KMS test
// server. Rotation here is moving to another KMS key, which rewrap does with ReEncrypt.
const kms = kmsForTestFile();

for (const mode of ['envelope', 'direct'] as const) {
  runContractSuite(`memory + AWS KMS (test server), ${mode} mode`, async () => {
    const keys = await kms.newProvider();

    return {
      keys,
      storage: new MemoryBackend(),
      mode,
      // A new key that trusts the old one, as a store must until its rewrap completes.
      rotate: () => kms.newProvider([keys.keyId]),
      cleanup: async () => {},
    };
  });
}
