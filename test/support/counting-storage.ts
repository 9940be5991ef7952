import type { StorageBackend } from '../../src/storage/storage-backend.js';
import { countCalls } from './counting-proxy.js';

/** A storage backend that records every method called on it, by name. */
export interface CountingStorage {
  readonly storage: StorageBackend;
  readonly calls: string[];
}

/** Wraps a storage backend, to prove a read was served without reaching storage. */
export function countStorageCalls(storage: StorageBackend): CountingStorage {
  const { proxy, calls } = countCalls(storage);
  return { storage: proxy, calls };
}
