// The set-ups docs/adapters.md describes, built as written with the real frameworks over real HTTP: what
// works, what answers body_not_raw (and that its advice is the fix), and where a parser in front verifies
// decoded text rather than the bytes (a UTF-8 byte order mark then fails the signature).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { bodyParser } from '@koa/bodyparser';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { createExpressHandler } from '../../src/adapters/express/index.js';
import { createHonoHandler } from '../../src/adapters/hono/index.js';
import { createKoaMiddleware } from '../../src/adapters/koa/index.js';
import type { ReceiverLike } from '../../src/processing/types.js';
import type { MountedApp } from '../conformance/adapter-suite.js';
import { createSuiteReceiver, makeEventBody, send, signedHeaders } from './harness.js';
import { listen } from './listen.js';

const PATH = '/webhooks/persona';
const BOM = '\uFEFF';

async function post(app: MountedApp, body: string) {
  return send(app.url, { body, headers: await signedHeaders(body) });
}

let receiver: ReceiverLike;
before(async () => {
  receiver = (await createSuiteReceiver()).receiver;
});

describe('Express, as docs/adapters.md describes it', () => {
  const apps: MountedApp[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });
  const start = async (build: (app: express.Express) => void) => {
    const app = express();
    build(app);
    const mounted = await listen(createServer(app), PATH);
    apps.push(mounted);
    return mounted;
  };

  it('verifies with the route mounted before app.use(express.json())', async () => {
    const app = await start((a) => {
      a.all(PATH, createExpressHandler(receiver));
      a.use(express.json());
    });
    assert.equal((await post(app, makeEventBody())).status, 200);
  });

  it('answers body_not_raw when express.json() runs first, even with express.raw() on the route, and says to move the route', async () => {
    const app = await start((a) => {
      a.use(express.json());
      a.all(PATH, express.raw({ type: 'application/json' }), createExpressHandler(receiver));
    });
    const res = await post(app, makeEventBody());
    assert.equal(res.status, 500, res.text);
    const json = res.json();
    assert.equal(json['error'], 'body_not_raw');
    assert.match(String(json['message']), /before app\.use\(express\.json\(\)\)/);
    assert.match(String(json['message']), /verify/);
  });

  it('verifies behind express.json({ verify }) that keeps req.rawBody', async () => {
    const app = await start((a) => {
      a.use(
        express.json({
          verify: (req, _res, buf) => {
            Object.assign(req, { rawBody: buf }); // the docs' `req.rawBody = buf`, without a type declaration
          },
        }),
      );
      a.all(PATH, createExpressHandler(receiver));
    });
    assert.equal((await post(app, makeEventBody())).status, 200);
    // Bytes, not text: a byte order mark stays part of what is verified.
    assert.notEqual((await post(app, BOM + makeEventBody())).status, 401);
  });
});

async function honoWithJsonFirst(): Promise<MountedApp> {
  const hono = new Hono();
  hono.use('*', async (c, next) => {
    if (c.req.method === 'POST') await c.req.json();
    await next();
  });
  hono.all(PATH, createHonoHandler(receiver));
  const server = serve({ fetch: hono.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function koaWithBodyParserFirst(): Promise<MountedApp> {
  const koa = new Koa();
  koa.use(bodyParser());
  koa.use(createKoaMiddleware(receiver, { path: PATH }));
  return listen(createServer(koa.callback()), PATH);
}

// Both keep decoded text for the handler: fine for UTF-8 JSON as Persona sends it, not byte-exact.
for (const [name, mount] of [
  ['Hono with c.req.json() in a middleware in front', honoWithJsonFirst],
  ['Koa behind @koa/bodyparser (ctx.request.rawBody)', koaWithBodyParserFirst],
] as const) {
  describe(name, () => {
    let app: MountedApp;
    before(async () => {
      app = await mount();
    });
    after(() => app.close());

    it('verifies a UTF-8 body without a byte order mark (what Persona sends)', async () => {
      assert.equal((await post(app, makeEventBody())).status, 200);
    });

    it('fails the signature of a body that starts with a byte order mark: decoding the text dropped it', async () => {
      const res = await post(app, BOM + makeEventBody());
      assert.equal(res.status, 401, res.text);
    });
  });
}

describe('Fastify with @fastify/csrf-protection', () => {
  it('documents the hook examples/fastify/app.ts runs (its test fetches a token with GET)', () => {
    const root = new URL('../../../../', import.meta.url);
    const docs = readFileSync(new URL('docs/adapters.md', root), 'utf8');
    const example = readFileSync(new URL('examples/fastify/app.ts', root), 'utf8');
    const hook = /```ts\n(const WEBHOOK_PATH[\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(hook !== undefined, 'docs/adapters.md has no Fastify hook block');
    const lines = hook
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const exampleLines = new Set(example.split('\n').map((l) => l.trim()));
    for (const line of lines) assert.ok(exampleLines.has(line), `not in examples/fastify/app.ts: ${line}`);
  });
});
