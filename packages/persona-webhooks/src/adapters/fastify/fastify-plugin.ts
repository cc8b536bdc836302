import type { ReceiverLike } from '../../processing/types.js';
import {
  assertReceiver,
  DEFAULT_WEBHOOK_PATH,
  handleWebhookRequest,
  resolveMaxBodyBytes,
  type WebhookHttpOptions,
} from '../shared/http-rules.js';
import { type NodeRequestLike, nodeHeader, readNodeStream, shouldCloseConnection } from '../shared/node-body.js';

/**
 * The part of a Fastify request the plugin uses.
 *
 * @example
 * ```ts
 * const request: FastifyRequestLike = fastifyRequest // a real FastifyRequest fits
 * ```
 */
export interface FastifyRequestLike {
  readonly method: string;
  readonly raw: NodeRequestLike;
}

/**
 * The part of a Fastify reply the plugin uses.
 *
 * @example
 * ```ts
 * const reply: FastifyReplyLike = fastifyReply // a real FastifyReply fits
 * ```
 */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: string): FastifyReplyLike;
}

/**
 * The part of a Fastify instance the plugin uses (inside its own encapsulated context).
 *
 * @example
 * ```ts
 * const instance: FastifyInstanceLike = Fastify() // a real FastifyInstance fits
 * ```
 */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  route(options: {
    method: string[];
    url: string;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike>;
  }): unknown;
}

/**
 * Options of `createFastifyPlugin`.
 *
 * @example
 * ```ts
 * await app.register(createFastifyPlugin(receiver, { path: '/hooks/persona', maxBodyBytes: 2 * 1024 * 1024 }))
 * ```
 */
export interface FastifyPluginOptions extends WebhookHttpOptions {
  /** The webhook route. Default `/webhooks/persona`. */
  path?: string;
}

/**
 * An encapsulated Fastify plugin: `app.register(plugin)`.
 *
 * @example
 * ```ts
 * const plugin: FastifyWebhookPlugin = createFastifyPlugin(receiver)
 * await app.register(plugin)
 * ```
 */
export type FastifyWebhookPlugin = (fastify: FastifyInstanceLike, options: unknown) => Promise<void>;

// Not HEAD (Fastify derives it from GET) nor OPTIONS (left to CORS plugins).
const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'];

/**
 * Creates an encapsulated Fastify (5) plugin that adds the webhook route. Inside its own context it
 * replaces the content-type parsers with one that hands over the untouched stream, so the route reads
 * the raw bytes (with the size limit) while the rest of the app keeps Fastify's JSON parser.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createFastifyPlugin } from 'persona-webhooks/fastify'
 *
 * const app = Fastify()
 * await app.register(createFastifyPlugin(receiver, { path: '/webhooks/persona' }))
 * ```
 */
export function createFastifyPlugin(receiver: ReceiverLike, options?: FastifyPluginOptions): FastifyWebhookPlugin {
  assertReceiver(receiver);
  const maxBodyBytes = resolveMaxBodyBytes(options);
  const path = options?.path ?? DEFAULT_WEBHOOK_PATH;
  return async (fastify) => {
    // Encapsulated: these parser changes apply to this plugin's routes only, never to the app's.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    fastify.route({
      method: METHODS,
      url: path,
      handler: async (request, reply) => {
        const req = request.raw;
        const response = await handleWebhookRequest(
          receiver,
          {
            method: request.method,
            header: (name) => nodeHeader(req, name),
            headers: req.headers,
            readBody: (max) => readNodeStream(req, max),
          },
          maxBodyBytes,
        );
        reply.code(response.status);
        for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
        if (shouldCloseConnection(req, response)) reply.header('connection', 'close');
        return reply.send(response.body);
      },
    });
  };
}
