/**
 * strongroom: customer secrets in your own table, sealed in envelopes bound to their tenant,
 * name and version. This entry point holds the store, the embedded default (SQLite and a local
 * keyring), the in-memory backend and the seams for other backends and key providers.
 */
export * from './errors.js';
export type { EncryptionContext } from './format/context.js';
export { secretContext } from './format/context.js';
export type { KeyLayer, KeyReference } from './format/envelope.js';
export type {
  BlobKind,
  GeneratedDataKey,
  KeyKind,
  KeyProvider,
  WrappedBlob,
} from './keys/key-provider.js';
export { createKeyring, Keyring, parseKeyring, serializeKeyring } from './keys/local/keyring.js';
export {
  LOCAL_PROVIDER_ID,
  LocalKeyProvider,
  type LocalKeyProviderOptions,
} from './keys/local/local-key-provider.js';
export {
  DATA_DIR_ENV,
  DATABASE_FILE,
  defaultDataDir,
  KEYRING_ENV,
  KEYRING_FILE,
  KEYRING_FILE_ENV,
  type KeyringOrigin,
  type KeyringSource,
  keyringSource,
  type LocalStore,
  type LocalStoreOptions,
  openLocalStore,
  rotateLocalKeyring,
} from './local.js';
export { MemoryBackend } from './storage/memory-backend.js';
export { SqliteBackend } from './storage/sqlite-backend.js';
export {
  type LegacyItem,
  type ListSecretsQuery,
  RevisionConflict,
  type ScanPosition,
  type SecretPage,
  type SecretRecord,
  type StorageBackend,
  type TenantKeyPosition,
  type TenantKeyRecord,
  type VersionRecord,
  type VersionWrite,
} from './storage/storage-backend.js';
export type { SealMode } from './store/envelopes.js';
export type { EventHook, StoreEvent, StoreOperation } from './store/events.js';
export { CURRENT, PREVIOUS } from './store/labels.js';
export { SecretValue } from './store/secret-value.js';
export { openStore, SecretStore } from './store/store.js';
export type * from './store/types.js';
export { MAX_VALUE_BYTES } from './store/validation.js';
