import type { ServerAddresses } from './clients.js';
import type { LoadSummary } from './load.js';

/**
 * The messages between scale.ts (the parent, which runs the servers and counts KMS calls) and
 * scale-client.ts (the client, alone in its process so that its memory is its own).
 */

/** Parent to client, once: what to run against. */
export interface ScaleStart {
  readonly servers: ServerAddresses;
  readonly tableName: string;
  /** An id of {@link SCALE_CONTENDERS}. */
  readonly contender: string;
  readonly tenants: number;
  readonly hotOps: number;
  readonly putConcurrency: number;
  readonly getConcurrency: number;
}

/** The store options of each contender the scale benchmark knows. */
export const SCALE_CONTENDERS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'envelope-key-cache': {},
  'tenant-keys': { tenantKeys: true },
  direct: { mode: 'direct', keyCache: false },
};

/** The hot mix: 5% puts; 90% of gets (and every put) go to the hottest 2% of tenants. */
export const HOT_MIX = Object.freeze({ putShare: 0.05, hotShare: 0.9, hotFraction: 0.02 });

/** The three phases, in the order they run. */
export type ScalePhaseName = 'put' | 'cold-read' | 'hot-mix';

/** Client to parent: a phase begins or ends; the parent answers once it has read the counts. */
export interface ScaleMark {
  readonly mark: ScalePhaseName;
  readonly at: 'begin' | 'end';
}

/** What the client measured of one phase. */
export interface ScaleClientPhase extends LoadSummary {
  readonly phase: ScalePhaseName;
  readonly ops: number;
  readonly elapsedMs: number;
  /** The process's peak resident memory so far, in bytes. */
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
}

/** Client to parent, last. */
export interface ScaleDone {
  readonly done: {
    /** Resident memory once everything is imported, before any store exists. */
    readonly baselineRssBytes: number;
    /** `process.resourceUsage().maxRSS`, in bytes, at the end. */
    readonly peakRssBytes: number;
    readonly phases: readonly ScaleClientPhase[];
  };
}
