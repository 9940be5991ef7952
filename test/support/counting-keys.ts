import type { KeyProvider } from '../../src/keys/key-provider.js';

/** A key provider that records every method called on it, by name. */
export interface CountingKeys {
  readonly keys: KeyProvider;
  readonly calls: string[];
}

/**
 * Wraps a key provider in a proxy that records each method call, to prove an operation never
 * reaches the provider. Methods and getters run on the provider itself, so its private fields
 * keep working.
 */
export function countKeyCalls(keys: KeyProvider): CountingKeys {
  const calls: string[] = [];
  const proxy = new Proxy(keys, {
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

  return { keys: proxy, calls };
}
