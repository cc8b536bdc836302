import { WebhookVerificationError } from '../../errors.js';
import type { RawBody } from '../../signature/body.js';
import { concatBytes, payloadTooLarge, rawBodyByteLength } from './http-rules.js';

/**
 * The part of a Node `IncomingMessage` the adapters use (typed structurally: Express, Koa's `ctx.req`,
 * Next's Pages Router `req` and Nest's express request all fit). `body` / `rawBody` are what body
 * parsers leave behind.
 *
 * @example
 * ```ts
 * createServer((req, res) => handler(req, res)) // req: IncomingMessage fits NodeRequestLike
 * ```
 */
export interface NodeRequestLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readableEnded?: boolean;
  /** 2 for node:http2 compat requests, where `Connection` headers are not allowed. */
  httpVersionMajor?: number;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  /** Set by body parsers (Express `req.body`). */
  body?: unknown;
  /** Set by NestJS `{ rawBody: true }` (a Buffer) or by apps that stash it. */
  rawBody?: unknown;
}

/**
 * The part of a Node `ServerResponse` the adapters use.
 *
 * @example
 * ```ts
 * createServer((req, res) => handler(req, res)) // res: ServerResponse fits NodeResponseLike
 * ```
 */
export interface NodeResponseLike {
  statusCode: number;
  readonly headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

const encoder = new TextEncoder();

/** @internal Reads one header of a Node request as a single string. */
export function nodeHeader(req: NodeRequestLike, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** @internal Per-framework advice for a body that a JSON parser consumed already. */
export const RAW_BODY_FIX = {
  node: 'Mount this handler before any body parser, or store the raw bytes on req.rawBody.',
  // express.raw() on the route cannot help once a global express.json() has read the stream: the route must move.
  express:
    'Mount the webhook route before app.use(express.json()) (once it has read the stream, express.raw() on the route cannot help), or keep the bytes: express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }).',
  next: 'Disable Next.js body parsing for this API route: export const config = { api: { bodyParser: false } }.',
  koa: 'Mount the webhook middleware before koa-bodyparser / koa-body, or enable their raw-body option (ctx.request.rawBody).',
  nest: 'Create the app with NestFactory.create(AppModule, { rawBody: true }) so that req.rawBody holds the bytes, or mount the handler with app.use() before app.listen() so it runs ahead of the body parsers.',
} as const;

/** @internal Which framework's advice to give. */
export type RawBodyFramework = keyof typeof RAW_BODY_FIX;

function notRaw(framework: RawBodyFramework, what: string): WebhookVerificationError {
  return new WebhookVerificationError(
    'body_not_raw',
    `The request body was already consumed by ${what}, so the raw bytes Persona signed are gone. ${RAW_BODY_FIX[framework]}`,
  );
}

function checkedRaw(body: RawBody, maxBytes: number): RawBody {
  if (rawBodyByteLength(body) > maxBytes) throw payloadTooLarge(maxBytes);
  return body;
}

/**
 * @internal Gets the raw body of a Node request: bytes a raw parser already kept (`req.rawBody`, a Buffer or
 * string `req.body`), else the stream, read with the limit enforced chunk by chunk. A stream that a JSON
 * parser already consumed is a clear `body_not_raw`, not a signature mismatch.
 */
export function readNodeBody(req: NodeRequestLike, maxBytes: number, framework: RawBodyFramework): Promise<RawBody> {
  const { rawBody, body } = req;
  if (rawBody instanceof Uint8Array || typeof rawBody === 'string')
    return Promise.resolve(checkedRaw(rawBody, maxBytes));
  if (body instanceof Uint8Array || typeof body === 'string') return Promise.resolve(checkedRaw(body, maxBytes));
  if (req.readableEnded === true) {
    const what = body !== undefined && body !== null ? 'a JSON body parser (req.body is set)' : 'earlier middleware';
    return Promise.reject(notRaw(framework, what));
  }
  return readNodeStream(req, maxBytes);
}

/** @internal Streams a Node request body, stopping (and pausing the socket) as soon as it passes `maxBytes`. */
export function readNodeStream(req: NodeRequestLike, maxBytes: number): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const cleanup = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('aborted', onAborted);
    };
    const onData = (chunk: Uint8Array | string) => {
      // A stream set to a text encoding by earlier code: count and keep UTF-8 bytes, as Persona sent them.
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        cleanup();
        // Stop pulling: the rest is never buffered; the adapter answers 413 and closes the connection.
        req.pause();
        chunks.length = 0;
        reject(payloadTooLarge(maxBytes));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(concatBytes(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      // Not a PersonaWebhookError: the shared rules answer 400 body_read_failed, without the error's text.
      reject(error);
    };
    const onAborted = () => onError(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.resume();
  });
}

/**
 * @internal Whether to add `Connection: close` after leaving a body unread: HTTP/1 only (HTTP/2 forbids the
 * header and resets the stream itself).
 */
export function shouldCloseConnection(req: NodeRequestLike, response: { closeConnection?: boolean }): boolean {
  return response.closeConnection === true && req.httpVersionMajor !== 2;
}

/** @internal Copies a shared response onto a Node `ServerResponse`. */
export function writeNodeResponse(
  req: NodeRequestLike,
  res: NodeResponseLike,
  response: { status: number; headers: Record<string, string>; body: string; closeConnection?: boolean },
): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (shouldCloseConnection(req, response)) res.setHeader('connection', 'close');
  res.end(response.body);
}
