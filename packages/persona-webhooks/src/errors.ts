/**
 * Every error code this library throws or answers with, and the HTTP status it answers: the one table the
 * code unions, the errors' default status and the adapters' responses derive from (docs/errors.md lists each,
 * and a test checks that it does). A 4xx tells Persona the delivery is bad; a 5xx means "our fault, try again",
 * so that nothing is lost while a misconfiguration or an outage is fixed.
 *
 * @example
 * ```ts
 * ERROR_STATUS.signature_mismatch // 401
 * ```
 */
export const ERROR_STATUS = Object.freeze({
  // Verification (WebhookVerificationError).
  missing_header: 400,
  malformed_header: 400,
  no_signatures: 400,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  // Misconfiguration on our side: answer 5xx so that Persona retries once it is fixed.
  body_not_raw: 500,
  no_secret: 500,
  invalid_json: 400,
  invalid_event: 400,
  // Set-up and calls.
  invalid_options: 500,
  // Storing and processing.
  store_unavailable: 503,
  // A signed event the store cannot take as it is (a value it refuses): not an outage.
  event_not_storable: 422,
  // The store failed in a way that is not an outage (a bug, an unexpected driver error).
  store_failed: 500,
  handler_failed: 500,
  in_flight: 503,
  // HTTP rules of the adapters and the service.
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  body_read_failed: 400,
  not_found: 404,
  internal_error: 500,
  // Calls to Persona's API (PersonaApiError): Persona, not the caller, failed or refused.
  api_unauthorized: 502,
  api_forbidden: 502,
  api_not_found: 404,
  api_bad_request: 502,
  api_rate_limited: 503,
  api_server_error: 503,
  api_unreachable: 503,
  api_bad_response: 502,
  // Another process holds the reconcile lock.
  reconcile_locked: 409,
});

/** Stable error codes. Each is part of the public API: match on `error.code`, never on the message. */
export type PersonaWebhookErrorCode = keyof typeof ERROR_STATUS;

const API_ERROR_CODES = [
  'api_unauthorized',
  'api_forbidden',
  'api_not_found',
  'api_bad_request',
  'api_rate_limited',
  'api_server_error',
  'api_unreachable',
  'api_bad_response',
] as const satisfies readonly PersonaWebhookErrorCode[];

/**
 * Why a call to Persona's API failed. `api_unauthorized`: the key is wrong, revoked or of another environment;
 * `api_forbidden`: the key lacks a permission (`event.read`) or the IP is not allowed; `api_rate_limited`: still
 * 429 after the backoff; `api_server_error`: still 5xx after the retries; `api_unreachable`: no connection or no
 * answer in time; `api_bad_response`: an answer that is not the JSON the endpoint documents.
 */
export type PersonaApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Safe, non-secret facts about a failed check. Never contains the body, a secret or a signature. */
export interface ErrorDetails {
  readonly bodyLength?: number;
  readonly signatureSets?: number;
  readonly secretsTried?: number;
  readonly timestamp?: number;
  readonly now?: number;
  readonly toleranceSeconds?: number;
  readonly [key: string]: string | number | boolean | undefined;
}

export interface PersonaWebhookErrorOptions {
  status?: number;
  cause?: unknown;
  details?: ErrorDetails;
}

/**
 * Base class of every error this library throws on purpose.
 *
 * @example
 * ```ts
 * try { await verifyWebhook(opts) } catch (e) {
 *   if (e instanceof PersonaWebhookError) res.status(e.status).json({ error: e.code })
 * }
 * ```
 */
export class PersonaWebhookError extends Error {
  /** Stable machine-readable code. */
  readonly code: PersonaWebhookErrorCode;
  /** The HTTP status an endpoint should answer with. */
  readonly status: number;
  /** Safe diagnostics (lengths, counts, timestamps). */
  readonly details: ErrorDetails;

  constructor(code: PersonaWebhookErrorCode, message: string, options: PersonaWebhookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PersonaWebhookError';
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.details = options.details ?? {};
  }
}

const VERIFICATION_ERROR_CODES = [
  'missing_header',
  'malformed_header',
  'no_signatures',
  'signature_mismatch',
  'timestamp_too_old',
  'timestamp_in_future',
  'body_not_raw',
  'no_secret',
  'invalid_json',
  'invalid_event',
] as const satisfies readonly PersonaWebhookErrorCode[];

/** The signature, timestamp or body of a delivery did not pass verification. */
export type VerificationErrorCode = (typeof VERIFICATION_ERROR_CODES)[number];

/**
 * Thrown by `verifySignature` and `verifyWebhook`.
 *
 * @example
 * ```ts
 * if (err instanceof WebhookVerificationError && err.code === 'timestamp_too_old') { ... }
 * ```
 */
export class WebhookVerificationError extends PersonaWebhookError {
  declare readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message: string, options: PersonaWebhookErrorOptions = {}) {
    super(code, message, options);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * The event store could not be reached or did not commit. Answer 503: Persona retries.
 *
 * @example
 * ```ts
 * if (err instanceof StoreUnavailableError) return new Response(null, { status: 503 })
 * ```
 */
export class StoreUnavailableError extends PersonaWebhookError {
  constructor(message: string, options: PersonaWebhookErrorOptions = {}) {
    super('store_unavailable', message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Safe facts about a failed API call: never the key, never a response body. */
export interface ApiErrorDetails extends ErrorDetails {
  /** `GET /events` (the path without the query). */
  readonly request?: string;
  /** The HTTP status Persona answered, or 0 without an answer. */
  readonly httpStatus?: number;
  /** Persona's `Request-Id` of the last answer: quote it to Persona support. */
  readonly requestId?: string;
  /** How many requests were made, retries included. */
  readonly attempts?: number;
}

/**
 * A call to Persona's API failed for good (after the bounded retries, where the failure was retryable).
 * The message is one line and says what to do; it never contains the API key.
 *
 * @example
 * ```ts
 * try { await listEvents(client) } catch (e) {
 *   if (e instanceof PersonaApiError && e.code === 'api_unauthorized') console.error(e.message)
 * }
 * ```
 */
export class PersonaApiError extends PersonaWebhookError {
  declare readonly code: PersonaApiErrorCode;
  declare readonly details: ApiErrorDetails;
  constructor(
    code: PersonaApiErrorCode,
    message: string,
    options: PersonaWebhookErrorOptions & { details?: ApiErrorDetails } = {},
  ) {
    super(code, message, options);
    this.name = 'PersonaApiError';
  }
}
