export { DEFAULT_MAX_BODY_BYTES, type WebhookHttpOptions } from '../shared/http-rules.js';
export {
  createNextApiHandler,
  createNextRouteHandlers,
  type NextHandlerOptions,
  type NextRouteHandlers,
} from './next-handlers.js';
