import { ERROR_STATUS, PersonaWebhookError, type PersonaWebhookErrorCode } from '../../errors.js';
import { numberOption } from '../../options.js';
import type { ReceiverLike } from '../../processing/types.js';
import type { RawBody } from '../../signature/body.js';
import { getSignatureHeader, type HeadersLike, parseSignatureHeader } from '../../signature/header.js';

/**
 * Default body limit: 1 MiB. Persona's largest envelopes are an event with `included` objects (an inquiry
 * with its verifications, reports and documents), a few tens of KB; since 2026-01-28 new webhooks send an
 * empty `included` unless allow-listed. 1 MiB leaves >10× headroom, matches Fastify's default, and bounds
 * what one connection can make the process hold. Raise it with `maxBodyBytes` if you allow-list much.
 *
 * @example
 * ```ts
 * createNodeHandler(receiver, { maxBodyBytes: 4 * DEFAULT_MAX_BODY_BYTES })
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The path the adapters that own a route (Fastify, node, Koa) answer by default, the same as `serve`'s and the
 * testing kit's. The adapters you mount on your own route (Express, Hono, Next, Nest, web) take no path.
 *
 * @example
 * ```ts
 * createNodeHandler(receiver, { path: DEFAULT_WEBHOOK_PATH })
 * ```
 */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/persona';

/** @internal `undefined` → the default path; `null` → no path check. */
export function withDefaultPath(path: string | null | undefined): string | null {
  if (path === undefined) return DEFAULT_WEBHOOK_PATH;
  if (path !== null && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new PersonaWebhookError('invalid_options', `path must start with "/" (or be null), got ${String(path)}.`);
  }
  return path;
}

/**
 * HTTP options shared by every adapter.
 *
 * @example
 * ```ts
 * createWebHandler(receiver, { maxBodyBytes: 2 * 1024 * 1024 }) // every adapter takes these
 * ```
 */
export interface WebhookHttpOptions {
  /** Largest body accepted, in bytes; longer bodies get 413 while streaming. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** @internal What each adapter supplies to the shared HTTP rules. */
export interface AdapterRequest {
  readonly method: string;
  /** Case-insensitive header lookup. */
  header(name: string): string | undefined;
  /** The headers as handed to `receive()`. */
  readonly headers: HeadersLike;
  /** Reads the raw body; rejects with `payload_too_large` past `maxBytes`, or `body_not_raw`. */
  readBody(maxBytes: number): Promise<RawBody>;
}

/** @internal A framework-free response: adapters only copy it out. */
export interface AdapterResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text. */
  readonly body: string;
  /** Set when the request body was left unread: the adapter should close the connection after answering. */
  readonly closeConnection?: boolean;
}

const encoder = new TextEncoder();
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Whether a `Content-Type` is JSON: `application/json` or `application/<x>+json`, parameters
 * (`; charset=utf-8`) allowed.
 *
 * @example
 * ```ts
 * isJsonContentType('application/json; charset=utf-8') // true
 * isJsonContentType('text/plain') // false
 * ```
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  return JSON_TYPE.test(type);
}

/**
 * @internal Validates and normalises the adapter options once, at set-up time.
 * @throws PersonaWebhookError `invalid_options`
 */
export function resolveMaxBodyBytes(options: WebhookHttpOptions | undefined): number {
  return numberOption('adapter', 'maxBodyBytes', options?.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, {
    integer: true,
    min: 1,
    unit: 'bytes',
  });
}

/**
 * @internal Checks a receiver at set-up time, so a wrong argument fails at start-up rather than per request.
 * @throws PersonaWebhookError `invalid_options`
 */
export function assertReceiver(receiver: unknown): asserts receiver is ReceiverLike {
  if (
    receiver === null ||
    typeof receiver !== 'object' ||
    typeof (receiver as { receive?: unknown }).receive !== 'function'
  ) {
    throw new PersonaWebhookError(
      'invalid_options',
      'Pass a receiver with a receive() method, e.g. createWebhookReceiver({ secret, store }).',
    );
  }
}

