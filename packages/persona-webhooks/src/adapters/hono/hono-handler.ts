import type { ReceiverLike } from '../../processing/types.js';
import type { RawBody } from '../../signature/body.js';
import {
  assertReceiver,
  payloadTooLarge,
  rawBodyByteLength,
  resolveMaxBodyBytes,
  type WebhookHttpOptions,
} from '../shared/http-rules.js';
import { handleWebRequest, readWebBody } from '../web/web-handler.js';

/**
 * The part of Hono's `Context` the handler uses.
 *
 * @example
 * ```ts
 * app.all('/webhooks/persona', (c) => handler(c)) // c: Hono's Context fits HonoContextLike
 * ```
 */
export interface HonoContextLike {
  readonly req: {
    readonly raw: Request;
    /** Hono's cache of bodies already read through `c.req.text()` / `c.req.arrayBuffer()` (promises at run time). */
    readonly bodyCache?: { readonly arrayBuffer?: unknown; readonly text?: unknown };
  };
}

/**
 * Options of `createHonoHandler`.
 *
 * @example
 * ```ts
 * createHonoHandler(receiver, { maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface HonoHandlerOptions extends WebhookHttpOptions {}

/**
 * A Hono handler: `app.all(path, handler)`.
 *
 * @example
 * ```ts
 * const handler: HonoWebhookHandler = createHonoHandler(receiver)
 * app.all('/webhooks/persona', handler)
 * ```
 */
export type HonoWebhookHandler = (c: HonoContextLike) => Promise<Response>;

const HONO_RAW_BODY_FIX =
  'A middleware read c.req.raw directly (e.g. c.req.raw.json()): use c.req.json() / c.req.text() there instead (Hono caches the text and this handler reuses it), or exclude the webhook path from that middleware.';

async function readHonoBody(c: HonoContextLike, maxBytes: number): Promise<RawBody> {
  const request = c.req.raw;
  const cache = c.req.bodyCache;
  if (request.bodyUsed && cache !== undefined) {
    // Hono keeps what c.req.text()/arrayBuffer() read: those are the exact bytes, safe to verify.
    const buffer: unknown = await cache.arrayBuffer;
    const text: unknown = await cache.text;
    const cached: RawBody | undefined =
      buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : typeof text === 'string' ? text : undefined;
    if (cached !== undefined) {
      if (rawBodyByteLength(cached) > maxBytes) throw payloadTooLarge(maxBytes);
      return cached;
    }
  }
  return readWebBody(request, maxBytes, HONO_RAW_BODY_FIX);
}

/**
 * Creates a Hono handler for Persona webhooks. Mount it with `app.all` so that other methods get 405.
 * If a middleware already read the body through `c.req.json()` / `text()` / `arrayBuffer()`, Hono's cache of
 * those exact bytes is used; if it consumed `c.req.raw` directly, the answer is a clear `body_not_raw` error.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createHonoHandler } from 'persona-webhooks/hono'
 *
 * const app = new Hono()
 * app.all('/webhooks/persona', createHonoHandler(receiver))
 * ```
 */
export function createHonoHandler(receiver: ReceiverLike, options?: HonoHandlerOptions): HonoWebhookHandler {
  assertReceiver(receiver);
  const maxBodyBytes = resolveMaxBodyBytes(options);
  return (c) => handleWebRequest(receiver, maxBodyBytes, c.req.raw, (max) => readHonoBody(c, max));
}
