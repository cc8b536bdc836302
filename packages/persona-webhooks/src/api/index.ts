// persona-webhooks/api: a small client for Persona's REST API (re-exports only). Endpoint helpers take the
// client core as their first argument, one file per API (events.ts; webhooks.ts can sit beside it).

export { type ApiErrorDetails, PersonaApiError, type PersonaApiErrorCode } from '../errors.js';
export {
  type ApiRequest,
  type ApiRequestInfo,
  type ApiResponse,
  createPersonaClient,
  DEFAULT_PERSONA_API_URL,
  type FetchLike,
  type PersonaClient,
  type PersonaClientOptions,
  RATE_LIMIT_BACKOFF_MS,
  SERVER_ERROR_BACKOFF_MS,
} from './client.js';
export {
  type ApiEvent,
  type EventsPage,
  iterateEvents,
  type ListEventsParams,
  listEvents,
  MAX_PAGE_SIZE,
  retrieveEvent,
} from './events.js';
export { PERSONA_RATE_LIMIT, PERSONA_RATE_WINDOW_MS, type RateLimitState } from './rate-limit.js';
export {
  DEFAULT_RECONCILE_MARGIN_MS,
  PERSONA_EVENT_RETENTION_MS,
  type ReconcileOptions,
  type ReconcileProgress,
  type ReconcileResult,
  reconcile,
} from './reconcile.js';
export {
  createWebhookSecretSource,
  DEFAULT_MISMATCH_REFRESH_MS,
  DEFAULT_SECRET_REFRESH_MS,
  type SecretSourceChange,
  type SecretSourceState,
  type WebhookSecretSource,
  type WebhookSecretSourceOptions,
} from './webhook-secrets.js';
export {
  type ApiWebhook,
  activeWebhookSecrets,
  disableWebhook,
  enableWebhook,
  iterateWebhooks,
  listWebhooks,
  type RotateSecretOptions,
  retrieveWebhook,
  rotateWebhookSecret,
  type WebhookAllowlist,
  type WebhookCallOptions,
  type WebhookSecret,
  type WebhooksPage,
} from './webhooks.js';
