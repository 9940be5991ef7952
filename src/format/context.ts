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
const NO_PREFIX = new Uint8Array(0);

/**
 * The canonical bytes of a context (docs/FORMAT.md, "Encryption context"): a u16 pair count,
 * then each pair sorted by the UTF-8 bytes of its key, as u16 length + key, u16 length + value.
 * Sorting makes the encoding independent of property order, as KMS's comparison is.
 */
export function encodeContext(context: EncryptionContext): Uint8Array {
  return encodePrefixedContext(NO_PREFIX, context);
}

/**
 * `prefix || encodeContext(context)` in one buffer, for the AADs that lead with a version or
 * kind byte: one allocation instead of an encoding and a concatenation.
 */
export function encodePrefixedContext(prefix: Uint8Array, context: EncryptionContext): Buffer {
  const keys = Object.keys(context).sort();
  if (keys.length > 0xffff) {
    throw new RangeError('encryption context has too many pairs');
  }

  // Each value is read once, so that the lengths counted are the lengths written.
  const values: string[] = [];
  for (const key of keys) {
    const value = context[key];
    if (typeof value !== 'string' || !isAscii(key)) {
      return encodeAnyKeys(prefix, context);
    }
    values.push(value);
  }

  return encodeAsciiKeys(prefix, keys, values);
}

// A string is ASCII exactly when its UTF-8 length is its UTF-16 length: any other code unit
// takes more bytes in UTF-8 (two or three) than units in UTF-16 (one), a surrogate pair four.
function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * Precondition: every key is ASCII, keys are sorted by the default sort and every value is a
 * string. For ASCII keys the UTF-16 order of that sort is the UTF-8 byte order the format asks
 * for, so nothing needs encoding before it is sorted; the values are written as UTF-8 in place.
 */
function encodeAsciiKeys(prefix: Uint8Array, keys: string[], values: string[]): Buffer {
  const valueBytes: number[] = [];
  let size = prefix.length + 2;
  for (let i = 0; i < keys.length; i += 1) {
    const keyLength = (keys[i] as string).length;
    const valueLength = Buffer.byteLength(values[i] as string, 'utf8');
    if (keyLength > 0xffff || valueLength > 0xffff) {
      throw new RangeError('encryption context key or value is too long');
    }
    valueBytes.push(valueLength);
    size += 4 + keyLength + valueLength;
  }

  // Every byte is written below, so the buffer is not zeroed first; a context is not secret.
  const out = Buffer.allocUnsafe(size);
  out.set(prefix, 0);
  let at = out.writeUInt16BE(keys.length, prefix.length);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const value = values[i] as string;
    const length = valueBytes[i] as number;
    at = writeAscii(out, key, out.writeUInt16BE(key.length, at));
    at = out.writeUInt16BE(length, at);
    at = length === value.length ? writeAscii(out, value, at) : at + out.write(value, at, 'utf8');
  }

  return out;
}

/** Short ASCII strings byte by byte: several times faster than `write` for a context's words. */
function writeAscii(out: Buffer, text: string, at: number): number {
  if (text.length > 32) {
    return at + out.write(text, at, 'latin1');
  }
  for (let i = 0; i < text.length; i += 1) {
    out[at + i] = text.charCodeAt(i);
  }

  return at + text.length;
}

/** Any other context: every key and value encoded first, then sorted by the encoded keys. */
function encodeAnyKeys(prefix: Uint8Array, context: EncryptionContext): Buffer {
  const pairs: [Uint8Array, Uint8Array][] = Object.entries(context).map(([key, value]) => [
    encoder.encode(key),
    encoder.encode(value),
  ]);
  pairs.sort(([a], [b]) => Buffer.compare(a, b));

  let size = prefix.length + 2;
  for (const [key, value] of pairs) {
    if (key.length > 0xffff || value.length > 0xffff) {
      throw new RangeError('encryption context key or value is too long');
    }
    size += 4 + key.length + value.length;
  }

  const out = Buffer.alloc(size);
  out.set(prefix, 0);
  let at = out.writeUInt16BE(pairs.length, prefix.length);
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
