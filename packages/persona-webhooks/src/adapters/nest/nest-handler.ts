import type { ReceiverLike } from '../../processing/types.js';
import { createNodeStyleHandler, type NodeHandlerOptions, type NodeWebhookHandler } from '../node/node-handler.js';

/** Options of `createNestHandler`. */
export interface NestHandlerOptions extends NodeHandlerOptions {}

/**
 * Creates a handler for NestJS on the Express platform, usable as a functional middleware
 * (`consumer.apply(handler).forRoutes(...)`) or from a controller with `@Req()` / `@Res()`. Create the
 * app with `{ rawBody: true }`: Nest's JSON parser then keeps the bytes in `req.rawBody`, which this
 * handler verifies. Without it the answer is a clear `body_not_raw` error saying so. Nest's JSON parser
 * limits bodies to 100 KB by default: raise it with `app.useBodyParser('json', { limit: '1mb' })`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule, { rawBody: true })
 * app.useBodyParser('json', { limit: '1mb' })
 * // in AppModule.configure(consumer):
 * consumer.apply(createNestHandler(receiver)).forRoutes({ path: 'webhooks/persona', method: RequestMethod.ALL })
 * ```
 */
export function createNestHandler(receiver: ReceiverLike, options?: NestHandlerOptions): NodeWebhookHandler {
  return createNodeStyleHandler(receiver, options, 'nest');
}
