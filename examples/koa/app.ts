// Koa with koa-csrf (sessions via koa-session) active and the Persona webhook route exempt.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/koa/app.ts
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import CSRF from 'koa-csrf';
import session from 'koa-session';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createKoaMiddleware } from 'persona-webhooks/koa';
import { createMemoryStore } from 'persona-webhooks/memory';

export async function createApp(options: { secret: string; sessionKey: string }): Promise<{
  app: Koa;
  approved: string[];
}> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret: options.secret, store, mode: 'inline', handlers });

  const app = new Koa();
  app.keys = [options.sessionKey];
  // The webhook first: before the body parser (it reads the raw stream) and before the CSRF middleware
  // (Persona sends no token; its HMAC signature is the proof). Other paths go on to next().
  app.use(createKoaMiddleware(receiver, { path: '/webhooks/persona' }));

  app.use(session({ signed: true }, app));
  app.use(bodyParser());
  app.use(new CSRF());
  const router = new Router();
  router.get('/csrf-token', (ctx) => {
    ctx.body = { token: ctx.state['_csrf'] };
  });
  router.post('/account/email', (ctx) => {
    ctx.body = { updated: true };
  });
  app.use(router.routes());
  return { app, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await createApp({
    secret: process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example',
    sessionKey: process.env['SESSION_KEY'] ?? 'change-me',
  });
  app.listen(Number(process.env['PORT'] ?? 3000));
}
