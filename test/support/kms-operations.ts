import { randomBytes } from 'node:crypto';
import { type EncryptionContext, sealBlob } from './kms-blob.js';
import {
  type Json,
  type KmsEmulator,
  KmsFault,
  type KmsRequestRecord,
  type MutableRecord,
} from './kms-emulator.js';

/**
 * The KMS operations the test server answers, each checking its input as the KMS API reference
 * says before it reads or changes the emulator's keys.
 */

// The limits of the KMS API reference, so that a test against this server meets them too.
const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
const MAX_DATA_KEY_BYTES = 1024;

const SYMMETRIC = 'SYMMETRIC_DEFAULT';

// KMS names the member in lower camel case in this message: 'plaintext', not 'Plaintext'.
function validation(member: string, rule: string): KmsFault {
  const field = member.charAt(0).toLowerCase() + member.slice(1);

  return new KmsFault(
    'ValidationException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

function stringField(input: Json, name: string, required: true): string;
function stringField(input: Json, name: string, required?: false): string | undefined;
function stringField(input: Json, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined && !required) {
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(name, 'Member must not be null');
  }

  return value;
}

function blobField(input: Json, name: string, max: number): Buffer {
  const value = input[name];
  if (typeof value !== 'string') {
    throw validation(name, 'Member must not be null');
  }

  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) {
    throw validation(name, 'Member must have length greater than or equal to 1');
  }
  if (bytes.length > max) {
    throw validation(name, `Member must have length less than or equal to ${max}`);
  }

  return bytes;
}

function contextField(input: Json, name: string): EncryptionContext | undefined {
  const value = input[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw new KmsFault('SerializationException', `${name} must be a map`);
  }
  if (!Object.values(value).every((entry) => typeof entry === 'string')) {
    throw new KmsFault('SerializationException', `${name} values must be strings`);
  }

  return { ...(value as EncryptionContext) };
}

/** Copies the defined fields into the log record, so that absent request members stay absent. */
function note(record: MutableRecord, fields: { [K in keyof KmsRequestRecord]?: unknown }): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) {
      (record as Record<string, unknown>)[name] = value;
    }
  }
}

function dataKeyBytes(input: Json): number {
  const spec = input.KeySpec;
  const count = input.NumberOfBytes;
  if ((spec === undefined) === (count === undefined)) {
    throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec.');
  }

  if (spec !== undefined) {
    if (spec !== 'AES_256' && spec !== 'AES_128') {
      throw validation('keySpec', 'Member must satisfy enum value set: [AES_256, AES_128]');
    }
    return spec === 'AES_256' ? 32 : 16;
  }

  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_DATA_KEY_BYTES) {
    throw validation('numberOfBytes', `Member must be between 1 and ${MAX_DATA_KEY_BYTES}`);
  }
  return count as number;
}

/** One operation: reads the input, fills in the call's record and returns the answer. */
export type Operation = (kms: KmsEmulator, input: Json, record: MutableRecord) => Json;

/** The operations by the name `X-Amz-Target` gives after `TrentService.`. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  Encrypt(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const plaintext = blobField(input, 'Plaintext', MAX_PLAINTEXT_BYTES);
    const key = kms.use(kms.resolve(keyId), 'kms:Encrypt');
    note(record, { keyArn: key.arn });

    const blob = sealBlob(key, plaintext, context ?? {});
    return {
      CiphertextBlob: blob.toString('base64'),
      KeyId: key.arn,
      EncryptionAlgorithm: SYMMETRIC,
    };
  },

  Decrypt(kms, input, record) {
    const keyId = stringField(input, 'KeyId');
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const blob = blobField(input, 'CiphertextBlob', MAX_CIPHERTEXT_BYTES);
    const { key, plaintext } = kms.decryptBlob(blob, context ?? {}, keyId, 'kms:Decrypt');
    note(record, { keyArn: key.arn });

    return {
      KeyId: key.arn,
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: SYMMETRIC,
    };
  },

  GenerateDataKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const context = contextField(input, 'EncryptionContext');
    note(record, { keyId, encryptionContext: context });

    const size = dataKeyBytes(input);
    const key = kms.use(kms.resolve(keyId), 'kms:GenerateDataKey');
    note(record, { keyArn: key.arn });

    const plaintext = randomBytes(size);
    const blob = sealBlob(key, plaintext, context ?? {});
    return {
      CiphertextBlob: blob.toString('base64'),
      Plaintext: plaintext.toString('base64'),
      KeyId: key.arn,
    };
  },

  ReEncrypt(kms, input, record) {
    const sourceKeyId = stringField(input, 'SourceKeyId');
    const destinationKeyId = stringField(input, 'DestinationKeyId', true);
    const sourceEncryptionContext = contextField(input, 'SourceEncryptionContext');
    const destinationEncryptionContext = contextField(input, 'DestinationEncryptionContext');
    note(record, {
      sourceKeyId,
      destinationKeyId,
      sourceEncryptionContext,
      destinationEncryptionContext,
    });

    const blob = blobField(input, 'CiphertextBlob', MAX_CIPHERTEXT_BYTES);
    const destination = kms.resolve(destinationKeyId);
    const from = kms.decryptBlob(
      blob,
      sourceEncryptionContext ?? {},
      sourceKeyId,
      'kms:ReEncryptFrom',
    );
    kms.use(destination, 'kms:ReEncryptTo');
    note(record, { sourceKeyArn: from.key.arn, keyArn: destination.arn });

    const sealed = sealBlob(destination, from.plaintext, destinationEncryptionContext ?? {});
    from.plaintext.fill(0);
    return {
      CiphertextBlob: sealed.toString('base64'),
      SourceKeyId: from.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: SYMMETRIC,
      DestinationEncryptionAlgorithm: SYMMETRIC,
    };
  },

  CreateKey(kms, input) {
    const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? SYMMETRIC;
    if (spec !== SYMMETRIC || (input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
      throw new KmsFault('UnsupportedOperationException', 'Only symmetric encryption keys.');
    }

    const description = typeof input.Description === 'string' ? input.Description : '';
    return { KeyMetadata: kms.metadata(kms.createKey(description)) };
  },

  CreateAlias(kms, input, record) {
    const aliasName = stringField(input, 'AliasName', true);
    const keyId = stringField(input, 'TargetKeyId', true);
    note(record, { keyId });

    kms.createAlias(aliasName, keyId);
    return {};
  },

  DescribeKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId });

    const key = kms.authorize(kms.resolve(keyId), 'kms:DescribeKey');
    note(record, { keyArn: key.arn });
    return { KeyMetadata: kms.metadata(key) };
  },

  EnableKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId, keyArn: kms.setState(keyId, 'Enabled').arn });

    return {};
  },

  DisableKey(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    note(record, { keyId, keyArn: kms.setState(keyId, 'Disabled').arn });

    return {};
  },

  ScheduleKeyDeletion(kms, input, record) {
    const keyId = stringField(input, 'KeyId', true);
    const days = input.PendingWindowInDays ?? 30;
    if (!Number.isInteger(days) || (days as number) < 7 || (days as number) > 30) {
      throw validation('pendingWindowInDays', 'Member must be between 7 and 30');
    }

    const key = kms.scheduleDeletion(keyId, days as number);
    note(record, { keyId, keyArn: key.arn });
    return {
      KeyId: key.arn,
      DeletionDate: (key.deletionDate as Date).getTime() / 1000,
      KeyState: key.state,
      PendingWindowInDays: days,
    };
  },
};
