import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the system's temp directory; remove it with {@link removeTempDir}. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strongroom-test-'));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The permission bits of a file mode, for example `0o600`. */
export function permissions(mode: number): number {
  return mode & 0o777;
}
