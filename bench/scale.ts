import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createSecretsTable } from '../src/storage/dynamodb-table.js';
import { newDynamoDbClient } from './clients.js';
import { countsSince, totalCalls } from './kms-counts.js';
import { type BenchServers, withServers } from './local-servers.js';
import { describeMachine } from './machine.js';
import { progress } from './progress.js';
import { loadNow, writeResults } from './results.js';
import type { ScaleDone, ScaleMark, ScaleStart } from './scale-protocol.js';
import { SCALE_CONTENDERS } from './scale-protocol.js';
import {
  renderScale,
  type ScalePhase,
  type ScaleReport,
  type ScaleResult,
  summarizeScale,
} from './scale-report.js';
import { isQuick, VALUE_BYTES } from './workload.js';

/** Which contenders run, comma-separated ids; the default store alone unless this says. */
export const SCALE_CONTENDERS_ENV = 'STRONGROOM_BENCH_SCALE_CONTENDERS';

const CONFIG = isQuick() ? { tenants: 2_000, hotOps: 2_000 } : { tenants: 50_000, hotOps: 30_000 };
/**
 * Puts are one GetItem and one TransactWriteItems each, which DynamoDB Local serves slowly one
 * at a time: many callers keep it busy. Gets use the end-to-end benchmark's widest setting.
 */
const PUT_CONCURRENCY = 64;
const GET_CONCURRENCY = 16;

function contenderIds(): string[] {
  const ids = (process.env[SCALE_CONTENDERS_ENV] ?? 'envelope-key-cache')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of ids) {
    if (!Object.hasOwn(SCALE_CONTENDERS, id)) {
      const known = Object.keys(SCALE_CONTENDERS).join(', ');
      throw new RangeError(`${SCALE_CONTENDERS_ENV}: unknown contender ${id} (known: ${known})`);
    }
  }

  return ids;
}

/**
 * Runs scale-client.ts in a child process under tsx, counting KMS calls at the server between
 * the marks it sends. The child is killed should this process exit first.
 */
function runClient(servers: BenchServers, start: ScaleStart): Promise<ScaleResult> {
  const child = fork(new URL('./scale-client.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);

  const kms = new Map<string, Record<string, number>>();
  let before: Record<string, number> = {};
  let done: ScaleDone['done'] | undefined;
  let failure: unknown;

  const onMark = async ({ mark, at }: ScaleMark) => {
    progress(`scale: ${start.contender}, ${mark} (${at === 'begin' ? 'running' : 'done'})`);
    const counts = await servers.kmsCounts();
    if (at === 'begin') {
      before = counts;
    } else {
      kms.set(mark, countsSince(before, counts));
    }
    child.send({ ack: true });
  };
  child.on('message', (message: ScaleMark | ScaleDone) => {
    if ('mark' in message) {
      onMark(message).catch((error: unknown) => {
        failure = error;
        kill();
      });
      return;
    }
    done = message.done;
  });

  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      process.off('exit', kill);
      if (failure !== undefined || done === undefined || code !== 0) {
        const why = failure ?? new Error(`the scale client exited with ${signal ?? code}`);
        reject(why);
        return;
      }

      const phases: ScalePhase[] = done.phases.map((phase) => {
        const byOperation = kms.get(phase.phase) ?? {};
        return { ...phase, kmsCalls: totalCalls(byOperation), kmsByOperation: byOperation };
      });
      resolve({
        contender: start.contender,
        baselineRssBytes: done.baselineRssBytes,
        peakRssBytes: done.peakRssBytes,
        phases,
      });
    });
    child.send(start);
  });
}

/**
 * Resident memory of plain Node after importing strongroom/aws from dist/, to set beside the
 * client's own figure, which runs under tsx; undefined when there is no build.
 */
async function plainNodeLoadedRss(): Promise<number | undefined> {
  const root = new URL('..', import.meta.url);
  if (!existsSync(new URL('dist/aws/index.js', root))) {
    return undefined;
  }

  const script =
    "await import('strongroom/aws'); process.stdout.write(String(process.memoryUsage().rss));";
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '--eval', script],
    { cwd: root },
  );
  return Number(stdout);
}

async function createTable(servers: BenchServers, tableName: string): Promise<void> {
  const client = newDynamoDbClient(servers);
  try {
    await createSecretsTable(client, tableName);
  } finally {
    client.destroy();
  }
}

/**
 * Benchmark 3, the article's case: one secret for each of 50,000 tenants, put, read back cold
 * through a fresh store, then a hot mix, with the client's peak resident memory.
 */
export async function runScale(): Promise<ScaleReport> {
  const started = performance.now();
  const loadAtStart = loadNow();
  const ids = contenderIds();

  return withServers(async (servers) => {
    const results: ScaleResult[] = [];
    for (const contender of ids) {
      const tableName = `bench-scale-${contender}`;
      await createTable(servers, tableName);
      const start: ScaleStart = {
        servers: { dynamoDbEndpoint: servers.dynamoDbEndpoint, kms: servers.kms },
        tableName,
        contender,
        tenants: CONFIG.tenants,
        hotOps: CONFIG.hotOps,
        putConcurrency: PUT_CONCURRENCY,
        getConcurrency: GET_CONCURRENCY,
      };
      results.push(await runClient(servers, start));
    }
    progress('');

    const report: ScaleReport = {
      benchmark: 'scale',
      date: new Date().toISOString(),
      machine: describeMachine(),
      durationMs: performance.now() - started,
      loadAverage: { start: loadAtStart, end: loadNow() },
      config: {
        ...CONFIG,
        putConcurrency: PUT_CONCURRENCY,
        getConcurrency: GET_CONCURRENCY,
        valueBytes: VALUE_BYTES,
        quick: isQuick(),
      },
      results,
      plainNodeLoadedRssBytes: await plainNodeLoadedRss(),
    };
    const summary = summarizeScale(report);
    await writeResults('scale', { ...report, ...summary }, renderScale(report, summary));

    return report;
  });
}
