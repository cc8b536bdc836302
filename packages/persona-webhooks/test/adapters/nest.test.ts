import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { All, Controller, type MiddlewareConsumer, Module, Req, RequestMethod, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { createNestHandler } from '../../src/adapters/nest/index.js';
import type { ReceiverLike } from '../../src/processing/types.js';
import { defineAdapterSuite, type MountedApp } from '../conformance/adapter-suite.js';
import { createSuiteReceiver, makeEventBody, send, signedHeaders } from './harness.js';

// Decorators applied as plain calls, so the tests need no decorator compiler settings.
function appModule(configure?: (consumer: MiddlewareConsumer) => void): new () => unknown {
  class AppModule {
    configure(consumer: MiddlewareConsumer): void {
      configure?.(consumer);
    }
  }
  Module({})(AppModule);
  return AppModule;
}

async function start(app: NestExpressApplication): Promise<MountedApp> {
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url: `${base}/webhooks/persona`,
    close: async () => {
      app.getHttpServer().closeAllConnections();
      await app.close();
    },
  };
}

/** The set-up docs/adapters.md recommends: app.use() before listen() runs ahead of Nest's body parsers. */
async function mountBeforeParsers(receiver: ReceiverLike, maxBodyBytes: number): Promise<MountedApp> {
  const app = await NestFactory.create<NestExpressApplication>(appModule(), { logger: false });
  app.use('/webhooks/persona', createNestHandler(receiver, { maxBodyBytes }));
  return start(app);
}

/** Inside Nest's module system (MiddlewareConsumer): Nest's JSON parser runs first, so rawBody decides. */
async function mountAsNestMiddleware(receiver: ReceiverLike, maxBodyBytes: number, rawBody: boolean) {
  const handler = createNestHandler(receiver, { maxBodyBytes });
  const module = appModule((consumer) =>
    consumer.apply(handler).forRoutes({ path: 'webhooks/persona', method: RequestMethod.ALL }),
  );
  const app = await NestFactory.create<NestExpressApplication>(module, { rawBody, logger: false });
  app.useBodyParser('json', { limit: maxBodyBytes });
  return start(app);
}

defineAdapterSuite('nestjs (express platform)', ({ receiver, maxBodyBytes, preParsed }) =>
  preParsed ? mountAsNestMiddleware(receiver, maxBodyBytes, false) : mountBeforeParsers(receiver, maxBodyBytes),
);

describe('nestjs adapter as Nest middleware', () => {
  it('verifies req.rawBody when the app is created with rawBody: true', async () => {
    const app = await mountAsNestMiddleware((await createSuiteReceiver()).receiver, 1024 * 1024, true);
    try {
      const body = makeEventBody();
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
    } finally {
      await app.close();
    }
  });
});

describe('nestjs adapter called from a controller', () => {
  it('verifies req.rawBody in an @All() controller method with @Req() and @Res()', async () => {
    const handler = createNestHandler((await createSuiteReceiver()).receiver);
    // In a Nest project: @Controller('webhooks') class … { @All('persona') handle(@Req() req, @Res() res) {…} }
    class WebhookController {
      handle(req: Request, res: Response): Promise<void> {
        return handler(req, res);
      }
    }
    Controller('webhooks')(WebhookController);
    const proto = WebhookController.prototype;
    All('persona')(proto, 'handle', Object.getOwnPropertyDescriptor(proto, 'handle')!);
    Req()(proto, 'handle', 0);
    Res()(proto, 'handle', 1);
    class AppModule {}
    Module({ controllers: [WebhookController] })(AppModule);
    const app = await start(
      await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true, logger: false }),
    );
    try {
      const body = makeEventBody();
      const ok = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(ok.status, 200, ok.text);
      const get = await send(app.url, { method: 'GET' });
      assert.equal(get.status, 405);
    } finally {
      await app.close();
    }
  });
});
