// Serves a Web fetch handler on node:http: the request becomes a `Request`, the `Response` is written back.
// Used by `serve --dashboard`; the handler itself knows nothing of node.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/** A listening server and its URL. */
export interface FetchServer {
  readonly server: Server;
  readonly origin: string;
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, fallbackHost: string): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? fallbackHost}${req.url ?? '/'}`, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null) return void res.end();
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>)
      .on('error', reject)
      .pipe(res)
      .on('finish', resolve)
      .on('error', reject);
  });
}

/**
 * Listens on `host:port` and answers every request with `handler`. Resolves once listening.
 *
 * @example
 * ```ts
 * const { origin, close } = await serveFetchHandler(createDashboard({ store, auth }), { host: '127.0.0.1', port: 8788 })
 * ```
 */
export async function serveFetchHandler(
  handler: (request: Request) => Promise<Response>,
  options: { readonly host: string; readonly port: number; readonly onError?: (error: unknown) => void },
): Promise<FetchServer> {
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    handler(toRequest(req, `${options.host}:${options.port}`))
      .then((response) => writeResponse(response, res))
      .catch((error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('internal error');
        } else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    origin: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
