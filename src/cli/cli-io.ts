import type { Readable, Writable } from 'node:stream';

/**
 * The streams and environment one CLI run uses. `bin.ts` passes the process's own; tests pass
 * in-memory streams, so a run never touches `process` directly.
 */
export interface CliIo {
  /** Where `put` reads a value. Chunks read from it are wiped once the value is assembled. */
  readonly stdin: Readable;
  /** Data only: values, numbers, tables, JSON documents. */
  readonly stdout: Writable;
  /** Diagnostics only: errors, hints, progress, notices. */
  readonly stderr: Writable;
  /** Read for the data directory and the keyring, never copied into output. */
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdin is an interactive terminal (then `put` prints how to end the value). */
  readonly isTTY?: boolean;
  /** Whether stderr is an interactive terminal (then `rewrap` shows its progress). */
  readonly stderrIsTTY?: boolean;
}
