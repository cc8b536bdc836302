export { DEFAULT_MAX_BODY_BYTES, DEFAULT_WEBHOOK_PATH, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createKoaMiddleware,
  type KoaContextLike,
  type KoaMiddlewareOptions,
  type KoaWebhookMiddleware,
} from './koa-middleware.js';
