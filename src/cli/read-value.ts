import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ValueTooLargeError } from '../errors.js';
import { MAX_VALUE_BYTES } from '../store/validation.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

/** Where `put` takes its value from and what it does to it. */
export interface ReadValueOptions {
  /** Read this file instead of stdin. */
  readonly file?: string;
  /** Accept zero bytes as the value. */
  readonly allowEmpty?: boolean;
  /** Drop one trailing `\n` (or `\r\n`), as `echo` and most editors add one. */
  readonly trimNewline?: boolean;
}

/**
 * Reads the value for `put` from stdin or `--file`, byte-exact unless `trimNewline`. Never from
 * an argument: arguments show in shell history and in every process listing. The caller owns
 * the returned buffer and should wipe it.
 */
export async function readValue(io: CliIo, options: ReadValueOptions): Promise<Buffer> {
  const where = options.file === undefined ? 'stdin' : `file ${options.file}`;
  if (options.file === undefined && io.isTTY) {
    io.stderr.write('strongroom: reading the value from stdin; end with Ctrl-D\n');
  }

  const source = options.file === undefined ? io.stdin : createReadStream(options.file);
  let value = await readAll(source, where);

  if (options.trimNewline) {
    const cut = value.at(-1) === 0x0a ? (value.at(-2) === 0x0d ? 2 : 1) : 0;
    value = value.subarray(0, value.length - cut);
  }
  if (value.length === 0 && !options.allowEmpty) {
    const preposition = options.file === undefined ? 'on' : 'in';
    throw new UsageError(
      `no value ${preposition} ${where} (pass --allow-empty to store an empty value)`,
    );
  }

  return value;
}

async function readAll(source: Readable, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;

  try {
    for await (const chunk of source) {
      const bytes = toBuffer(chunk);
      size += bytes.length;
      chunks.push(bytes);
      if (size > MAX_VALUE_BYTES) {
        // Keep counting to report the real size, but hold nothing of a value that will be refused.
        wipe(chunks);
        chunks.length = 0;
      }
    }
  } catch (error) {
    wipe(chunks);
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new UsageError(`cannot read the value from ${where} (${code})`, { cause: error });
  }

  if (size > MAX_VALUE_BYTES) {
    throw new ValueTooLargeError(size, MAX_VALUE_BYTES);
  }

  // Buffer.alloc, not concat: concat may carve small buffers out of Node's shared pool.
  const value = Buffer.alloc(size);
  let offset = 0;
  for (const chunk of chunks) {
    value.set(chunk, offset);
    offset += chunk.length;
  }
  wipe(chunks);

  return value;
}

function toBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, 'utf8');
  }
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError('stdin must yield bytes or strings');
}

function wipe(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    chunk.fill(0);
  }
}
