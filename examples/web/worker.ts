// A fetch handler, the shape Cloudflare Workers, Bun and Deno serve: `export default { fetch }`.
// Deno: Deno.serve(worker.fetch). Bun: Bun.serve(worker). Node: @hono/node-server's serve({ fetch }).
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createWebHandler } from 'persona-webhooks/web';

export function createWorker(secret: string): { fetch(request: Request): Promise<Response>; approved: string[] } {
  const approved: string[] = [];
  // Serverless: inline mode runs handlers before answering; use a durable store (PostgreSQL) in production.
  const store = createMemoryStore();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const handle = createWebHandler(createWebhookReceiver({ secret, store, mode: 'inline', handlers }));
  return {
    approved,
    fetch: (request) =>
      new URL(request.url).pathname === '/webhooks/persona'
        ? handle(request)
        : Promise.resolve(new Response('not found', { status: 404 })),
  };
}
