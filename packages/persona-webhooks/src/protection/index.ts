export {
  createKeyring,
  ENCRYPTED_PREFIX,
  type EncryptionKey,
  encryptedKeyId,
  type Keyring,
  parseKeyringText,
} from './keyring.js';
export { MASK, maskPersonalData } from './mask.js';
export {
  createProtectedStore,
  type ErasureReport,
  type ProtectedStore,
  type ProtectedStoreOptions,
  REDACTED_TYPES,
  REDACTION_EVENT_NAMES,
  type RotationReport,
} from './protected-store.js';
export { type EventReferences, eventReferences, isScrubbed, type ObjectRef, scrubEnvelope } from './references.js';
