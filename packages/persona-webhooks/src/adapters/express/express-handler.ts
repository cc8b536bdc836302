import type { ReceiverLike } from '../../processing/types.js';
import { createNodeStyleHandler, type NodeHandlerOptions, type NodeWebhookHandler } from '../node/node-handler.js';

/**
 * Options of `createExpressHandler`.
 *
 * @example
 * ```ts
 * createExpressHandler(receiver, { maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface ExpressHandlerOptions extends NodeHandlerOptions {}

/**
 * Creates an Express (4 or 5) route handler for Persona webhooks. Mount it with `app.all` (so that
 * other methods get 405 + Allow) and before `express.json()`, or after `express.raw()`: it reads the raw
 * stream itself, uses a Buffer that `express.raw()` left in `req.body`, and answers a clear
 * `body_not_raw` error (500) if a JSON parser already consumed the body.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createExpressHandler } from 'persona-webhooks/express'
 *
 * const app = express()
 * app.all('/webhooks/persona', createExpressHandler(receiver))   // before express.json()
 * app.use(express.json())
 * ```
 */
export function createExpressHandler(receiver: ReceiverLike, options?: ExpressHandlerOptions): NodeWebhookHandler {
  return createNodeStyleHandler(receiver, options, 'express');
}
