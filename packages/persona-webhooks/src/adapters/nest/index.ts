export type { NodeRequestLike, NodeResponseLike, NodeWebhookHandler } from '../node/node-handler.js';
export { DEFAULT_MAX_BODY_BYTES, type WebhookHttpOptions } from '../shared/http-rules.js';
export { createNestHandler, type NestHandlerOptions } from './nest-handler.js';
