import { WebhookVerificationError } from '../../errors.js';
import type { ReceiverLike } from '../../processing/types.js';
import type { RawBody } from '../../signature/body.js';
import {
  assertReceiver,
  handleWebhookRequest,
  payloadTooLarge,
  rawBodyByteLength,
  resolveMaxBodyBytes,
  type WebhookHttpOptions,
  withDefaultPath,
} from '../shared/http-rules.js';
import {
  type NodeRequestLike,
  nodeHeader,
  RAW_BODY_FIX,
  readNodeBody,
  shouldCloseConnection,
} from '../shared/node-body.js';

/**
 * The part of Koa's `Context` the middleware uses.
 *
 * @example
 * ```ts
 * app.use((ctx, next) => middleware(ctx, next)) // ctx: Koa's Context fits KoaContextLike
 * ```
 */
export interface KoaContextLike {
  readonly req: NodeRequestLike;
  readonly method: string;
  readonly path: string;
  /** Body parsers (koa-bodyparser, koa-body) put their results here. */
  readonly request: { readonly url: string; readonly body?: unknown; readonly rawBody?: unknown };
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

/**
 * Options of `createKoaMiddleware`.
 *
 * @example
 * ```ts
 * createKoaMiddleware(receiver, { path: '/webhooks/persona', maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface KoaMiddlewareOptions extends WebhookHttpOptions {
  /**
   * Only handle this path; other requests go to `next()`. Default `/webhooks/persona`; `null` handles every
   * request it sees (mounted on a router's route).
   */
  path?: string | null;
}

/**
 * A Koa middleware.
 *
 * @example
 * ```ts
 * const middleware: KoaWebhookMiddleware = createKoaMiddleware(receiver)
 * router.all('/webhooks/persona', middleware)
 * ```
 */
export type KoaWebhookMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

function readKoaBody(ctx: KoaContextLike, maxBytes: number): Promise<RawBody> {
  const { rawBody, body } = ctx.request;
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) {
    // koa-bodyparser keeps the text it parsed: those are the bytes Persona signed (as UTF-8).
    return rawBodyByteLength(rawBody) > maxBytes ? Promise.reject(payloadTooLarge(maxBytes)) : Promise.resolve(rawBody);
  }
  if (body !== undefined && ctx.req.readableEnded === true) {
    return Promise.reject(
      new WebhookVerificationError(
        'body_not_raw',
        `The request body was already consumed by a body parser (ctx.request.body is set), so the raw bytes Persona signed are gone. ${RAW_BODY_FIX.koa}`,
      ),
    );
  }
  return readNodeBody(ctx.req, maxBytes, 'koa');
}

/**
 * Creates a Koa middleware for Persona webhooks. Mount it before any body parser (or on a router
 * route with `router.all`), so that it reads the raw stream itself; `ctx.request.rawBody` left by
 * koa-bodyparser is used when present.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import { createKoaMiddleware } from 'persona-webhooks/koa'
 *
 * const app = new Koa()
 * app.use(createKoaMiddleware(receiver, { path: '/webhooks/persona' }))
 * ```
 */
export function createKoaMiddleware(receiver: ReceiverLike, options?: KoaMiddlewareOptions): KoaWebhookMiddleware {
  assertReceiver(receiver);
  const maxBodyBytes = resolveMaxBodyBytes(options);
  const path = withDefaultPath(options?.path);
  return async (ctx, next) => {
    if (path !== null && ctx.path !== path) {
      await next();
      return;
    }
    const response = await handleWebhookRequest(
      receiver,
      {
        method: ctx.method,
        header: (name) => nodeHeader(ctx.req, name),
        headers: ctx.req.headers,
        readBody: (max) => readKoaBody(ctx, max),
      },
      maxBodyBytes,
    );
    ctx.status = response.status;
    for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
    if (shouldCloseConnection(ctx.req, response)) ctx.set('connection', 'close');
    ctx.body = response.body;
  };
}
