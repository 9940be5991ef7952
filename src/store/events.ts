import { StrongroomError } from '../errors.js';
import { SECRET_NAME_PATTERN, TENANT_PATTERN } from './validation.js';

/** The operations the store reports. */
export type StoreOperation =
  | 'put'
  | 'get'
  | 'getMany'
  | 'describe'
  | 'list'
  | 'versions'
  | 'moveLabel'
  | 'removeLabel'
  | 'rollback'
  | 'delete'
  | 'restore'
  | 'purge'
  | 'rewrap'
  | 'migrate'
  | 'rotateTenantKey'
  | 'listTenantKeys'
  | 'retireTenantKeys';

/**
 * One finished operation, for an audit log. It never holds a value, a key or a cursor: only
 * names, numbers and the error's code.
 */
export interface StoreEvent {
  readonly operation: StoreOperation;
  readonly tenant?: string | undefined;
  readonly name?: string | undefined;
  readonly version?: number | undefined;
  readonly outcome: 'success' | 'failure';
  /** A StrongroomError's code, or `ERR_UNEXPECTED` for anything else. */
  readonly errorCode?: string | undefined;
  readonly durationMs: number;
}

export type EventHook = (event: StoreEvent) => void;

export interface EventTarget {
  operation: StoreOperation;
  tenant?: string | undefined;
  name?: string | undefined;
}

/**
 * Runs `work` and reports it. A hook that throws is ignored: an audit sink failing must not
 * turn a successful write into a reported failure the caller would retry.
 */
export async function observe<T>(
  hook: EventHook | undefined,
  target: EventTarget,
  work: () => Promise<T>,
  versionOf: (result: T) => number | undefined = () => undefined,
): Promise<T> {
  const started = performance.now();
  // Names reach the hook only once they pass the rules: a caller who swaps arguments, as in
  // put(value, tenant, name), must not send the value to an audit log as a "tenant".
  const named = {
    operation: target.operation,
    tenant:
      target.tenant !== undefined && TENANT_PATTERN.test(target.tenant) ? target.tenant : undefined,
    name:
      target.name !== undefined && SECRET_NAME_PATTERN.test(target.name) ? target.name : undefined,
  };
  const emit = (event: Omit<StoreEvent, 'durationMs'>) => {
    try {
      hook?.({ ...event, durationMs: performance.now() - started });
    } catch {
      // Deliberately ignored; see above.
    }
  };

  try {
    const result = await work();
    emit({ ...named, version: versionOf(result), outcome: 'success' });
    return result;
  } catch (error) {
    const errorCode = error instanceof StrongroomError ? error.code : 'ERR_UNEXPECTED';
    emit({ ...named, outcome: 'failure', errorCode });
    throw error;
  }
}
