export { DEFAULT_MAX_BODY_BYTES, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createNodeHandler,
  type NodeHandlerOptions,
  type NodeRequestLike,
  type NodeResponseLike,
  type NodeWebhookHandler,
} from './node-handler.js';
