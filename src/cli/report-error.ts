import type { Writable } from 'node:stream';
import { CommanderError } from 'commander';

/**
 * Writes an error as one line, `strongroom: <message>`; with `debug`, its stack and every
 * `cause` after it. Messages of strongroom's own errors never hold a value; commander's are
 * cleaned of anything after an `=` in an option, which is where a value passed by mistake sits.
 */
export function reportError(stream: Writable, error: unknown, debug: boolean): void {
  stream.write(`strongroom: ${messageOf(error)}\n`);
  if (!debug || error instanceof CommanderError) {
    // A parse error's stack is commander's internals, and holds the raw message besides.
    return;
  }

  let cause: unknown = error;
  for (let depth = 0; cause !== undefined && depth < 10; depth += 1) {
    const trace = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    stream.write(`${depth === 0 ? '' : 'caused by: '}${trace}\n`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof CommanderError) {
    // Commander quotes the argument it refused ("argument 'VALUE' is invalid"), and a value
    // typed where a name or number belongs may be a secret: leave every quoted argument out.
    const message = error.message
      .replace(/^error: /, '')
      .replace(/(--?[\w-]+)=[^'\s]*/g, '$1=…')
      .replace(/(argument|value|command) '[^']*'/g, "$1 '…'");
    return oneLine(message);
  }
  if (error instanceof Error) {
    return oneLine(error.message);
  }
  return 'unexpected failure';
}

// Control characters go too: a key id read from a stored envelope is attacker-chosen, and
// must not be able to rewrite a terminal or forge a log line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

function oneLine(message: string): string {
  return message
    .replace(/\s*\n\s*/g, ' ')
    .replace(CONTROL_CHARACTERS, '?')
    .trim();
}
