/**
 * A command line that cannot run as given: a missing confirmation, a value passed as an
 * argument, an empty stdin. The CLI exits with code 2 for it, as for commander's own errors.
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