/** @internal The error raised while streaming once the body passes the limit. */
export function payloadTooLarge(maxBytes: number): PersonaWebhookError {
  return new PersonaWebhookError('payload_too_large', `The body is larger than ${maxBytes} bytes (maxBodyBytes).`, {
    details: { maxBodyBytes: maxBytes },
  });
}

function errorResponse(
  code: PersonaWebhookErrorCode,
  message: string,
  extra: Record<string, string> = {},
  closeConnection = false,
  status: number = ERROR_STATUS[code],
): AdapterResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...extra },
    body: JSON.stringify({ error: code, message }),
    closeConnection,
  };
}

/**
 * @internal The HTTP rules, written once: POST only (405 + Allow), JSON content types only (415),
 * a body limit checked on Content-Length and again while streaming (413), then `receive()`'s result.
 */
export async function handleWebhookRequest(
  receiver: ReceiverLike,
  request: AdapterRequest,
  maxBodyBytes: number,
): Promise<AdapterResponse> {
  const started = performance.now();
  // What is answered here never reaches receive(): the receiver is told, so its onResult (logs, metrics) sees it.
  const refuse = (error: PersonaWebhookError, extra: Record<string, string> = {}, closeConnection = false) => {
    if (receiver.answered !== undefined) {
      try {
        receiver.answered(
          {
            status: error.status,
            // A 5xx here (body_not_raw: a parser read the body first) is our configuration failing, not the sender.
            outcome: error.status >= 500 ? 'failed' : 'rejected',
            code: error.code,
            error,
            body: { error: error.code, message: error.message },
          },
          { durationMs: performance.now() - started },
        );
      } catch {
        // Metrics must never change the answer.
      }
    }
    return errorResponse(error.code, error.message, extra, closeConnection, error.status);
  };
  if (request.method.toUpperCase() !== 'POST') {
    return refuse(new PersonaWebhookError('method_not_allowed', 'Persona delivers webhooks with POST.'), {
      allow: 'POST',
    });
  }
  const contentType = request.header('content-type');
  if (!isJsonContentType(contentType)) {
    return refuse(
      new PersonaWebhookError(
        'unsupported_media_type',
        'Persona webhooks are JSON: send Content-Type: application/json.',
      ),
      {},
      true,
    );
  }
  // A delivery without a well-formed Persona-Signature can never be accepted: answer before reading a byte
  // of its body, so an unauthenticated sender cannot make us buffer (or wait for) up to maxBodyBytes.
  // The receiver still gives the answer (it fails on the same header check), so onResult, logs and metrics
  // see these rejections too.
  if (!hasWellFormedSignature(request.headers)) {
    return { ...(await receiveOrFail(receiver, new Uint8Array(0), request.headers)), closeConnection: true };
  }
  const declared = request.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBodyBytes) {
    return refuse(payloadTooLarge(maxBodyBytes), {}, true);
  }
  let body: RawBody;
  try {
    body = await request.readBody(maxBodyBytes);
  } catch (error) {
    if (error instanceof PersonaWebhookError) return refuse(error, {}, error.code === 'payload_too_large');
    return refuse(
      new PersonaWebhookError('body_read_failed', 'The request body could not be read.', { cause: error }),
      {},
      true,
    );
  }
  return receiveOrFail(receiver, body, request.headers);
}

function hasWellFormedSignature(headers: HeadersLike): boolean {
  try {
    parseSignatureHeader(getSignatureHeader(headers));
    return true;
  } catch {
    return false;
  }
}

async function receiveOrFail(receiver: ReceiverLike, body: RawBody, headers: HeadersLike): Promise<AdapterResponse> {
  try {
    const result = await receiver.receive({ body, headers });
    return {
      status: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...result.headers },
      body: JSON.stringify(result.body),
    };
  } catch (error) {
    // A receiver is expected to turn failures into results; this is the last guard, without details.
    if (error instanceof PersonaWebhookError) return errorResponse(error.code, error.message, {}, false, error.status);
    return errorResponse('internal_error', 'The webhook receiver failed unexpectedly.');
  }
}

/** @internal Joins chunks into one byte array without assuming Node's Buffer. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** @internal Byte length of an already-read body (UTF-8 length for strings). */
export function rawBodyByteLength(body: RawBody): number {
  if (typeof body === 'string') return encoder.encode(body).byteLength;
  return body.byteLength;
}
