/**
 * Writes docs/vectors/v1.json, the test vectors of envelope format v1.
 *
 * This is a second implementation of docs/FORMAT.md written from the page with node:crypto
 * alone: it imports nothing from src/, so test/format/vectors.test.ts, which checks src/ against
 * these bytes, compares two implementations rather than one with itself. Every input is fixed,
 * so running it again gives the same file.
 *
 * @example
 * npx tsx scripts/make-vectors.ts
 */
import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

type Context = Record<string, string>;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Buffer => Buffer.from(text, 'hex');
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

// Counting bytes make the fixed inputs easy to spot in a hex dump. Each vector gets its own
// nonces so that no nonce repeats under one key, even here.
const counting = (first: number, length: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => (first + i) & 0xff));

const KEYRING_ID = 'kr-0123456789ab';
const MASTER_KEYS = [
  { version: 1, material: counting(0x00, 32) },
  { version: 2, material: counting(0x80, 32) },
];
const DATA_KEY = counting(0x40, 32);

/** FORMAT.md, "Encryption context": u16 count, pairs sorted by UTF-8 key bytes. */
function encodeContext(context: Context): Buffer {
  const pairs = Object.entries(context).map(([key, value]) => [utf8(key), utf8(value)] as const);
  pairs.sort(([a], [b]) => Buffer.compare(a, b));

  const parts = [uint(2, pairs.length)];
  for (const [key, value] of pairs) {
    parts.push(uint(2, key.length), key, uint(2, value.length), value);
  }

  return Buffer.concat(parts);
}

function uint(bytes: 2 | 4, value: number): Buffer {
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(value, 0, bytes);
  return out;
}

/** FORMAT.md, "Common header", for the local provider at key layer 0. */
function encodeHeader(suite: number, keyVersion: number): Buffer {
  const provider = Buffer.from('local', 'ascii');
  const keyId = utf8(KEYRING_ID);

  return Buffer.concat([
    Buffer.of(1, suite, 0, 0, provider.length),
    provider,
    Buffer.of(keyId.length),
    keyId,
    uint(4, keyVersion),
  ]);
}

function gcm(key: Buffer, nonce: Buffer, aad: Buffer, plaintext: Buffer) {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);

  return { ciphertext, tag: cipher.getAuthTag() };
}

/** FORMAT.md, "Local key provider": nonce | ciphertext | tag, AAD = kind byte | context. */
function localWrap(
  keyVersion: number,
  kind: number,
  nonce: Buffer,
  context: Context,
  data: Buffer,
) {
  const master = MASTER_KEYS.find((key) => key.version === keyVersion);
  if (master === undefined) {
    throw new RangeError('no such master key version');
  }

  const aad = Buffer.concat([Buffer.of(kind), encodeContext(context)]);
  const { ciphertext, tag } = gcm(master.material, nonce, aad, data);

  return { aad, blob: Buffer.concat([nonce, ciphertext, tag]) };
}

interface Case {
  name: string;
  description: string;
  keyVersion: number;
  context: Context;
  plaintext: Buffer;
}

const keyRefOf = (keyVersion: number) => ({
  provider: 'local',
  keyId: KEYRING_ID,
  keyVersion,
  layer: 0,
});

/** FORMAT.md, "AAD": format version, suite, canonical context. The header is not in it. */
const sealedAad = (context: Context): Buffer =>
  Buffer.concat([Buffer.of(1, 1), encodeContext(context)]);

