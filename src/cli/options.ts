import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SealMode } from '../store/envelopes.js';

/** The options every command takes, before or after the command's name. */
export interface GlobalOptions {
  readonly dataDir?: string;
  readonly table?: string;
  readonly kmsKey?: string;
  readonly trustedKmsKey?: readonly string[];
  readonly mode?: SealMode;
  readonly maxVersions?: number;
  readonly tenantKeys?: boolean;
  readonly json?: boolean;
  readonly debug?: boolean;
}

const GLOBAL_KEYS = [
  'dataDir',
  'table',
  'kmsKey',
  'trustedKmsKey',
  'mode',
  'maxVersions',
  'tenantKeys',
  'json',
  'debug',
] as const;

/**
 * Adds the global options to a command. The program and every command carry them, so that
 * `strongroom --json list t` and `strongroom list t --json` both work.
 */
export function addGlobalOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'the data directory (default: $STRONGROOM_DATA_DIR, else XDG)')
    .option('--table <name>', 'use this DynamoDB table (default: $SECRETS_TABLE_NAME)')
    .option('--kms-key <id>', 'use this KMS key id, ARN or alias (default: $KMS_KEY_ID)')
    .option(
      '--trusted-kms-key <arn>',
      'also read envelopes under this earlier KMS key ARN (repeatable; for rewrap to a new key)',
      collectList,
    )
    .addOption(
      new Option('--mode <mode>', 'how new versions are sealed').choices(['envelope', 'direct']),
    )
    .option('--max-versions <n>', 'keep at most this many versions per secret', integer(1))
    .option('--tenant-keys', 'wrap the data keys of new versions under per-tenant keys')
    .option('--json', 'print one JSON document on stdout, for scripts')
    .option('--debug', 'print stack traces and causes with errors');
}

/** The global options in effect for a command: its own win over its ancestors'. */
export function globalOptions(command: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let current: Command | null = command; current; current = current.parent) {
    chain.unshift(current);
  }

  const merged: Record<string, unknown> = {};
  for (const link of chain) {
    const values = link.opts();
    for (const key of GLOBAL_KEYS) {
      if (values[key] !== undefined) {
        merged[key] = values[key];
      }
    }
  }

  return merged as GlobalOptions;
}

/** A parser for an integer option or argument from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const rule = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;

  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be an integer ${rule}`);
    }
    return value;
  };
}

/** Collects repeated `--tag KEY=VALUE` options into one record; a later key wins. */
export function collectTag(text: string, tags: Record<string, string> = {}) {
  const index = text.indexOf('=');
  if (index < 1) {
    throw new InvalidArgumentError('must be KEY=VALUE');
  }

  return { ...tags, [text.slice(0, index)]: text.slice(index + 1) };
}

/** Parses `--expires-at`: an ISO-8601 date and time. */
export function isoDate(text: string): Date {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('must be an ISO-8601 date, for example 2030-01-31T00:00:00Z');
  }
  return date;
}

/** Collects a repeatable option into a list. */
export function collectList(text: string, list: readonly string[] = []): string[] {
  return [...list, text];
}
