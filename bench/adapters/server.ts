// One framework's app for bench/adapters.bench.ts, in its own process: POST /bare (reads the body, answers
// 200 OK), POST /webhooks/persona (the persona-webhooks adapter, queue mode, memory store), POST /noop (the
// same adapter with a receive() that does nothing: the adapter's own cost) and, for the
// `persona-sample` app, POST /sample written the way Persona's quickstart does it. Prints `PORT <n>`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { createWebhookReceiver, type ReceiverLike } from 'persona-webhooks';
import { createExpressHandler } from 'persona-webhooks/express';
import { createFastifyPlugin } from 'persona-webhooks/fastify';
import { createHonoHandler } from 'persona-webhooks/hono';
import { createKoaMiddleware } from 'persona-webhooks/koa';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createNodeHandler } from 'persona-webhooks/node';

import { SECRET } from './constants.js';

const framework = process.argv[2] ?? 'node';

const store = createMemoryStore();
await store.migrate();
const receiver = createWebhookReceiver({ secret: SECRET, store });
// The adapter's own cost: the same HTTP rules and body reading, then a receive() that does nothing.
const noop: ReceiverLike = {
  receive: async () => ({ status: 200, body: { received: true }, outcome: 'accepted' }),
};

function drain(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function start(): Promise<Server> {
  switch (framework) {
    case 'node': {
      const webhook = createNodeHandler(receiver, { path: null });
      const adapterOnly = createNodeHandler(noop, { path: null });
      return createServer((req, res) => {
        if (req.url === '/bare') {
          void drain(req).then(() => res.end('OK'));
          return;
        }
        void (req.url === '/noop' ? adapterOnly : webhook)(req, res);
      });
    }
    case 'express': {
      const app = express();
      app.all('/webhooks/persona', createExpressHandler(receiver));
      app.all('/noop', createExpressHandler(noop));
      app.post('/bare', express.raw({ type: '*/*', limit: '1mb' }), (_req, res) => {
        res.send('OK');
      });
      return createServer(app);
    }
    case 'persona-sample': {
      // Persona's quickstart: express.json({ verify }) keeps the body as a string, then string concatenation.
      const app = express();
      app.use(
        express.json({
          limit: '1mb',
          verify: (req, _res, buf) => {
            (req as IncomingMessage & { rawBody?: string }).rawBody = buf.toString();
          },
        }),
      );
      app.post('/sample', (req, res) => {
        const header = String(req.headers['persona-signature'] ?? '');
        const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
        const rawBody = (req as IncomingMessage & { rawBody?: string }).rawBody ?? '';
        const digest = createHmac('sha256', SECRET).update(`${parts['t']}.${rawBody}`).digest('hex');
        const given = Buffer.from(parts['v1'] ?? '', 'hex');
        const expected = Buffer.from(digest, 'hex');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          res.status(401).end();
          return;
        }
        res.status(200).json({ received: true });
      });
      app.post('/bare', (_req, res) => {
        res.send('OK');
      });
      return createServer(app);
    }
    case 'fastify': {
      const app = Fastify();
      await app.register(createFastifyPlugin(receiver, { path: '/webhooks/persona' }));
      await app.register(createFastifyPlugin(noop, { path: '/noop' }));
      await app.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_r, body, done) =>
          done(null, body),
        );
        scope.post('/bare', async () => 'OK');
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return app.server;
    }
    case 'hono': {
      const app = new Hono();
      app.all('/webhooks/persona', createHonoHandler(receiver));
      app.all('/noop', createHonoHandler(noop));
      app.post('/bare', async (c) => {
        await c.req.arrayBuffer();
        return c.text('OK');
      });
      return createAdaptorServer({ fetch: app.fetch }) as Server;
    }
    case 'koa': {
      const app = new Koa();
      const webhook = createKoaMiddleware(receiver, { path: '/webhooks/persona' });
      const adapterOnly = createKoaMiddleware(noop, { path: null });
      app.use(async (ctx, next) => {
        if (ctx.path === '/noop') return adapterOnly(ctx, next);
        if (ctx.path !== '/bare') return webhook(ctx, next);
        await drain(ctx.req);
        ctx.body = 'OK';
      });
      return createServer(app.callback());
    }
    default:
      throw new Error(`unknown framework ${framework}`);
  }
}

const server = await start();
if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