/** A suite 0x01 vector; `n` picks the envelope nonce, `w` the wrap nonce. */
function sealedVector(input: Case, n: number, w = n) {
  const wrapNonce = counting(0xa0 + w, 12);
  const wrap = localWrap(input.keyVersion, 0x01, wrapNonce, input.context, DATA_KEY);

  const nonce = counting(0xc0 + n, 12);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', DATA_KEY, nonce, info, 32));
  const encryptionKey = derive('strongroom v1 encryption key');
  const commitment = derive('strongroom v1 commitment');

  const header = encodeHeader(0x01, input.keyVersion);
  const prefix = Buffer.concat([header, uint(2, wrap.blob.length), wrap.blob, nonce, commitment]);
  const aad = sealedAad(input.context);
  const { ciphertext, tag } = gcm(encryptionKey, nonce, aad, input.plaintext);

  return {
    name: input.name,
    description: input.description,
    suite: 1,
    keyRef: keyRefOf(input.keyVersion),
    context: input.context,
    contextHex: hex(encodeContext(input.context)),
    plaintextHex: hex(input.plaintext),
    dataKeyHex: hex(DATA_KEY),
    wrapNonceHex: hex(wrapNonce),
    wrapAadHex: hex(wrap.aad),
    wrappedKeyHex: hex(wrap.blob),
    nonceHex: hex(nonce),
    encryptionKeyHex: hex(encryptionKey),
    commitmentHex: hex(commitment),
    headerHex: hex(header),
    aadHex: hex(aad),
    ciphertextHex: hex(ciphertext),
    tagHex: hex(tag),
    envelopeHex: hex(Buffer.concat([prefix, ciphertext, tag])),
  };
}

/** A suite 0x02 vector; `n` picks the wrap nonce. */
function directVector(input: Case, n: number) {
  const wrapNonce = counting(0xe0 + n, 12);
  const wrap = localWrap(input.keyVersion, 0x02, wrapNonce, input.context, input.plaintext);
  const header = encodeHeader(0x02, input.keyVersion);

  // The store seals an empty value as suite 0x01, yet the format allows this and readers open it.
  const note = input.plaintext.length === 0 ? ' (strongroom writes these as suite 0x01)' : '';

  return {
    name: input.name,
    description: input.description + note,
    suite: 2,
    keyRef: keyRefOf(input.keyVersion),
    context: input.context,
    contextHex: hex(encodeContext(input.context)),
    plaintextHex: hex(input.plaintext),
    wrapNonceHex: hex(wrapNonce),
    wrapAadHex: hex(wrap.aad),
    headerHex: hex(header),
    providerCiphertextHex: hex(wrap.blob),
    envelopeHex: hex(Buffer.concat([header, wrap.blob])),
  };
}

type SealedVector = ReturnType<typeof sealedVector>;
type DirectVector = ReturnType<typeof directVector>;

const ACME = { tenant: 'acme', secret: 'db-password', version: '1' };
const GLOBEX = { tenant: 'globex', secret: 'stripe/api-key', version: '12' };

// Each value is sealed once in each suite; the name gets a `sealed-` or `direct-` prefix.
const VALUES: Case[] = [
  {
    name: 'empty',
    description: 'empty value',
    keyVersion: 1,
    context: ACME,
    plaintext: Buffer.alloc(0),
  },
  {
    name: 'ascii',
    description: 'short ASCII value',
    keyVersion: 1,
    context: ACME,
    plaintext: utf8('correct horse battery staple'),
  },
  {
    name: 'utf8',
    description: 'UTF-8 value with 2-, 3- and 4-byte characters',
    keyVersion: 1,
    context: GLOBEX,
    plaintext: utf8('pässwörd – 秘密の鍵 🔑'),
  },
  {
    name: '1000',
    description: '1000 bytes, byte i = (31 i + 7) mod 256, under master key version 2',
    keyVersion: 2,
    context: GLOBEX,
    plaintext: Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff)),
  },
];

function withByte(envelopeHex: string, offset: number, value: (old: number) => number): string {
  const bytes = fromHex(envelopeHex);
  bytes[offset] = value(bytes[offset] as number);

  return hex(bytes);
}

/**
 * The envelope with its wrapped key replaced by a valid wrap, under the same context, of
 * another data key. Only the commitment ties the ciphertext to the data key it was sealed with.
 */
function swapDataKey(sealed: SealedVector): string {
  const other = localWrap(1, 0x01, counting(0xb0, 12), sealed.context, counting(0x60, 32));
  const start = sealed.headerHex.length + 4 + sealed.wrappedKeyHex.length;

  return (
    sealed.headerHex +
    hex(uint(2, other.blob.length)) +
    hex(other.blob) +
    sealed.envelopeHex.slice(start)
  );
}

