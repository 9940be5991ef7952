import { InvalidInputError } from '../errors.js';

interface CursorState {
  v: 1;
  t: string;
  p: string | null;
  a: string;
}

/**
 * A list cursor: where the next page starts. It names its tenant and prefix and is checked
 * against the request, so a cursor edited or replayed under another tenant is refused rather
 * than read; the tenant a list reads always comes from the request itself.
 */
export function encodeCursor(tenant: string, prefix: string | undefined, after: string): string {
  const state: CursorState = { v: 1, t: tenant, p: prefix ?? null, a: after };
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** The name after which the next page starts. */
export function decodeCursor(cursor: unknown, tenant: string, prefix: string | undefined): string {
  let state: Partial<CursorState>;
  try {
    state = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError('options.cursor', 'is not a cursor this store issued');
  }

  const valid = typeof state === 'object' && state !== null && state.v === 1;
  if (!valid || typeof state.a !== 'string') {
    throw new InvalidInputError('options.cursor', 'is not a cursor this store issued');
  }
  if (state.t !== tenant || state.p !== (prefix ?? null)) {
    throw new InvalidInputError('options.cursor', 'belongs to another tenant or prefix');
  }

  return state.a;
}
