import { randomFillSync } from 'node:crypto';
import { startupSnapshot } from 'node:v8';

/** An AES-GCM nonce, 96 bits, drawn at random for every encryption. */
export const GCM_NONCE_BYTES = 12;

// One call into the CSPRNG costs about as much as the AES-GCM encryption of a small value, and
// nearly nothing more for a few kilobytes, so nonces are drawn 256 at a time. Nonces are not
// secret: only their uniqueness matters, and each pooled byte is handed out once.
const POOL_BYTES = GCM_NONCE_BYTES * 256;

let pool: Buffer | undefined;
let next = POOL_BYTES;

// A startup snapshot copies the heap, this pool included, into every process started from it,
// and they would all hand out the same nonces under the same master key. What was drawn before
// the snapshot is dropped when it is taken.
if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.addSerializeCallback(() => {
    pool = undefined;
    next = POOL_BYTES;
  });
}

/** Writes a fresh random {@link GCM_NONCE_BYTES}-byte nonce into `out` at `offset`. */
export function writeNonce(out: Uint8Array, offset: number): void {
  if (offset < 0 || offset + GCM_NONCE_BYTES > out.length) {
    throw new RangeError('output has no room for the nonce');
  }
  if (pool === undefined || next === POOL_BYTES) {
    pool ??= Buffer.allocUnsafeSlow(POOL_BYTES);
    randomFillSync(pool);
    next = 0;
  }

  out.set(pool.subarray(next, next + GCM_NONCE_BYTES), offset);
  next += GCM_NONCE_BYTES;
}

/** A fresh random nonce in a new {@link GCM_NONCE_BYTES}-byte Buffer. */
export function drawNonce(): Buffer {
  // Not key material, so it may sit in Node's shared Buffer pool; writeNonce fills all of it.
  const nonce = Buffer.allocUnsafe(GCM_NONCE_BYTES);
  writeNonce(nonce, 0);

  return nonce;
}
