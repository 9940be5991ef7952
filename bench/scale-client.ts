/**
 * The client of the scale benchmark, alone in its process so that the peak resident memory it
 * reports is the client's, not DynamoDB Local's or the harness's: started by scale.ts over IPC,
 * never by hand. It puts one secret for each of many tenants, reads them all back through a
 * fresh store, then runs a hot mix on that store, telling the parent where each phase begins
 * and ends so that the parent can count KMS calls at the server.
 */
import { openAwsStore } from '../src/aws/aws-store.js';
import { newDynamoDbClient, newKmsClient } from './clients.js';
import { type LoadResult, runLoad, summarizeLoad } from './load.js';
import {
  HOT_MIX,
  SCALE_CONTENDERS,
  type ScaleClientPhase,
  type ScaleDone,
  type ScaleMark,
  type ScalePhaseName,
  type ScaleStart,
} from './scale-protocol.js';
import { seededRandom, valuePool } from './workload.js';

const SECRET = 'api-key';
const { putShare, hotShare, hotFraction } = HOT_MIX;

function send(message: ScaleMark | ScaleDone): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send?.(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Tells the parent and waits for its answer, so that no call of the phase escapes its count. */
async function mark(phase: ScalePhaseName, at: ScaleMark['at']): Promise<void> {
  const answered = new Promise((resolve) => process.once('message', resolve));
  await send({ mark: phase, at });
  await answered;
}

function tenantAt(at: number): string {
  return `tenant-${String(at).padStart(6, '0')}`;
}

function peakRssBytes(): number {
  // maxRSS is in kibibytes on Linux and macOS.
  return process.resourceUsage().maxRSS * 1024;
}

async function phase(
  name: ScalePhaseName,
  work: () => Promise<LoadResult>,
): Promise<ScaleClientPhase> {
  await mark(name, 'begin');
  const result = await work();
  await mark(name, 'end');

  return {
    phase: name,
    ops: result.ops,
    elapsedMs: result.elapsedMs,
    ...summarizeLoad(result),
    maxRssBytes: peakRssBytes(),
    heapUsedBytes: process.memoryUsage().heapUsed,
  };
}

function openStore(start: ScaleStart) {
  const dynamoDb = newDynamoDbClient(start.servers);
  const kms = newKmsClient(start.servers);
  const { store } = openAwsStore({
    ...SCALE_CONTENDERS[start.contender],
    tableName: start.tableName,
    kmsKeyId: start.servers.kms.keyArn,
    dynamoDb,
    kms,
  });

  return {
    store,
    async close() {
      await store.close();
      dynamoDb.destroy();
      kms.destroy();
    },
  };
}

async function run(start: ScaleStart): Promise<ScaleDone['done']> {
  const baselineRssBytes = process.memoryUsage().rss;
  const values = valuePool();
  const valueFor = (tenant: number) => values[tenant % values.length] as string;
  const { tenants } = start;
  const phases: ScaleClientPhase[] = [];

  // Writes through one store, as a service's writer would.
  const writer = openStore(start);
  try {
    const put = (at: number) => writer.store.put(tenantAt(at), SECRET, valueFor(at)).then(() => {});
    phases.push(
      await phase('put', () => runLoad(put, { concurrency: start.putConcurrency, ops: tenants })),
    );
  } finally {
    await writer.close();
  }

  // A fresh store: no data key cached, as after a deploy. Every value is checked.
  const reader = openStore(start);
  try {
    const coldRead = async (at: number) => {
      const { value } = await reader.store.get(tenantAt(at), SECRET);
      const ok = value.text() === valueFor(at);
      value.wipe();
      if (!ok) {
        throw new Error(`scale: a wrong value came back for ${tenantAt(at)}`);
      }
    };
    const limit = { concurrency: start.getConcurrency, ops: tenants };
    phases.push(await phase('cold-read', () => runLoad(coldRead, limit)));

    const random = seededRandom(50_000);
    const hot = Math.max(1, Math.floor(tenants * hotFraction));
    const hotMix = async () => {
      const isPut = random() < putShare;
      const hotOnly = isPut || random() < hotShare;
      const at = Math.floor(random() * (hotOnly ? hot : tenants));
      if (isPut) {
        await reader.store.put(tenantAt(at), SECRET, valueFor(at + 1));
        return;
      }
      (await reader.store.get(tenantAt(at), SECRET)).value.wipe();
    };
    const mix = { concurrency: start.getConcurrency, ops: start.hotOps };
    phases.push(await phase('hot-mix', () => runLoad(hotMix, mix)));
  } finally {
    await reader.close();
  }

  return { baselineRssBytes, peakRssBytes: peakRssBytes(), phases };
}

// The parent gone (killed, even by a signal that runs no exit hook), there is no one to report to.
process.once('disconnect', () => process.exit(1));

process.once('message', (start: ScaleStart) => {
  run(start)
    .then((done) => send({ done }))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      process.stderr.write(`scale client failed: ${String((error as Error)?.stack ?? error)}\n`);
      process.exit(1);
    });
});
