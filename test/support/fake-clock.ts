/** One day in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A clock that only moves when told, for the store's `now` option: recovery windows and
 * expiry are tested by moving it, never by waiting.
 */
export class FakeClock {
  #now: number;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  /** Pass as `now`; bound, so it can be handed over on its own. */
  readonly now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  /** A Date `ms` from now. */
  later(ms: number): Date {
    return new Date(this.#now + ms);
  }
}
