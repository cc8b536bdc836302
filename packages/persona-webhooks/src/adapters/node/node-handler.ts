import type { ReceiverLike } from '../../processing/types.js';
import {
  type AdapterRequest,
  assertReceiver,
  handleWebhookRequest,
  resolveMaxBodyBytes,
  type WebhookHttpOptions,
  withDefaultPath,
} from '../shared/http-rules.js';
import {
  type NodeRequestLike,
  type NodeResponseLike,
  nodeHeader,
  type RawBodyFramework,
  readNodeBody,
  writeNodeResponse,
} from '../shared/node-body.js';

export type { NodeRequestLike, NodeResponseLike } from '../shared/node-body.js';

/**
 * Options of `createNodeHandler`.
 *
 * @example
 * ```ts
 * createNodeHandler(receiver, { path: '/webhooks/persona', maxBodyBytes: 2 * 1024 * 1024 })
 * ```
 */
export interface NodeHandlerOptions extends WebhookHttpOptions {
  /**
   * Only answer requests to this path (query string ignored); others go to `next()` when used as
   * Connect-style middleware, or get 404 otherwise. Default `/webhooks/persona`; `null` answers every request
   * that reaches the handler (when a router already chose it).
   */
  path?: string | null;
}

/**
 * A Node `(req, res, next?)` handler: a `http.createServer` listener and a Connect/Express middleware.
 *
 * @example
 * ```ts
 * const handler: NodeWebhookHandler = createNodeHandler(receiver)
 * createServer((req, res) => handler(req, res))
 * ```
 */
export type NodeWebhookHandler = (
  req: NodeRequestLike,
  res: NodeResponseLike,
  next?: (error?: unknown) => void,
) => Promise<void>;

/** @internal Builds a Node handler; the framework decides which raw-body advice is given. */
export function createNodeStyleHandler(
  receiver: ReceiverLike,
  options: NodeHandlerOptions | undefined,
  framework: RawBodyFramework,
): NodeWebhookHandler {
  assertReceiver(receiver);
  const maxBodyBytes = resolveMaxBodyBytes(options);
  const path = options?.path ?? null;
  return async (req, res, next) => {
    if (path !== null) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      if ((q === -1 ? url : url.slice(0, q)) !== path) {
        if (next !== undefined) return next();
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ error: 'not_found', message: 'No webhook route here.' }));
        return;
      }
    }
    const request: AdapterRequest = {
      method: req.method ?? 'GET',
      header: (name) => nodeHeader(req, name),
      headers: req.headers,
      readBody: (max) => readNodeBody(req, max, framework),
    };
    try {
      const response = await handleWebhookRequest(receiver, request, maxBodyBytes);
      writeNodeResponse(req, res, response);
    } catch (error) {
      if (next !== undefined) next(error);
      else throw error;
    }
  };
}

/**
 * Creates a Node.js request handler for Persona webhooks: a `http.createServer` listener that is
 * also a Connect-style middleware (`(req, res, next)`). It streams the raw body with a size limit,
 * enforces POST + JSON, and answers with the receiver's result.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createNodeHandler } from 'persona-webhooks/node'
 *
 * const handler = createNodeHandler(receiver, { path: '/webhooks/persona' })
 * createServer((req, res) => handler(req, res)).listen(3000)
 * // or as Connect middleware: app.use(handler)
 * ```
 */
export function createNodeHandler(receiver: ReceiverLike, options?: NodeHandlerOptions): NodeWebhookHandler {
  return createNodeStyleHandler(receiver, { ...options, path: withDefaultPath(options?.path) }, 'node');
}
