import type { Writable } from 'node:stream';
import type { KeyReference } from '../format/envelope.js';

/** Writes one JSON document and a newline. Dates become ISO strings through their `toJSON`. */
export function writeJson(stream: Writable, doc: unknown): void {
  stream.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Writes text and a newline; nothing at all for empty text. */
export function writeText(stream: Writable, text: string): void {
  if (text !== '') {
    stream.write(`${text}\n`);
  }
}

/**
 * Writes bytes as they are and resolves once the stream has taken them, so the caller may
 * wipe the buffer afterwards without zeros reaching the output.
 */
export function writeBytes(stream: Writable, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

/** Rows as aligned columns, two spaces apart, without trailing spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }

  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key  value` lines with the values aligned; pairs without a value are left out. */
export function formatPairs(pairs: readonly (readonly [string, string | undefined])[]): string {
  const present = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined);
  return formatTable(present.map(([key, value]) => [key, value]));
}

/** A date as an ISO string, or `undefined` for none. */
export function iso(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

/** For example `current=3, previous=2`; `-` for none. */
export function formatLabels(labels: Readonly<Record<string, number>>): string {
  const entries = Object.entries(labels).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '-' : entries.map(([label, v]) => `${label}=${v}`).join(', ');
}

/** For example `env=prod, team=core`, or `undefined` for no tags. */
export function formatTags(tags: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(tags);
  return entries.length === 0 ? undefined : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** For example `local kr-0123456789ab v2`, with the layer when it is not the master key. */
export function formatKey(key: KeyReference): string {
  const layer = key.layer === 'master' ? '' : ` (${key.layer} key)`;
  const id = key.keyId === '' ? '' : ` ${key.keyId}`;
  return `${key.provider}${id} v${key.keyVersion}${layer}`;
}

/** `1 version`, `3 versions`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
