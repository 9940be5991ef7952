import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type ImportRun,
  type ImportTimeReport,
  renderImportTime,
  summarizeImportTime,
} from './import-time-report.js';
import { describeMachine } from './machine.js';
import { progress } from './progress.js';
import { loadNow, writeResults } from './results.js';
import { isQuick } from './workload.js';

const run = promisify(execFile);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = isQuick() ? 5 : 40;
/** The first runs warm the file system cache and are discarded. */
const WARM_UP = 3;

/**
 * What each fresh process imports. `strongroom` resolves through the package's own exports (a
 * self-reference from its root), so it loads dist/ exactly as an installed copy would.
 */
const VARIANTS = {
  strongroom: ['strongroom', 'strongroom/aws'],
  'aws-sdk': ['@aws-sdk/client-dynamodb', '@aws-sdk/client-kms'],
  // What a Lambda on the AWS path loads: no SQLite, no local keyring.
  'strongroom-aws-only': ['strongroom/aws'],
} as const;

type Variant = keyof typeof VARIANTS;

/** The script a child runs: the imports in order, timed from inside, then its figures. */
function script(specifiers: readonly string[]): string {
  const imports = specifiers.map((specifier) => `await import(${JSON.stringify(specifier)});`);

  return [
    'const start = performance.now();',
    ...imports,
    'const importMs = performance.now() - start;',
    'process.stdout.write(JSON.stringify({ importMs, rss: process.memoryUsage().rss }));',
  ].join('\n');
}

/** One fresh `node` process: the import time it measured, and the whole process's wall time. */
async function once(variant: Variant): Promise<ImportRun> {
  const begun = performance.now();
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '--eval', script(VARIANTS[variant])],
    { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const processMs = performance.now() - begun;
  const { importMs, rss } = JSON.parse(stdout) as { importMs: number; rss: number };

  return { variant, importMs, processMs, rssBytes: rss };
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }

  return latest;
}

/** dist/ must exist; a dist/ older than src/ is measured but flagged, since it may lag. */
function checkBuild(): { builtAt: string; stale: boolean } {
  const entries = ['dist/index.js', 'dist/aws/index.js'].map((path) => join(ROOT, path));
  if (!entries.every((path) => existsSync(path))) {
    throw new Error('import-time measures dist/: run `npm run build` first');
  }

  const built = Math.min(...entries.map((path) => statSync(path).mtimeMs));
  return {
    builtAt: new Date(built).toISOString(),
    stale: newest(join(ROOT, 'src')) > newest(join(ROOT, 'dist')),
  };
}

/**
 * Benchmark 4: how long a cold process takes to import strongroom and strongroom/aws, against
 * the two AWS SDK clients strongroom/aws loads anyway. Fresh `node` processes, the variants
 * taking turns (which goes first rotates every round), medians of many runs.
 */
export async function runImportTime(): Promise<ImportTimeReport> {
  const started = performance.now();
  const loadAtStart = loadNow();
  const build = checkBuild();
  const variants = Object.keys(VARIANTS) as Variant[];

  const runs: ImportRun[] = [];
  for (let round = 0; round < WARM_UP + RUNS; round += 1) {
    progress(`import-time: round ${round + 1}/${WARM_UP + RUNS} (${WARM_UP} to warm up)`);
    const order = variants.map((_, turn) => variants[(turn + round) % variants.length] as Variant);
    for (const variant of order) {
      const result = await once(variant);
      if (round >= WARM_UP) {
        runs.push(result);
      }
    }
  }
  progress('');

  const report: ImportTimeReport = {
    benchmark: 'import-time',
    date: new Date().toISOString(),
    machine: describeMachine(),
    durationMs: performance.now() - started,
    loadAverage: { start: loadAtStart, end: loadNow() },
    config: { runs: RUNS, warmUp: WARM_UP, quick: isQuick() },
    build,
    variants: variants.map((id) => ({ id, imports: [...VARIANTS[id]] })),
    runs,
  };
  const summary = summarizeImportTime(report);
  await writeResults('import-time', { ...report, ...summary }, renderImportTime(report, summary));

  return report;
}
