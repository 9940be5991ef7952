import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/main.js';

/** What one CLI run printed and returned. */
export interface RunResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: Buffer;
  /** stdout as UTF-8 text. */
  readonly out: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly stdin?: string | Uint8Array;
  readonly env?: NodeJS.ProcessEnv;
  readonly isTTY?: boolean;
  readonly stderrIsTTY?: boolean;
}

/** A Writable that keeps copies of everything written to it. */
class Capture extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    // A copy: the CLI wipes value buffers once a write completes.
    this.chunks.push(Buffer.from(chunk));
    done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** A fresh data directory per test, removed afterwards, and in-process runs against it. */
export class Cli {
  readonly dataDir: string;
  /** Every run's result, for tests that scan all output. */
  readonly runs: RunResult[] = [];

  constructor(t: TestContext) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'strongroom-cli-'));
    t.after(() => rmSync(this.dataDir, { recursive: true, force: true }));
  }

  get env(): NodeJS.ProcessEnv {
    return { STRONGROOM_DATA_DIR: this.dataDir };
  }

  get databasePath(): string {
    return join(this.dataDir, 'strongroom.db');
  }

  get keyringPath(): string {
    return join(this.dataDir, 'keyring.json');
  }

  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const stdout = new Capture();
    const stderr = new Capture();
    const input = options.stdin === undefined ? [] : [Buffer.from(options.stdin)];

    const code = await runCli(args, {
      stdin: Readable.from(input),
      stdout,
      stderr,
      env: { ...this.env, ...options.env },
      isTTY: options.isTTY ?? false,
      stderrIsTTY: options.stderrIsTTY ?? false,
    });

    const bytes = stdout.bytes();
    const result = {
      args,
      code,
      stdout: bytes,
      out: bytes.toString('utf8'),
      stderr: stderr.text(),
    };
    this.runs.push(result);
    return result;
  }

  /** `put` that must succeed; returns the version. */
  async put(tenant: string, name: string, value: string | Uint8Array, args: string[] = []) {
    const result = await this.run(['put', tenant, name, ...args], { stdin: value });
    if (result.code !== 0) {
      throw new Error(`put failed with ${result.code}: ${result.stderr}`);
    }
    return Number(result.out);
  }

  /** Changes a stored envelope directly in SQLite, as an attacker with table access could. */
  editEnvelope(
    target: { tenant: string; name: string; version: number },
    edit: (envelope: Buffer, db: Database.Database) => Buffer,
  ): void {
    const db = new Database(this.databasePath);
    try {
      const row = db
        .prepare('SELECT envelope FROM versions WHERE tenant = ? AND name = ? AND version = ?')
        .get(target.tenant, target.name, target.version) as { envelope: Buffer } | undefined;
      if (row === undefined) {
        throw new Error('no such version row');
      }
      db.prepare(
        'UPDATE versions SET envelope = ? WHERE tenant = ? AND name = ? AND version = ?',
      ).run(edit(row.envelope, db), target.tenant, target.name, target.version);
    } finally {
      db.close();
    }
  }

  /** Reads a stored envelope directly from SQLite. */
  readEnvelope(target: { tenant: string; name: string; version: number }): Buffer {
    let envelope: Buffer | undefined;
    this.editEnvelope(target, (stored) => {
      envelope = Buffer.from(stored);
      return stored;
    });
    return envelope as Buffer;
  }
}

/** The real executable, spawned: `node --import tsx src/cli/bin.ts ...` in the repository. */
export function spawnCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; stdin?: Uint8Array | string },
): Promise<RunResult> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('STRONGROOM_')) {
      delete env[key];
    }
  }

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: new URL('../../', import.meta.url),
    env: { ...env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end(options.stdin === undefined ? undefined : Buffer.from(options.stdin));

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(stdout);
      resolve({
        args,
        code: code ?? -1,
        stdout: bytes,
        out: bytes.toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
