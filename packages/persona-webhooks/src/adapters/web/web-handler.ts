import { WebhookVerificationError } from '../../errors.js';
import type { ReceiverLike } from '../../processing/types.js';
import type { RawBody } from '../../signature/body.js';
import {
  type AdapterResponse,
  assertReceiver,
  concatBytes,
  handleWebhookRequest,
  payloadTooLarge,
  resolveMaxBodyBytes,
  type WebhookHttpOptions,
} from '../shared/http-rules.js';

/**
 * Options of `createWebHandler`.
 *
 * @example
 * ```ts
 * createWebHandler(receiver, { maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface WebHandlerOptions extends WebhookHttpOptions {}

/**
 * A fetch-style handler: Next.js App Router, Hono, Cloudflare Workers, Bun, Deno.
 *
 * @example
 * ```ts
 * const handle: WebWebhookHandler = createWebHandler(receiver)
 * Deno.serve(handle)
 * ```
 */
export type WebWebhookHandler = (request: Request) => Promise<Response>;

/** @internal What to tell the user when the body of a `Request` was read before the handler. */
export const WEB_RAW_BODY_FIX =
  'Do not call request.json() (or any body reader) before the webhook handler: it needs the untouched Request.';

/** @internal Reads a Request body as bytes, cancelling the stream once it passes `maxBytes`. */
export async function readWebBody(
  request: Request,
  maxBytes: number,
  fix: string = WEB_RAW_BODY_FIX,
): Promise<RawBody> {
  if (request.bodyUsed) {
    throw new WebhookVerificationError(
      'body_not_raw',
      `The request body was already read, so the raw bytes Persona signed are gone. ${fix}`,
    );
  }
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Cancelling tells the runtime to stop receiving; nothing past the limit is kept.
      void reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concatBytes(chunks, total);
}

/** @internal Turns a shared response into a fetch `Response`. */
export function toWebResponse(response: AdapterResponse): Response {
  // No `Connection: close` here: it is invalid over HTTP/2 and the fetch runtimes manage connections themselves.
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** @internal Applies the shared rules to one `Request`, with a custom body source (Hono keeps its own cache). */
export async function handleWebRequest(
  receiver: ReceiverLike,
  maxBodyBytes: number,
  request: Request,
  readBody: (maxBytes: number) => Promise<RawBody>,
): Promise<Response> {
  const response = await handleWebhookRequest(
    receiver,
    {
      method: request.method,
      header: (name) => request.headers.get(name) ?? undefined,
      headers: request.headers,
      readBody,
    },
    maxBodyBytes,
  );
  return toWebResponse(response);
}

/**
 * Creates a Web-standard handler `(Request) => Promise<Response>` for Persona webhooks: the base for
 * Next.js App Router, Hono, Cloudflare Workers, Bun and Deno. Streams the body with a size limit,
 * enforces POST + JSON, and answers with the receiver's result.
 *
 * @example
 * ```ts
 * import { createWebHandler } from 'persona-webhooks/web'
 *
 * const handle = createWebHandler(receiver)
 * export default { fetch: (request: Request) => handle(request) } // Cloudflare Workers / Bun
 * Deno.serve(handle)                                              // Deno
 * ```
 */
export function createWebHandler(receiver: ReceiverLike, options?: WebHandlerOptions): WebWebhookHandler {
  assertReceiver(receiver);
  const maxBodyBytes = resolveMaxBodyBytes(options);
  return (request) => handleWebRequest(receiver, maxBodyBytes, request, (max) => readWebBody(request, max));
}
