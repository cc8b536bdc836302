import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { createKoaMiddleware } from '../../src/adapters/koa/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';
import { createSuiteReceiver, makeEventBody, send, signedHeaders } from './harness.js';
import { listen } from './listen.js';

defineAdapterSuite('koa', async ({ receiver, maxBodyBytes, preParsed }) => {
  const app = new Koa();
  if (preParsed) {
    // A JSON body parser that keeps only the parsed object (no ctx.request.rawBody): consume, parse, drop the bytes.
    app.use(async (ctx, next) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      (ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      await next();
    });
  }
  app.use(createKoaMiddleware(receiver, { maxBodyBytes, path: '/webhooks/persona' }));
  return listen(createServer(app.callback()), '/webhooks/persona');
});

describe('koa adapter behind @koa/bodyparser', () => {
  it('verifies the ctx.request.rawBody that @koa/bodyparser keeps', async () => {
    const app = new Koa();
    app.use(bodyParser());
    app.use(createKoaMiddleware((await createSuiteReceiver()).receiver, { path: '/webhooks/persona' }));
    const mounted = await listen(createServer(app.callback()), '/webhooks/persona');
    try {
      const body = makeEventBody();
      const res = await send(mounted.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
    } finally {
      await mounted.close();
    }
  });
});
