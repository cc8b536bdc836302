/**
 * Stable error codes. Each is part of the public API: match on `error.code`, never on the message.
 */
export type PersonaWebhookErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'no_signatures'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'body_not_raw'
  | 'no_secret'
  | 'invalid_json'
  | 'invalid_event'
  | 'invalid_options'
  | 'store_unavailable'
  | 'store_failed'
  | 'event_not_storable'
  | 'handler_failed'
  | 'in_flight'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found';

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
    this.status = options.status ?? 500;
    this.details = options.details ?? {};
  }
}

/** The signature, timestamp or body of a delivery did not pass verification. */
export type VerificationErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'no_signatures'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'body_not_raw'
  | 'no_secret'
  | 'invalid_json'
  | 'invalid_event';

const verificationStatus: Record<VerificationErrorCode, number> = {
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
};

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
    super(code, message, { status: verificationStatus[code], ...options });
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
    super('store_unavailable', message, { status: 503, ...options });
    this.name = 'StoreUnavailableError';
  }
}
