import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createExpressHandler } from '../../src/adapters/express/index.js';
import { createFastifyPlugin } from '../../src/adapters/fastify/index.js';
import { createHonoHandler } from '../../src/adapters/hono/index.js';
import { createKoaMiddleware } from '../../src/adapters/koa/index.js';
import { createNestHandler } from '../../src/adapters/nest/index.js';
import { createNextApiHandler, createNextRouteHandlers } from '../../src/adapters/next/index.js';
import { createNodeHandler, DEFAULT_MAX_BODY_BYTES } from '../../src/adapters/node/index.js';
import { isJsonContentType } from '../../src/adapters/shared/http-rules.js';
import { createWebHandler } from '../../src/adapters/web/index.js';
import { PersonaWebhookError } from '../../src/errors.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import type { ReceiverLike } from '../../src/processing/types.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const receiver: ReceiverLike = {
  receive: async () => ({ status: 200, body: { received: true }, outcome: 'accepted' }),
};

const factories: [string, (r: ReceiverLike, o?: { maxBodyBytes?: number }) => unknown][] = [
  ['createNodeHandler', createNodeHandler],
  ['createExpressHandler', createExpressHandler],
  ['createFastifyPlugin', createFastifyPlugin],
  ['createWebHandler', createWebHandler],
  ['createHonoHandler', createHonoHandler],
  ['createKoaMiddleware', createKoaMiddleware],
  ['createNestHandler', createNestHandler],
  ['createNextRouteHandlers', createNextRouteHandlers],
  ['createNextApiHandler', createNextApiHandler],
];

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/webhooks/persona', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A POST whose body is `stream`, sent as it is pulled (no Content-Length). */
function streamed(stream: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request('http://localhost/webhooks/persona', {
    method: 'POST',
    body: stream,
    headers: { 'content-type': 'application/json', ...headers },
    duplex: 'half',
  } as RequestInit);
}

describe('shared adapter HTTP rules', () => {
  it('accepts application/json and application/*+json with parameters, in any case', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
      'application/vnd.api+json',
      ' application/json ',
    ]) {
      assert.equal(isJsonContentType(type), true, type);
    }
  });

  it('refuses other content types and a missing one', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonp',
      'json',
    ]) {
      assert.equal(isJsonContentType(type), false, String(type));
    }
  });

  it('defaults the body limit to 1 MiB', () => {
    assert.equal(DEFAULT_MAX_BODY_BYTES, 1024 * 1024);
  });

  for (const [name, create] of factories) {
    it(`${name} refuses a missing receiver and a bad maxBodyBytes at set-up time`, () => {
      assert.throws(
        () => create(undefined as unknown as ReceiverLike),
        (e) => e instanceof PersonaWebhookError && e.code === 'invalid_options',
      );
      for (const maxBodyBytes of [0, -1, 1.5, Number.NaN]) {
        assert.throws(
          () => create(receiver, { maxBodyBytes }),
          (e) => e instanceof PersonaWebhookError && e.code === 'invalid_options',
        );
      }
    });
  }

  it('answers 500 internal_error without details when a receiver throws unexpectedly', async () => {
    const throwing: ReceiverLike = {
      receive: async () => {
        throw new Error('database password is hunter2');
      },
    };
    const res = await createWebHandler(throwing)(post('{}'));
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.match(text, /internal_error/);
    assert.doesNotMatch(text, /hunter2/);
  });

  it('passes the raw bytes and the headers to receive() untouched', async () => {
    let seen: { body: unknown; signature: string | null } | undefined;
    const spy: ReceiverLike = {
      receive: async ({ body, headers }) => {
        seen = { body, signature: (headers as Headers).get('persona-signature') };
        return { status: 200, body: {}, outcome: 'accepted' };
      },
    };
    const raw = '{"a": 1.10, "é": "x"}';
    await createWebHandler(spy)(post(raw, { 'persona-signature': 't=1,v1=ab' }));
    assert.ok(seen?.body instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(seen.body as Uint8Array), raw);
    assert.equal(seen.signature, 't=1,v1=ab');
  });

  it("copies the receiver's status and headers onto the response", async () => {
    const unavailable: ReceiverLike = {
      receive: async () => ({
        status: 503,
        body: { error: 'store_unavailable' },
        headers: { 'retry-after': '5' },
        outcome: 'unavailable',
      }),
    };
    const res = await createWebHandler(unavailable)(post('{}'));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await res.json(), { error: 'store_unavailable' });
  });

  for (const [what, headers, code] of [
    ['a missing', {}, 'missing_header'],
    ['a malformed', { 'persona-signature': 'v1=abc' }, 'malformed_header'],
  ] as const) {
    it(`answers ${what} Persona-Signature before reading a byte of the body, through the receiver`, async () => {
      let pulls = 0;
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulls++;
            controller.enqueue(new Uint8Array(1024));
          },
        },
        { highWaterMark: 0 },
      );
      const seen: string[] = [];
      const real = createWebhookReceiver({
        secret: 'wbhsec_rules',
        store: createMemoryStore(),
        onResult: (r) => seen.push(String(r.code)),
      });
      const request = streamed(stream, headers);
      const res = await createWebHandler(real)(request);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, code);
      assert.equal(pulls, 0, 'the body was never read');
      assert.deepEqual(seen, [code], 'onResult saw the rejection');
    });
  }

  it('answers 413 while streaming a body without Content-Length that passes the limit', async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    // Well-formed but wrong: the header check passes, so the body is read and its size is what fails.
    const request = streamed(stream, { 'persona-signature': `t=1,v1=${'a'.repeat(64)}` });
    const res = await createWebHandler(receiver, { maxBodyBytes: 10 * 1024 })(request);
    assert.equal(res.status, 413);
    // An endless body: the reader stopped shortly after the limit instead of reading forever.
    assert.ok(pulls < 20, `pulled ${pulls} chunks`);
  });
});

