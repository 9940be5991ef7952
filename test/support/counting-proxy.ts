/**
 * Wraps an object in a proxy that records each method call by name, to prove an operation did
 * or did not reach it. Methods and getters run on the object itself, so its private fields keep
 * working, and optional methods it lacks stay absent, so callers take their fallbacks as they
 * would without the proxy.
 */
export function countCalls<T extends object>(target: T): { proxy: T; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') {
        return value;
      }

      return (...args: unknown[]) => {
        calls.push(String(property));
        return value.apply(object, args);
      };
    },
  });

  return { proxy, calls };
}
