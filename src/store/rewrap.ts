import { IntegrityError } from '../errors.js';
import { secretContext } from '../format/context.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { StorageBackend, VersionRecord } from '../storage/storage-backend.js';
import { rewrapValue } from './envelopes.js';
import type { RewrapFailure, RewrapOptions, RewrapResult } from './types.js';

const PAGE = 100;

/**
 * Walks every version of every tenant in key order and swaps each envelope for one under the
 * newest master key. Each swap is conditional on the envelope read, so a concurrent write,
 * purge or rewrap is never overwritten. An integrity failure is recorded and skipped: one
 * damaged row must not keep every other row on a master key that is being retired.
 *
 * The key provider is refreshed first: a long-lived process would otherwise compare with the
 * newest master key it loaded at start-up, and after a rotation by another process find every
 * version already "newest" and move none.
 */
export async function rewrapAll(
  keys: KeyProvider,
  storage: StorageBackend,
  options: RewrapOptions,
): Promise<RewrapResult> {
  await keys.refresh?.();

  let scanned = 0;
  let rewrapped = 0;
  const failed: RewrapFailure[] = [];
  let from: VersionRecord | undefined;

  for (;;) {
    const page = await storage.scanVersions(from, PAGE);
    for (const record of page) {
      const { tenant, name, version } = record;
      let next: Uint8Array | undefined;
      try {
        next = await rewrapValue(keys, record.envelope, secretContext(tenant, name, version));
      } catch (error) {
        if (!(error instanceof IntegrityError)) {
          throw error;
        }
        failed.push({ tenant, name, version, code: error.code });
        continue;
      }

      if (next !== undefined && (await storage.replaceEnvelope(record, record.envelope, next))) {
        rewrapped += 1;
      }
    }
    scanned += page.length;
    options.onProgress?.({ scanned, rewrapped });

    if (page.length < PAGE) {
      return { scanned, rewrapped, failed };
    }
    from = page[page.length - 1];
  }
}
