import { randomBytes } from 'node:crypto';

/** Set to 1 for a quick run: every benchmark scaled down, for checking the harness only. */
export const QUICK_ENV = 'STRONGROOM_BENCH_QUICK';

/** True when {@link QUICK_ENV} asks for a quick run. Figures from one are not results. */
export function isQuick(): boolean {
  return process.env[QUICK_ENV] === '1';
}

/** The value size of every end-to-end and scale secret: the cost model's 1 KB secret. */
export const VALUE_BYTES = 1024;

/**
 * Values to write, made once: random base64 text (nodecredstash stores text only), each
 * {@link VALUE_BYTES} long. Writers cycle through them, so no contender pays for randomness.
 */
export function valuePool(count = 64): readonly string[] {
  const raw = Math.ceil((VALUE_BYTES * 3) / 4);

  return Array.from({ length: count }, () =>
    randomBytes(raw).toString('base64').slice(0, VALUE_BYTES),
  );
}

/**
 * A small seeded generator (mulberry32), so that every contender reads the same sequence of
 * secrets in the same order.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The items in an order shuffled by `random` (Fisher-Yates), as a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let at = copy.length - 1; at > 0; at -= 1) {
    const other = Math.floor(random() * (at + 1));
    [copy[at], copy[other]] = [copy[other] as T, copy[at] as T];
  }

  return copy;
}
