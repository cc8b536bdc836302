import { createServer } from 'node:http';
import Koa from 'koa';
import { createKoaMiddleware } from '../../src/adapters/koa/index.js';
import { defineAdapterSuite } from '../conformance/adapter-suite.js';
import { listen } from './listen.js';

defineAdapterSuite('koa', async ({ receiver, maxBodyBytes, preParsed }) => {
  const app = new Koa();
  if (preParsed) {
    // What a JSON body parser does (koa-bodyparser with its raw-body option off): consume, parse, keep only the object.
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
