// Koa with @koa/router: the Persona webhook on its own route, mounted before any body parser.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/koa/app.ts
import Router from '@koa/router';
import Koa from 'koa';
import { createDispatcher, createWebhookReceiver } from 'persona-webhooks';
import { createKoaMiddleware } from 'persona-webhooks/koa';
import { createMemoryStore } from 'persona-webhooks/memory';

export async function createApp(secret: string): Promise<{ app: Koa; approved: string[] }> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createDispatcher().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret, store, mode: 'inline', handlers });

  const app = new Koa();
  const router = new Router();
  // router.all so that GET and friends get the adapter's 405 + Allow: POST.
  router.all('/webhooks/persona', createKoaMiddleware(receiver));
  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  return { app, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await createApp(process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example');
  app.listen(Number(process.env['PORT'] ?? 3000));
}
