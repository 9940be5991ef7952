import type { StorageBackend } from '../../src/storage/storage-backend.js';

/** A storage backend that records every method called on it, by name. */
export interface CountingStorage {
  readonly storage: StorageBackend;
  readonly calls: string[];
}

/**
 * Wraps a storage backend in a proxy that records each method call, to prove a read was served
 * without reaching storage. Optional methods the backend lacks stay absent, so the store's
 * fallbacks are taken as they would be without the proxy.
 */
export function countStorageCalls(storage: StorageBackend): CountingStorage {
  const calls: string[] = [];
  const proxy = new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') {
        return value;
      }

      return (...args: unknown[]) => {
        calls.push(String(property));
        return value.apply(target, args);
      };
    },
  });

  return { storage: proxy, calls };
}
