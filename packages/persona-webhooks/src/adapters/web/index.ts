export { DEFAULT_MAX_BODY_BYTES, type WebhookHttpOptions } from '../shared/http-rules.js';
export { createWebHandler, type WebHandlerOptions, type WebWebhookHandler } from './web-handler.js';
