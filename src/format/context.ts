/**
 * The encryption context binds a ciphertext to the row it belongs to. It is authenticated,
 * never secret: AWS KMS writes it to CloudTrail in clear.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** The context of one version of one secret: `{ tenant, secret, version }`. */
export function secretContext(tenant: string, name: string, version: number): EncryptionContext {
  return Object.freeze({ tenant, secret: name, version: String(version) });
}

const encoder = new TextEncoder();

/**
 * The canonical bytes of a context (docs/FORMAT.md, "Encryption context"): a u16 pair count,
 * then each pair sorted by the UTF-8 bytes of its key, as u16 length + key, u16 length + value.
 * Sorting makes the encoding independent of property order, as KMS's comparison is.
 */
export function encodeContext(context: EncryptionContext): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = Object.entries(context).map(([key, value]) => [
    encoder.encode(key),
    encoder.encode(value),
  ]);
  pairs.sort(([a], [b]) => Buffer.compare(a, b));

  if (pairs.length > 0xffff) {
    throw new RangeError('encryption context has too many pairs');
  }
  let size = 2;
  for (const [key, value] of pairs) {
    if (key.length > 0xffff || value.length > 0xffff) {
      throw new RangeError('encryption context key or value is too long');
    }
    size += 4 + key.length + value.length;
  }

  const out = Buffer.alloc(size);
  let at = out.writeUInt16BE(pairs.length, 0);
  for (const [key, value] of pairs) {
    at = out.writeUInt16BE(key.length, at);
    out.set(key, at);
    at += key.length;
    at = out.writeUInt16BE(value.length, at);
    out.set(value, at);
    at += value.length;
  }

  return out;
}
