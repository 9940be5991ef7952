import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { type EncryptionContext, encodeContext } from '../src/format/context.js';
import { createKeyring } from '../src/keys/local/keyring.js';
import { LocalKeyProvider } from '../src/keys/local/local-key-provider.js';
import { openValue, sealValue } from '../src/store/envelopes.js';

/** What one seal produced: its length on the wire, and how to open it again. */
export interface Sealed {
  readonly length: number;
  open(): Promise<Uint8Array>;
}

/**
 * One way to seal and open a value. `verify` runs once per size before any timing, so that a
 * contender whose path is broken fails the run instead of being measured.
 */
export interface Contender {
  readonly id: string;
  readonly label: string;
  seal(value: Uint8Array): Promise<Sealed>;
  verify?(value: Uint8Array): Promise<void>;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * strongroom's suite 0x01 envelope through the store's own entry points: a data key from the
 * local key provider, wrapped under the keyring, and no key cache on open.
 */
export function strongroom(context: EncryptionContext): Contender {
  const keys = new LocalKeyProvider(createKeyring());

  return {
    id: 'strongroom',
    label: 'strongroom (local keyring)',
    async seal(value) {
      const envelope = await sealValue(keys, value, context, 'envelope');

      // A method, as the other contenders' `open`, not an arrow function: tsx names every arrow
      // function as it is created, which would cost this contender alone a call per round trip.
      return {
        length: envelope.length,
        open() {
          return openValue(keys, envelope, context);
        },
      };
    },
  };
}

/**
 * The floor: one AES-256-GCM encryption and decryption under a fixed key, with a fresh random
 * nonce per seal and the canonical context as AAD. Nothing is wrapped, derived or framed.
 */
export function rawAesGcm(context: EncryptionContext): Contender {
  const key = randomBytes(32);
  const aad = encodeContext(context);

  return {
    id: 'raw',
    label: 'node:crypto AES-256-GCM',
    async seal(value) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad);
      // For GCM final() returns nothing: update()'s output is the whole ciphertext.
      const ciphertext = cipher.update(value);
      cipher.final();
      const tag = cipher.getAuthTag();

      return {
        length: NONCE_BYTES + ciphertext.length + TAG_BYTES,
        async open() {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce);
          decipher.setAAD(aad);
          decipher.setAuthTag(tag);
          const plaintext = decipher.update(ciphertext);
          decipher.final();

          return plaintext;
        },
      };
    },
  };
}

const SIGNED_SUITE =
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
const COMMITTING_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * The AWS Encryption SDK with a raw AES keyring (256-bit wrapping key). `suite` undefined leaves
 * the SDK's default, which under REQUIRE_ENCRYPT_REQUIRE_DECRYPT is the signed committing suite;
 * `verify` checks that the message really used the suite this contender is named for.
 */
export function esdk(context: EncryptionContext, signed: boolean): Contender {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench-key',
    keyNamespace: 'strongroom-bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const expectedSuite = signed ? SIGNED_SUITE : COMMITTING_SUITE;
  const options = signed
    ? { encryptionContext: { ...context } }
    : { encryptionContext: { ...context }, suiteId: COMMITTING_SUITE };

  return {
    id: signed ? 'esdk-signed' : 'esdk-committing',
    label: signed ? 'ESDK default (commit + ECDSA P-384)' : 'ESDK committing, unsigned',
    async seal(value) {
      const { result } = await encrypt(keyring, value, options);

      return {
        length: result.length,
        async open() {
          return (await decrypt(keyring, result)).plaintext;
        },
      };
    },
    async verify(value) {
      const { result, messageHeader } = await encrypt(keyring, value, options);
      if (messageHeader.suiteId !== expectedSuite) {
        throw new Error(`ESDK sealed with suite ${messageHeader.suiteId}, not ${expectedSuite}`);
      }

      const opened = await decrypt(keyring, result);
      if (opened.messageHeader.suiteId !== expectedSuite) {
        throw new Error(`ESDK opened suite ${opened.messageHeader.suiteId}, not ${expectedSuite}`);
      }
      for (const [key, expected] of Object.entries(context)) {
        if (opened.messageHeader.encryptionContext[key] !== expected) {
          throw new Error(`ESDK lost encryption context key ${key}`);
        }
      }
    },
  };
}
