import type { KeyProvider } from '../../src/keys/key-provider.js';
import { countCalls } from './counting-proxy.js';

/** A key provider that records every method called on it, by name. */
export interface CountingKeys {
  readonly keys: KeyProvider;
  readonly calls: string[];
}

/** Wraps a key provider, to prove an operation never reaches it (or how often it does). */
export function countKeyCalls(keys: KeyProvider): CountingKeys {
  const { proxy, calls } = countCalls(keys);
  return { keys: proxy, calls };
}
