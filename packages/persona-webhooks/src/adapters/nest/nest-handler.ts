import type { ReceiverLike } from '../../processing/types.js';
import { createNodeStyleHandler, type NodeHandlerOptions, type NodeWebhookHandler } from '../node/node-handler.js';

/**
 * Options of `createNestHandler`.
 *
 * @example
 * ```ts
 * app.use('/webhooks/persona', createNestHandler(receiver, { maxBodyBytes: 2 * 1024 * 1024 }))
 * ```
 */
export interface NestHandlerOptions extends NodeHandlerOptions {}

/**
 * Creates a handler for NestJS on the Express platform. Recommended: `app.use(path, handler)` right after
 * `NestFactory.create` (before `listen`), which runs ahead of Nest's body parsers, so the raw stream is
 * read with this handler's size limit. Inside Nest's module system (`consumer.apply(handler)` or a
 * controller with `@Req()`/`@Res()`) Nest's JSON parser runs first: create the app with `{ rawBody: true }`
 * so that `req.rawBody` keeps the bytes (and raise its 100 KB limit with `app.useBodyParser('json', { limit })`).
 * Without either, the answer is a clear `body_not_raw` error saying so.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule)
 * app.use('/webhooks/persona', createNestHandler(receiver))   // before listen(): ahead of the body parsers
 * await app.listen(3000)
 * // or: NestFactory.create(AppModule, { rawBody: true }) and, in AppModule.configure(consumer):
 * // consumer.apply(createNestHandler(receiver)).forRoutes({ path: 'webhooks/persona', method: RequestMethod.ALL })
 * ```
 */
export function createNestHandler(receiver: ReceiverLike, options?: NestHandlerOptions): NodeWebhookHandler {
  return createNodeStyleHandler(receiver, options, 'nest');
}
