export { DEFAULT_MAX_BODY_BYTES, DEFAULT_WEBHOOK_PATH, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createNodeHandler,
  type NodeHandlerOptions,
  type NodeRequestLike,
  type NodeResponseLike,
  type NodeWebhookHandler,
} from './node-handler.js';