/** Envelopes that a reader MUST reject with the integrity error, made from two positives. */
function negativeVectors(sealed: SealedVector, direct: DirectVector) {
  const s = sealed.envelopeHex;
  const d = direct.envelopeHex;
  const wrapped = sealed.headerHex.length / 2 + 2;
  const commitment = wrapped + sealed.wrappedKeyHex.length / 2 + 12;
  const flip = (envelope: string, at: number) => withByte(envelope, at, (old) => old ^ 0x01);
  const set = (envelope: string, at: number, value: number) => withByte(envelope, at, () => value);

  // [name, what was done, envelope, context if not sealed-ascii's]. The commitment is not in the
  // AAD, so sealed-commitment-flipped keeps a tag that AES-GCM accepts: only the commitment check
  // rejects it. direct-is-wrapped-key holds a wrapped data key where a direct value belongs,
  // under the same context: only the kind byte keeps it from opening.
  const cases: [string, string, string, Context?][] = [
    ['sealed-ciphertext-flipped', 'first ciphertext byte flipped', flip(s, commitment + 32)],
    ['sealed-tag-flipped', 'last byte flipped', flip(s, s.length / 2 - 1)],
    ['sealed-wrapped-key-flipped', 'first wrapped key byte flipped', flip(s, wrapped)],
    ['sealed-nonce-flipped', 'first nonce byte flipped', flip(s, commitment - 12)],
    ['sealed-commitment-flipped', 'first commitment byte flipped', flip(s, commitment)],
    ['sealed-other-data-key', 'a valid wrap of another data key', swapDataKey(sealed)],
    ['sealed-other-tenant', 'opened as tenant acme2', s, { ...ACME, tenant: 'acme2' }],
    ['sealed-other-version', 'opened as version 2', s, { ...ACME, version: '2' }],
    ['sealed-reserved-byte', 'reserved byte set to 1', set(s, 3, 1)],
    ['sealed-format-version-2', 'format version byte set to 2', set(s, 0, 2)],
    ['sealed-layer-1', 'key layer byte set to 1 with a local key reference', set(s, 2, 1)],
    ['sealed-truncated', 'last byte removed', s.slice(0, -2)],
    ['direct-flipped', 'last byte flipped', flip(d, d.length / 2 - 1)],
    [
      'direct-other-secret',
      'opened as secret db-password-2',
      d,
      { ...ACME, secret: 'db-password-2' },
    ],
    ['direct-layer-1', 'key layer byte set to 1 with a local key reference', set(d, 2, 1)],
    [
      'direct-is-wrapped-key',
      "holds sealed-ascii's wrapped key",
      direct.headerHex + sealed.wrappedKeyHex,
    ],
  ];

  return cases.map(([name, change, envelopeHex, context = ACME]) => ({
    name,
    description: `${name.startsWith('sealed') ? sealed.name : direct.name}: ${change}`,
    context,
    envelopeHex,
  }));
}

const TENANT_KEY = counting(0x20, 32);

/** FORMAT.md, "Envelopes at layer 0x01": provider `tenant`, an empty key id, the version. */
function tenantHeader(keyVersion: number, keyId = ''): Buffer {
  const provider = Buffer.from('tenant', 'ascii');
  const id = utf8(keyId);

  return Buffer.concat([
    Buffer.of(1, 1, 1, 0, provider.length),
    provider,
    Buffer.of(id.length),
    id,
    uint(4, keyVersion),
  ]);
}

/**
 * FORMAT.md, "Per-tenant key layer": tenant acme's key version 1 wrapped by master key version
 * 1 (kind 0x03, context { tenant, version }), and sealed-ascii's value sealed under a data key
 * that the tenant key wraps, with readers' failures beside it.
 */
