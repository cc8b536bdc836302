import type { PersonaWebhookErrorCode } from '../errors.js';
import type { RawBody } from '../signature/body.js';
import type { HeadersLike } from '../signature/header.js';

/** What an adapter hands to `receive()`: the raw bytes and the headers, nothing framework-specific. */
export interface ReceiveInput {
  readonly body: RawBody;
  readonly headers: HeadersLike;
}

/** What happened to a delivery. */
export type ReceiveOutcome =
  /** Verified and durably stored (queue mode) or stored and handled (inline mode). */
  | 'accepted'
  /** Already stored earlier: acknowledged again, nothing runs again. */
  | 'duplicate'
  /** Failed verification or parsing: nothing stored. */
  | 'rejected'
  /** The store could not be reached: nothing acknowledged, Persona retries. */
  | 'unavailable'
  /** Inline mode: a handler failed; the event stays retryable. */
  | 'failed'
  /** Inline mode: the first delivery of this event is still running; answer non-2xx so Persona retries. */
  | 'in_flight';

/** A plain result every framework adapter maps to an HTTP response. */
export interface ReceiveResult {
  readonly status: number;
  /** JSON response body. Never contains payload content, secrets or signatures. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome: ReceiveOutcome;
  /** Set for rejected/unavailable/failed outcomes. */
  readonly code?: PersonaWebhookErrorCode;
  readonly eventId?: string;
  readonly eventName?: string;
  /**
   * The error behind a non-2xx answer, for the operator's log (it may carry hints about the configuration,
   * e.g. how many secrets were tried). Never sent to the sender; never contains payload content.
   */
  readonly error?: unknown;
}

/** Anything that can receive a delivery: what adapters depend on. */
export interface ReceiverLike {
  receive(input: ReceiveInput): Promise<ReceiveResult>;
  /**
   * Told of a delivery an adapter answered itself, before `receive()`: 405 (not a POST), 415 (not JSON), 413
   * (over `maxBodyBytes`), 400 `body_read_failed` (the body could not be read), all with outcome `rejected`, and
   * 500 `body_not_raw` (a parser read the body first) with outcome `failed`. Optional. A receiver from
   * `createWebhookReceiver` passes it to its `onResult`, so its logs and metrics see what the adapter answered.
   */
  answered?(result: ReceiveResult, info: { readonly durationMs: number }): void;
}