describe('answers an adapter gives itself reach the receiver’s onResult', () => {
  function recordingReceiver() {
    const seen: { outcome: string; code: string | undefined; status: number; durationMs: number }[] = [];
    const real = createWebhookReceiver({
      secret: 'wbhsec_rules',
      store: createMemoryStore(),
      onResult: (r, info) =>
        seen.push({ outcome: r.outcome, code: r.code, status: r.status, durationMs: info.durationMs }),
    });
    return { real, seen };
  }
  const wellFormed = { 'persona-signature': `t=1,v1=${'a'.repeat(64)}` };

  const cases: [string, Request, number, string][] = [
    ['a GET', new Request('http://localhost/webhooks/persona'), 405, 'method_not_allowed'],
    ['a body that is not JSON', post('{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    [
      'a declared Content-Length over the limit',
      post('x'.repeat(2048), { ...wellFormed, 'content-length': '2048' }),
      413,
      'payload_too_large',
    ],
  ];
  for (const [what, request, status, code] of cases) {
    it(`${what}: ${status} ${code}, seen as rejected`, async () => {
      const { real, seen } = recordingReceiver();
      const res = await createWebHandler(real, { maxBodyBytes: 1024 })(request);
      assert.equal(res.status, status);
      assert.equal(((await res.json()) as { error: string }).error, code);
      assert.equal(seen.length, 1);
      assert.deepEqual({ ...seen[0], durationMs: 0 }, { outcome: 'rejected', code, status, durationMs: 0 });
      assert.ok((seen[0]?.durationMs ?? -1) >= 0);
    });
  }

  it('a streamed body over the limit: 413, seen as rejected', async () => {
    const { real, seen } = recordingReceiver();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = streamed(stream, wellFormed);
    const res = await createWebHandler(real, { maxBodyBytes: 4096 })(request);
    assert.equal(res.status, 413);
    assert.deepEqual(
      seen.map((s) => [s.outcome, s.code]),
      [['rejected', 'payload_too_large']],
    );
  });

  it('a body that fails while it is read: body_read_failed, seen as rejected', async () => {
    const { real, seen } = recordingReceiver();
    const stream = new ReadableStream<Uint8Array>({
      pull() {
        throw new Error('connection reset');
      },
    });
    const request = streamed(stream, wellFormed);
    const res = await createWebHandler(real)(request);
    assert.equal(res.status, 400);
    assert.deepEqual(
      seen.map((s) => [s.outcome, s.code]),
      [['rejected', 'body_read_failed']],
    );
  });

  it('a body a parser already read: 500 body_not_raw, seen as failed (our configuration, not the sender)', async () => {
    const { real, seen } = recordingReceiver();
    const request = post('{}', wellFormed);
    await request.text(); // what a JSON body parser in front of the route does
    const res = await createWebHandler(real)(request);
    assert.equal(res.status, 500);
    assert.deepEqual(
      seen.map((s) => [s.outcome, s.code]),
      [['failed', 'body_not_raw']],
    );
  });

  it('a receiver whose onResult throws still gets its answer, and one without answered() is fine', async () => {
    const throwing = createWebhookReceiver({
      secret: 'wbhsec_rules',
      store: createMemoryStore(),
      onResult: () => {
        throw new Error('metrics broke');
      },
    });
    assert.equal((await createWebHandler(throwing)(new Request('http://localhost/x'))).status, 405);
    assert.equal((await createWebHandler(receiver)(new Request('http://localhost/x'))).status, 405);
  });
});