function tenantLayerVectors() {
  const recordContext = { tenant: 'acme', version: '1' };
  const recordNonce = counting(0x10, 12);
  const record = localWrap(1, 0x03, recordNonce, recordContext, TENANT_KEY);
  // A tenant key record is laid out as a suite 0x02 envelope at layer 0 naming the master key.
  const recordBytes = Buffer.concat([encodeHeader(0x02, 1), record.blob]);

  const wrapNonce = counting(0x30, 12);
  const wrapAad = Buffer.concat([Buffer.of(0x01), encodeContext(ACME)]);
  const wrap = gcm(TENANT_KEY, wrapNonce, wrapAad, DATA_KEY);
  const wrapped = Buffer.concat([wrapNonce, wrap.ciphertext, wrap.tag]);

  const nonce = counting(0x50, 12);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', DATA_KEY, nonce, info, 32));
  const commitment = derive('strongroom v1 commitment');
  const plaintext = utf8('correct horse battery staple');
  const { ciphertext, tag } = gcm(
    derive('strongroom v1 encryption key'),
    nonce,
    sealedAad(ACME),
    plaintext,
  );
  const body = (header: Buffer) =>
    hex(
      Buffer.concat([header, uint(2, wrapped.length), wrapped, nonce, commitment, ciphertext, tag]),
    );
  const envelopeHex = body(tenantHeader(1));

  const direct = Buffer.concat([Buffer.of(1, 2), tenantHeader(1).subarray(2), record.blob]);
  const negative: [string, string, string, Context?][] = [
    [
      'tenant-other-tenant',
      'opened as tenant acme2, which has no tenant key',
      envelopeHex,
      { ...ACME, tenant: 'acme2' },
    ],
    [
      'tenant-other-secret',
      'opened as secret db-password-2',
      envelopeHex,
      { ...ACME, secret: 'db-password-2' },
    ],
    ['tenant-version-2', 'names tenant key version 2, which acme lacks', body(tenantHeader(2))],
    ['tenant-key-id', 'a non-empty key id', body(tenantHeader(1, 'acme'))],
    [
      'tenant-wrapped-key-flipped',
      'first wrapped key byte flipped',
      withByte(envelopeHex, tenantHeader(1).length + 2, (old) => old ^ 1),
    ],
    ['tenant-direct', 'suite 0x02 at layer 0x01', hex(direct)],
  ];

  return {
    tenantKey: {
      tenant: 'acme',
      version: 1,
      tenantKeyHex: hex(TENANT_KEY),
      wrapContext: recordContext,
      wrapNonceHex: hex(recordNonce),
      wrapAadHex: hex(record.aad),
      recordHex: hex(recordBytes),
    },
    positive: {
      name: 'tenant-ascii',
      description: "sealed-ascii's value, its data key wrapped by acme's tenant key version 1",
      context: ACME,
      plaintextHex: hex(plaintext),
      dataKeyHex: hex(DATA_KEY),
      wrapNonceHex: hex(wrapNonce),
      wrapAadHex: hex(wrapAad),
      wrappedKeyHex: hex(wrapped),
      nonceHex: hex(nonce),
      commitmentHex: hex(commitment),
      headerHex: hex(tenantHeader(1)),
      envelopeHex,
    },
    negative: negative.map(([name, description, hexBytes, context = ACME]) => ({
      name,
      description,
      context,
      envelopeHex: hexBytes,
    })),
  };
}

/** The whole vectors document, as written to docs/vectors/v1.json. */
export function buildVectors() {
  const sealed = VALUES.map((value, n) =>
    sealedVector({ ...value, name: `sealed-${value.name}` }, n),
  );
  const direct = VALUES.map((value, n) =>
    directVector({ ...value, name: `direct-${value.name}` }, n),
  );
  const ascii = VALUES[1] as Case;

  // A rewrap replaces the key reference and the wrapped key and keeps every other byte.
  const rewrapped = sealedVector(
    {
      ...ascii,
      name: 'sealed-ascii-rewrapped',
      description:
        'sealed-ascii rewrapped under master key version 2: same nonce, ciphertext and tag',
      keyVersion: 2,
    },
    1,
    VALUES.length,
  );
  const keys = MASTER_KEYS.map(({ version, material }) => ({
    version,
    materialHex: hex(material),
    check: createHmac('sha256', material)
      .update('strongroom key check value')
      .digest('hex')
      .slice(0, 16),
  }));

  return {
    description: 'strongroom envelope format v1 test vectors, see docs/FORMAT.md',
    generator: 'scripts/make-vectors.ts',
    encoding: 'every *Hex field is lowercase hex; context values are UTF-8 strings',
    formatVersion: 1,
    keyring: { id: KEYRING_ID, keys },
    positive: [...sealed, rewrapped, ...direct],
    negative: negativeVectors(sealed[1] as SealedVector, direct[1] as DirectVector),
    tenantLayer: tenantLayerVectors(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = new URL('../docs/vectors/v1.json', import.meta.url);
  writeFileSync(path, `${JSON.stringify(buildVectors(), null, 2)}\n`);
  process.stdout.write(`wrote ${path.pathname}\n`);
}
