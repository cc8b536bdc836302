// Personal data at rest: encryption with a keyring, redaction tombstones and erasure, masking for operators.
export { createKeyring, type EncryptionKey, type Keyring, parseKeyringText } from './keyring.js';
export { type MaskOptions, maskPersonalData } from './mask.js';
export {
  createProtectedStore,
  type ErasureReport,
  type ProtectedStore,
  type ProtectedStoreOptions,
  REDACTION_EVENT_NAMES,
  type RotationReport,
} from './protected-store.js';
export { isScrubbed } from './references.js';
