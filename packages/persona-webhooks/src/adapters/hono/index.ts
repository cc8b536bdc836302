export { DEFAULT_MAX_BODY_BYTES, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createHonoHandler,
  type HonoContextLike,
  type HonoHandlerOptions,
  type HonoWebhookHandler,
} from './hono-handler.js';
