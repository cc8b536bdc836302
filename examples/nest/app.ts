// NestJS (Express platform) with csrf-csrf active for the app and the Persona webhook route exempt.
// Decorators are applied as calls so this file runs under tsx without legacy-decorator settings; in a
// Nest project write them as usual: @Controller('account') class … { @Post('email') updateEmail() {…} }.
// Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/nest/app.ts
import 'reflect-metadata';
import { Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import { createHandlers, createWebhookReceiver } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createNestHandler } from 'persona-webhooks/nest';

export async function createApp(options: {
  secret: string;
  csrfSecret: string;
}): Promise<{ app: NestExpressApplication; approved: string[] }> {
  const approved: string[] = [];
  const store = createMemoryStore();
  await store.migrate();
  const handlers = createHandlers().on('inquiry.approved', (event) => {
    approved.push(event.payload.data.id);
  });
  const receiver = createWebhookReceiver({ secret: options.secret, store, mode: 'inline', handlers });

  const { doubleCsrfProtection, generateCsrfToken, invalidCsrfTokenError } = doubleCsrf({
    getSecret: () => options.csrfSecret,
    getSessionIdentifier: (req) => String((req as Request).cookies?.['sid'] ?? ''), // a real app: its session id
    cookieName: 'x-csrf-token',
    cookieOptions: { secure: false, sameSite: 'strict' },
  });

  class AccountController {
    csrfToken(req: Request, res: Response): { token: string } {
      return { token: generateCsrfToken(req, res) };
    }
    updateEmail(): { updated: true } {
      return { updated: true };
    }
  }
  Controller()(AccountController);
  const proto = AccountController.prototype;
  Get('csrf-token')(proto, 'csrfToken', Object.getOwnPropertyDescriptor(proto, 'csrfToken')!);
  Req()(proto, 'csrfToken', 0);
  Res({ passthrough: true })(proto, 'csrfToken', 1);
  Post('account/email')(proto, 'updateEmail', Object.getOwnPropertyDescriptor(proto, 'updateEmail')!);
  class AppModule {}
  Module({ controllers: [AccountController] })(AppModule);

  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
  // 1. The webhook first: app.use() before listen() runs ahead of Nest's body parsers (raw bytes, size
  //    limit while streaming) and ahead of the CSRF middleware (Persona sends no token; its HMAC is the proof).
  app.use('/webhooks/persona', createNestHandler(receiver));
  // 2. CSRF protection for everything else.
  app.use(cookieParser());
  app.use(doubleCsrfProtection);
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
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
  await app.listen(Number(process.env['PORT'] ?? 3000));
}
