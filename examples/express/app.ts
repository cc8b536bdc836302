// Express 5 with CSRF protection (csrf-csrf) active for the app and the Persona webhook route exempt.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/express/app.ts
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { type Express } from 'express';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createExpressHandler } from 'persona-webhooks/express';
import { createMemoryStore } from 'persona-webhooks/memory';

export interface ExampleApp {
  readonly app: Express;
  readonly approved: string[];
}

export async function createApp(options: { secret: string; csrfSecret: string }): Promise<ExampleApp> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret: options.secret, store, mode: 'inline', handlers });

  const app = express();
  // The webhook route comes first: before express.json() (it verifies the raw bytes) and before the CSRF
  // middleware (Persona sends no CSRF token: its HMAC signature is the proof the request is genuine).
  app.all('/webhooks/persona', createExpressHandler(receiver));

  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use(cookieParser());
  const { doubleCsrfProtection, generateCsrfToken, invalidCsrfTokenError } = doubleCsrf({
    getSecret: () => options.csrfSecret,
    // A real app returns its session id here (req.session.id).
    getSessionIdentifier: (req) => String(req.cookies?.['sid'] ?? ''),
    cookieName: 'x-csrf-token',
    cookieOptions: { secure: false, sameSite: 'strict' },
  });
  app.get('/csrf-token', (req, res) => {
    res.json({ token: generateCsrfToken(req, res) });
  });
  app.use(doubleCsrfProtection);
  app.post('/account/email', (_req, res) => {
    res.json({ updated: true });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (error === invalidCsrfTokenError) res.status(403).json({ error: 'invalid_csrf_token' });
    else next(error);
  });
  return { app, approved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await createApp({
    secret: process.env['PERSONA_WEBHOOK_SECRET'] ?? 'wbhsec_example',
    csrfSecret: process.env['CSRF_SECRET'] ?? 'change-me',
  });
  app.listen(Number(process.env['PORT'] ?? 3000));
}
