export { DEFAULT_MAX_BODY_BYTES, DEFAULT_WEBHOOK_PATH, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createFastifyPlugin,
  type FastifyInstanceLike,
  type FastifyPluginOptions,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type FastifyWebhookPlugin,
} from './fastify-plugin.js';
