import { WebhookVerificationError } from '../errors.js';
import type { SignedBytes } from './hmac.js';

/** The request body exactly as received: a string, bytes (`Buffer` is a `Uint8Array`) or an `ArrayBuffer`. */
export type RawBody = string | Uint8Array | ArrayBuffer;

const RAW_BODY_HINT =
  'Pass the raw request body, as received. ' +
  'Express: mount the webhook route with express.raw({ type: "application/json" }) before express.json(), or use persona-webhooks/express. ' +
  'Next.js App Router: await request.text() (not request.json()). Next.js Pages Router: export config = { api: { bodyParser: false } }. ' +
  'Fastify: register persona-webhooks/fastify. NestJS: NestFactory.create(AppModule, { rawBody: true }) and read req.rawBody.';

/**
 * Takes the body as given, without decoding or re-encoding it, and rejects a parsed object.
 *
 * @throws WebhookVerificationError `body_not_raw`
 * @example
 * ```ts
 * toSignedBytes(await request.arrayBuffer()) // a Uint8Array over the same bytes, not a copy
 * toSignedBytes(req.body)                    // throws body_not_raw when express.json() already parsed it
 * ```
 */
export function toSignedBytes(body: unknown): SignedBytes {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  // An ArrayBuffer from another realm (a vm context, a test environment) fails instanceof.
  if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') return new Uint8Array(body as ArrayBuffer);
  const kind =
    body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body === 'object' ? 'an object' : typeof body;
  throw new WebhookVerificationError(
    'body_not_raw',
    `The body is ${kind}, not the raw bytes Persona signed: a JSON parser probably consumed it already, and re-serialised JSON no longer matches the signature. ${RAW_BODY_HINT}`,
  );
}
