// A real local HTTP server standing in for the app that `serve --forward-to` posts to. It verifies each
// request with the library's verifyWebhook, exactly as the receiving app would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PersonaEvent, verifyWebhook } from 'persona-webhooks';

export interface ForwardTarget {
  readonly url: string;
  readonly port: number;
  /** Ids of verified deliveries, in arrival order (repeats included). */
  readonly received: string[];
  /** The verified events themselves, in arrival order. */
  readonly events: PersonaEvent[];
  /** Requests that failed verification. */
  readonly rejected: string[];
  close(): Promise<void>;
}

/** Finds a port that is free now (for a target that starts later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTarget(secret: string, port = 0): Promise<ForwardTarget> {
  const received: string[] = [];
  const events: PersonaEvent[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      verifyWebhook({ body, header: req.headers['persona-signature'], secret }).then(
        (event) => {
          received.push(event.id);
          events.push(event);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        },
        (error: { code?: string }) => {
          rejected.push(error.code ?? 'error');
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"ok":false}');
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/persona`,
    port: actual,
    received,
    events,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
