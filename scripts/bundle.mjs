/**
 * `npm run build`, after tsc: bundles each public entry point of dist/ (as tsc emitted it) into
 * one module, with the code they share in chunks and every package left external, then removes
 * the tsc output the bundles replace (the .d.ts files stay: they are the types).
 *
 * Why: Node 20 spends about 1 to 1.5 ms opening, compiling and linking each ES module, and
 * `strongroom/aws` is some 50 of them; bundled, importing strongroom with its AWS adapters costs
 * about what the two AWS SDK clients cost alone (bench/results/import-time.md), which matters in
 * a Lambda cold start. Chunks, not one bundle per entry, keep one copy of every class, so an
 * error thrown through `strongroom/aws` is still an instance of the class `strongroom` exports.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const ENTRIES = ['index.js', 'aws/index.js', 'cdk/index.js', 'cli/bin.js'];

const result = await build({
  entryPoints: ENTRIES.map((entry) => join(DIST, entry)),
  outdir: DIST,
  outbase: DIST,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const kept = new Set(Object.keys(result.metafile.outputs).map((path) => relative(DIST, path)));
for (const file of readdirSync(DIST, { recursive: true })) {
  const path = String(file);
  const emitted = path.endsWith('.js') || path.endsWith('.js.map');
  if (emitted && !kept.has(path)) {
    rmSync(join(DIST, path));
  }
}
