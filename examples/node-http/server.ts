// Persona webhooks on a bare node:http server. Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/node-http/server.ts
import { createServer, type Server } from 'node:http';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createNodeHandler } from 'persona-webhooks/node';

export async function createApp(secret: string): Promise<{ server: Server; approved: string[] }> {
  const approved: string[] = [];
  const store = createMemoryStore(); // use createSqliteStore / createPostgresStore in production
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret, store, mode: 'inline', handlers });
  const webhook = createNodeHandler(receiver, { path: '/webhooks/persona' });
  const server = createServer((req, res) => {
    // With no `next`, requests to other paths get a 404 from the handler.
    void webhook(req, res);
  });
  return { server, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { server } = await createApp(process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example');
  const port = Number(process.env['PORT'] ?? 3000);
  server.listen(port, () => console.log(`POST http://localhost:${port}/webhooks/persona`));
}
