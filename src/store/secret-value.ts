import { inspect } from 'node:util';

const REDACTED = '[redacted]';
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A decrypted value that does not show itself: `String()`, template literals, `console.log`,
 * `util.inspect` and `JSON.stringify` all give `[redacted]`. Read it with {@link bytes} or
 * {@link text}, and {@link wipe} it when done.
 */
export class SecretValue {
  readonly #bytes: Uint8Array;

  /** Keeps `bytes` itself, not a copy: the store hands over a buffer nobody else holds. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get byteLength(): number {
    return this.#bytes.length;
  }

  /** A copy of the value's bytes. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** The value as UTF-8 text; a TypeError if it is not valid UTF-8. */
  text(): string {
    return decoder.decode(this.#bytes);
  }

  /** Overwrites the value with zeros; later reads give zeros. */
  wipe(): void {
    this.#bytes.fill(0);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
