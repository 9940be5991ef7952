import { after, before } from 'node:test';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { type KmsForTests, kmsForTests } from '../support/kms.js';
import { runContractSuite } from './contract-suite.js';

// The contract suite, unchanged, over AWS KMS: the SDK's KMSClient talking HTTP to the KMS test
// server. Rotation here is moving to another KMS key, which rewrap does with ReEncrypt.
let kms: KmsForTests;

before(async () => {
  kms = await kmsForTests();
});

after(async () => {
  await kms.close();
});

for (const mode of ['envelope', 'direct'] as const) {
  runContractSuite(`memory + AWS KMS (test server), ${mode} mode`, async () => ({
    keys: await kms.newProvider(),
    storage: new MemoryBackend(),
    mode,
    rotate: () => kms.newProvider(),
    cleanup: async () => {},
  }));
}
