import { PersonaWebhookError } from '../errors.js';
import { numberOption } from '../options.js';
import { collectSecrets, type SecretOptions } from '../signature/verify.js';
import { signPayload } from '../webhook-signature.js';
import { createSampleEvent, type SampleEventOptions } from './sample-event.js';

/** Persona retries a failed delivery 7 times: 8 attempts in all (https://docs.withpersona.com/webhooks). */
const TOTAL_ATTEMPTS = 8;

/**
 * What a delivery carries besides its secret: the body (or an event to make one from) and the delivery headers.
 *
 * @example
 * ```ts
 * const retry: SignedDeliveryContent = { event: 'inquiry.approved', attemptsMade: 3, firstAttemptedAt: new Date() }
 * ```
 */
export interface SignedDeliveryContent {
  /** An event name (a sample event is made for it) or an envelope object (serialized with `JSON.stringify`). */
  event?: string | object;
  /** Options of the sample event made when `event` is a name (or absent): `apiVersion`, `inflection`, `seed`, … */
  sample?: SampleEventOptions;
  /** The exact body to send, instead of `event`. Bytes are sent and signed as they are. */
  body?: string | Uint8Array;
  /** The signature's `t`, in unix seconds or as a `Date`. Default: now. */
  timestamp?: number | Date;
  /** `Persona-Webhook-Attempts-Made`. Default 1 (a first delivery). */
  attemptsMade?: number;
  /** `Persona-Webhook-Attempts-Left`. Default: 8 minus `attemptsMade`. */
  attemptsLeft?: number;
  /** `Persona-Webhook-First-Attempted-At`, unix seconds or a `Date`. Default: the signature's timestamp. */
  firstAttemptedAt?: number | Date;
  /** Extra headers, added last (they can replace the generated ones; keys are lower-cased). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Options of `createSignedDelivery`: what to send and the secret(s) to sign it with.
 *
 * @example
 * ```ts
 * const options: SignedDeliveryOptions = { event: 'case.created', secret: 'wbhsec_test', timestamp: 1764686826 }
 * ```
 */
export type SignedDeliveryOptions = SignedDeliveryContent & SecretOptions;

/**
 * Options of `createSignedRequest`: a delivery plus the URL to post it to (default `http://localhost/webhooks/persona`).
 *
 * @example
 * ```ts
 * const options: SignedRequestOptions = { url: 'http://127.0.0.1:3000/hook', event: 'inquiry.approved', secret }
 * ```
 */
export type SignedRequestOptions = SignedDeliveryOptions & { url?: string | URL };

/**
 * A signed delivery, for code that sends requests without `fetch`'s `Request` (the CLI's `trigger`, `http.request`).
 * Header names are lower-case, as Node presents them.
 *
 * @example
 * ```ts
 * const { body, headers }: SignedDelivery = await createSignedDelivery({ event: 'inquiry.approved', secret })
 * ```
 */
export interface SignedDelivery<B extends string | Uint8Array = string> {
  readonly body: B;
  readonly headers: Readonly<Record<string, string>>;
}

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', message);
}

function toSeconds(value: number | Date, what: string): number {
  const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw invalid(`${what} must be whole unix seconds (or a Date).`);
  return seconds;
}

function attempts(value: number, what: string): number {
  return numberOption('createSignedDelivery', what, value, 0, { integer: true, min: 0 });
}

/**
 * Builds the body and headers of a delivery exactly as Persona sends it: the JSON body, `Persona-Signature`
 * (one `t=…,v1=…` set per secret, so a rotation can be simulated), the attempt headers and
 * `content-type: application/json; charset=utf-8`.
 *
 * @throws PersonaWebhookError `invalid_options` (both `event` and `body`, bad numbers), `no_secret`.
 * @example
 * ```ts
 * const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret: 'wbhsec_test' })
 * await fetch('http://127.0.0.1:3000/webhooks/persona', { method: 'POST', body, headers })
 * ```
 */
export async function createSignedDelivery(
  options: SignedDeliveryOptions & { body: Uint8Array },
): Promise<SignedDelivery<Uint8Array>>;
export async function createSignedDelivery(
  options: SignedDeliveryOptions & { body?: string },
): Promise<SignedDelivery<string>>;
export async function createSignedDelivery(
  options: SignedDeliveryOptions,
): Promise<SignedDelivery<string | Uint8Array>>;
export async function createSignedDelivery(
  options: SignedDeliveryOptions,
): Promise<SignedDelivery<string | Uint8Array>> {
  if (options.event !== undefined && options.body !== undefined) {
    throw invalid('Pass either `event` or `body`, not both.');
  }
  let body: string | Uint8Array;
  if (options.body !== undefined) {
    if (typeof options.body !== 'string' && !(options.body instanceof Uint8Array)) {
      throw invalid('`body` must be a string or a Uint8Array.');
    }
    body = options.body;
  } else if (typeof options.event === 'string') {
    body = JSON.stringify(createSampleEvent(options.event, options.sample));
  } else if (options.event !== undefined && options.event !== null && typeof options.event === 'object') {
    body = JSON.stringify(options.event);
  } else if (options.event === undefined) {
    body = JSON.stringify(createSampleEvent('inquiry.approved', options.sample));
  } else {
    throw invalid('`event` must be an event name or an envelope object.');
  }
  const timestamp = toSeconds(options.timestamp ?? new Date(), 'timestamp');
  const made = attempts(options.attemptsMade ?? 1, 'attemptsMade');
  const left = attempts(options.attemptsLeft ?? Math.max(0, TOTAL_ATTEMPTS - made), 'attemptsLeft');
  const first = toSeconds(options.firstAttemptedAt ?? timestamp, 'firstAttemptedAt');
  // The removed `secrets` option is refused here as everywhere else (invalid_options), not silently ignored.
  collectSecrets(options as SecretOptions);
  const signature = await signPayload({ body, timestamp, secret: options.secret });
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'persona-signature': signature,
    'persona-webhook-attempts-made': String(made),
    'persona-webhook-attempts-left': String(left),
    'persona-webhook-first-attempted-at': String(first),
  };
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[key.toLowerCase()] = value;
  return { body, headers };
}

/**
 * A fetch `Request` (POST) carrying a signed delivery, ready for `app.fetch(request)`, `app.request(request)`
 * (Hono), a Next.js route handler or `fetch` itself.
 *
 * @throws PersonaWebhookError `invalid_options`, `no_secret`.
 * @example
 * ```ts
 * const request = await createSignedRequest({ event: 'inquiry.approved', secret: 'wbhsec_test' })
 * const response = await app.fetch(request)
 * ```
 */
export async function createSignedRequest(options: SignedRequestOptions): Promise<Request> {
  const { body, headers } = await createSignedDelivery(options);
  // A Uint8Array view may share a larger buffer: copy exactly the bytes to send.
  const payload = typeof body === 'string' ? body : body.slice();
  return new Request(options.url ?? 'http://localhost/webhooks/persona', { method: 'POST', headers, body: payload });
}
