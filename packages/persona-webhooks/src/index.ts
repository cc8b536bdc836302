// Public surface of the core: re-exports only.
export * from './errors.js';
export {
  API_VERSIONS,
  type ApiVersion,
  DEFAULT_API_VERSION,
  isApiVersion,
  type KeyInflection,
  type Register,
  type RegisteredApiVersion,
  type RegisteredInflection,
} from './events/api-versions.js';
export type { Inflected, InflectKey } from './events/inflection.js';
export { EVENT_NAMES, type EventName, isKnownEventName } from './events/names.js';
export { isEvent, type KnownPersonaEvent } from './events/narrow.js';
export { type PersonaEvent, parseEvent } from './events/parse.js';
export type * from './events/payloads.js';
export { type RelationTarget, relationTargetOf } from './events/relation.js';
export type * from './events/resource-types.js';
export * from './processing/index.js';
export * from './protection/index.js';
export type { RawBody } from './signature/body.js';
export {
  getSignatureHeader,
  type HeadersLike,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  type SignatureSet,
} from './signature/header.js';
export type { SecretProvider } from './signature/secret-provider.js';
export type { SignPayloadOptions } from './signature/sign.js';
export {
  DEFAULT_FUTURE_TOLERANCE_SECONDS,
  DEFAULT_TOLERANCE_SECONDS,
  type SecretOptions,
  type TimestampOptions,
  type VerifiedSignature,
  type VerifySignatureOptions,
} from './signature/verify.js';
export { pruneByRetention, RETENTION_DEFAULTS, type RetentionOptions } from './store/retention.js';
export type * from './store/store.js';
export { EVENT_STATUSES } from './store/store.js';
export { signPayload, verifySignature, verifyWebhook } from './webhook-signature.js';
