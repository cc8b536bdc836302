// Fastify 5 with @fastify/csrf-protection active app-wide and the Persona webhook route exempt.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/fastify/app.ts
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import Fastify, { type FastifyInstance } from 'fastify';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createFastifyPlugin } from 'persona-webhooks/fastify';
import { createMemoryStore } from 'persona-webhooks/memory';

const WEBHOOK_PATH = '/webhooks/persona';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function createApp(secret: string): Promise<{ app: FastifyInstance; approved: string[] }> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret, store, mode: 'inline', handlers });

  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf);
  // CSRF protection for every unsafe request except the webhook route: Persona sends no token, its HMAC
  // signature is the proof. (csrfProtection itself checks every method, so safe ones are skipped here.)
  app.addHook('onRequest', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.url === WEBHOOK_PATH) return done();
    return app.csrfProtection(request, reply, done);
  });
  // Encapsulated: reads raw bytes for this route only; the app's JSON parser below is untouched.
  await app.register(createFastifyPlugin(receiver, { path: WEBHOOK_PATH }));

  app.get('/csrf-token', async (_request, reply) => ({ token: reply.generateCsrf() }));
  app.post('/account/email', async (request) => ({ updated: true, body: request.body }));
  return { app, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await createApp(process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example');
  await app.listen({ port: Number(process.env['PORT'] ?? 3000) });
}
