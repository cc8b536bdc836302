import type { ReceiverLike } from '../../processing/types.js';
import { createNodeStyleHandler, type NodeWebhookHandler } from '../node/node-handler.js';
import type { WebhookHttpOptions } from '../shared/http-rules.js';
import { createWebHandler, type WebWebhookHandler } from '../web/web-handler.js';

/**
 * Options of the Next.js helpers.
 *
 * @example
 * ```ts
 * createNextRouteHandlers(receiver, { maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface NextHandlerOptions extends WebhookHttpOptions {}

/**
 * Route handler exports for an App Router `route.ts`: every method, so that non-POST gets our 405 + Allow.
 *
 * @example
 * ```ts
 * export const { POST, GET, PUT, PATCH, DELETE }: NextRouteHandlers = createNextRouteHandlers(receiver)
 * ```
 */
export interface NextRouteHandlers {
  readonly POST: WebWebhookHandler;
  readonly GET: WebWebhookHandler;
  readonly PUT: WebWebhookHandler;
  readonly PATCH: WebWebhookHandler;
  readonly DELETE: WebWebhookHandler;
}

/**
 * Creates the exports of a Next.js App Router route handler (`app/webhooks/persona/route.ts`). The
 * handler reads `request.body` itself; never call `request.json()` before it. Route handlers are not
 * subject to Server Action origin checks, so no CSRF exemption is needed.
 *
 * @example
 * ```ts
 * // app/webhooks/persona/route.ts
 * import { createNextRouteHandlers } from 'persona-webhooks/next'
 * import { receiver } from '@/lib/persona'
 *
 * export const runtime = 'nodejs'
 * export const { POST, GET, PUT, PATCH, DELETE } = createNextRouteHandlers(receiver)
 * ```
 */
export function createNextRouteHandlers(receiver: ReceiverLike, options?: NextHandlerOptions): NextRouteHandlers {
  const handle = createWebHandler(receiver, options);
  return { POST: handle, GET: handle, PUT: handle, PATCH: handle, DELETE: handle };
}

/**
 * Creates a Next.js Pages Router API route (`pages/api/webhooks/persona.ts`). Next parses bodies of
 * API routes by default: turn it off for this route with `export const config = { api: { bodyParser: false } }`,
 * or the handler answers a `body_not_raw` error saying so.
 *
 * @example
 * ```ts
 * // pages/api/webhooks/persona.ts
 * import { createNextApiHandler } from 'persona-webhooks/next'
 *
 * export const config = { api: { bodyParser: false } }
 * export default createNextApiHandler(receiver)
 * ```
 */
export function createNextApiHandler(receiver: ReceiverLike, options?: NextHandlerOptions): NodeWebhookHandler {
  return createNodeStyleHandler(receiver, options, 'next');
}
