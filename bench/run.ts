/**
 * `npm run bench`: every benchmark in this folder, one after another, in one process, then the
 * chart of their headline figures. `npm run bench -- end-to-end scale` runs only those named
 * (`chart` alone redraws the chart); the chart is redrawn after any run, from whatever
 * bench/results/ holds. Results go to bench/results/ as JSON and Markdown, the Markdown also to
 * stdout; progress goes to stderr, on a terminal only. STRONGROOM_BENCH_QUICK=1 scales every
 * benchmark down to check the harness; its figures are marked as not results.
 */
import { performance } from 'node:perf_hooks';
import { drawChart } from './chart.js';
import { runEndToEnd } from './end-to-end.js';
import { runImportTime } from './import-time.js';
import { runScale } from './scale.js';
import { runSealOpen } from './seal-open.js';

const BENCHMARKS: Readonly<Record<string, () => Promise<unknown>>> = {
  'seal-open': runSealOpen,
  'end-to-end': runEndToEnd,
  scale: runScale,
  'import-time': runImportTime,
  chart: async () => undefined,
};

// The SDK warns on every process on Node 20 (its releases after January 2027 need 22), in every
// child process the benchmarks start too; the CLI hides it the same way unless the user set it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= '1';

// A Ctrl-C or a kill exits through process.exit, so that the exit hooks that stop DynamoDB
// Local, the KMS server and the scale client run; an unhandled signal would skip them.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !Object.hasOwn(BENCHMARKS, name));
if (unknown.length > 0) {
  const known = Object.keys(BENCHMARKS).join(', ');
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${known}\n`);
  process.exit(2);
}

const started = performance.now();
for (const name of asked.length === 0 ? Object.keys(BENCHMARKS) : asked) {
  const run = BENCHMARKS[name] as () => Promise<unknown>;
  try {
    await run();
  } catch (error) {
    // The benchmark has stopped what it started; say which one failed, and why, once.
    process.stderr.write(`\nbenchmark ${name} failed: ${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  }
}

const chart = await drawChart();
const seconds = Math.round((performance.now() - started) / 1000);
process.stdout.write(`${chart === undefined ? 'no results to chart' : `chart: ${chart}`}\n`);
process.stdout.write(`bench time: ${seconds} s\n`);
