// The API client's request core against a scripted HTTP server (real sockets): headers, typed one-line errors,
// bounded retries, 429 backoff and rate-limit pacing. The Persona simulator tests cover the Events API itself.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { PersonaWebhookError } from 'persona-webhooks';
import { createPersonaClient, listEvents, PersonaApiError } from 'persona-webhooks/api';

const KEY = 'persona_sandbox_0123456789abcdef';
type Reply = (req: IncomingMessage, res: ServerResponse) => void;

async function scripted(replies: Reply[]) {
  const seen: { headers: IncomingMessage['headers']; url: string; at: number }[] = [];
  const server = createServer((req, res) => {
    seen.push({ headers: req.headers, url: req.url ?? '', at: performance.now() });
    const reply = replies[Math.min(seen.length - 1, replies.length - 1)];
    reply?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test1', ...headers });
    res.end(JSON.stringify(body));
  };
}

const emptyPage = json(200, { data: [], links: { prev: null, next: null } });

async function rejection(promise: Promise<unknown>): Promise<PersonaApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PersonaApiError, `expected a PersonaApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('the Persona API client core', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('sends the bearer key, Persona-Version, Key-Inflection and the page query', async () => {
    const s = await scripted([emptyPage]);
    servers.push(s);
    const client = createPersonaClient({
      apiKey: KEY,
      baseUrl: s.url,
      apiVersion: '2025-12-08',
      keyInflection: 'snake',
    });
    await listEvents(client, { size: 50, after: 'evt_x', names: ['inquiry.approved', 'inquiry.declined'] });
    const [req] = s.seen;
    assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req?.headers['persona-version'], '2025-12-08');
    assert.equal(req?.headers['key-inflection'], 'snake');
    const url = new URL(req?.url ?? '', 'http://x');
    assert.equal(url.pathname, '/api/v1/events');
    assert.equal(url.searchParams.get('page[size]'), '50');
    assert.equal(url.searchParams.get('page[after]'), 'evt_x');
    assert.equal(url.searchParams.get('filter[name]'), 'inquiry.approved,inquiry.declined');
  });

  it('turns a refused key into a one-line api_unauthorized error without the key, and does not retry it', async () => {
    const s = await scripted([json(401, { errors: [{ title: 'Token is invalid' }] })]);
    servers.push(s);
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.001 });
    const error = await rejection(listEvents(client));
    assert.equal(error.code, 'api_unauthorized');
    assert.equal(s.seen.length, 1);
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(!error.message.includes(KEY));
    assert.ok(!JSON.stringify(error.details).includes(KEY));
    assert.match(error.message, /PERSONA_API_KEY/);
    assert.match(error.message, /Token is invalid/);
    assert.match(error.message, /req_test1/);
  });

  it('retries a 5xx a bounded number of times, then fails with api_server_error', async () => {
    const s = await scripted([json(503, { errors: [{ title: 'Unavailable' }] })]);
    servers.push(s);
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.001, maxRetries: 2 });
    const error = await rejection(listEvents(client));
    assert.equal(error.code, 'api_server_error');
    assert.equal(s.seen.length, 3);
    assert.equal(error.details.attempts, 3);
  });

  it('recovers when a 5xx is followed by a good answer', async () => {
    const s = await scripted([json(500, {}), json(502, {}), emptyPage]);
    servers.push(s);
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.001 });
    const page = await listEvents(client);
    assert.equal(page.events.length, 0);
    assert.equal(s.seen.length, 3);
  });

  it('backs off on 429 for at least the backoff step and the window reset, then succeeds', async () => {
    const limited = json(
      429,
      { errors: [{ title: 'Rate limit exceeded' }] },
      { 'ratelimit-limit': '300', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' },
    );
    const s = await scripted([limited, emptyPage]);
    servers.push(s);
    const scale = 0.002; // 30 s reset → 60 ms; first backoff 5 s → 10 ms
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: scale });
    await listEvents(client);
    assert.equal(s.seen.length, 2);
    const gap = (s.seen[1]?.at ?? 0) - (s.seen[0]?.at ?? 0);
    assert.ok(gap >= 30_000 * scale - 2, `retried after ${gap} ms, before the window reset`);
  });

  it('gives up on 429 after the bounded retries with api_rate_limited', async () => {
    const s = await scripted([json(429, { errors: [{ title: 'Rate limit exceeded' }] })]);
    servers.push(s);
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.0005, maxRateLimitRetries: 2 });
    const error = await rejection(listEvents(client));
    assert.equal(error.code, 'api_rate_limited');
    assert.equal(s.seen.length, 3);
  });

  it('reports an unreachable API as api_unreachable after its retries', async () => {
    const s = await scripted([emptyPage]);
    await s.close();
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.001, maxRetries: 1 });
    const error = await rejection(listEvents(client));
    assert.equal(error.code, 'api_unreachable');
    assert.equal(error.details.httpStatus, 0);
    assert.doesNotMatch(error.message, /\n/);
  });

  it('rejects a 200 whose body is not a page of events with api_bad_response', async () => {
    const s = await scripted([json(200, { data: [{ type: 'event', id: 'evt_1' }], links: {} })]);
    servers.push(s);
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: 0.001 });
    const error = await rejection(listEvents(client));
    assert.equal(error.code, 'api_bad_response');
    assert.match(error.message, /item 0/);
  });

  it('paces its requests by the limit the first answer taught it', async () => {
    const s = await scripted([
      json(
        200,
        { data: [], links: {} },
        { 'ratelimit-limit': '20', 'ratelimit-remaining': '19', 'ratelimit-reset': '60' },
      ),
    ]);
    servers.push(s);
    const scale = 0.005; // window 300 ms; 20 × 0.5 = 10 per window → one per 30 ms
    const client = createPersonaClient({ apiKey: KEY, baseUrl: s.url, timeScale: scale, rateLimitShare: 0.5 });
    const started = performance.now();
    for (let i = 0; i < 12; i++) await listEvents(client);
    const elapsed = performance.now() - started;
    assert.equal(client.rateLimit().budget, 10);
    assert.equal(s.seen.length, 12);
    // A lower bound only (a loaded machine can make it longer, never shorter): the 11 requests after the first
    // waited a 30 ms slot each. Unpaced, the 12 take a few milliseconds. The exact window rule is checked on a
    // virtual clock in pacer.test.ts; arrival times at the server carry scheduling jitter, so they are not used.
    assert.ok(elapsed >= 11 * 30, `12 requests in ${elapsed.toFixed(1)} ms: not paced`);
  });

  it('refuses a missing key or a key with whitespace at creation', () => {
    assert.throws(() => createPersonaClient({ apiKey: '' }), /PERSONA_API_KEY/);
    assert.throws(() => createPersonaClient({ apiKey: `${KEY}\n` }), /whitespace/);
    assert.throws(() => createPersonaClient({ apiKey: KEY, rateLimitShare: 0 }), /rateLimitShare/);
  });

  it('checks its numeric options with the one option checker: the name, the rule and what was given', () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ rateLimitShare: 1.5 }, /createPersonaClient: rateLimitShare must be a number > 0 and ≤ 1, got 1\.5/],
      [{ timeScale: 0 }, /timeScale must be a positive number, got 0/],
      [{ maxRetries: 1.5 }, /maxRetries must be a whole number from 0 to 10, got 1\.5/],
      [{ maxRateLimitRetries: 11 }, /maxRateLimitRetries must be a whole number from 0 to 10, got 11/],
      [{ timeoutMs: Number.NaN }, /timeoutMs must be a positive number \(ms\), got NaN/],
    ];
    for (const [extra, message] of refused) {
      assert.throws(
        () => createPersonaClient({ apiKey: KEY, ...extra }),
        (error: unknown) =>
          error instanceof PersonaWebhookError && error.code === 'invalid_options' && message.test(error.message),
        JSON.stringify(extra),
      );
    }
    assert.doesNotThrow(() => createPersonaClient({ apiKey: KEY, rateLimitShare: 1, maxRetries: 0 }));
  });

  it('refuses a baseUrl that is not a URL without quoting it (a mistyped one may carry a password)', () => {
    assert.throws(
      () => createPersonaClient({ apiKey: KEY, baseUrl: 'htps//app:hunter2@api.example' }),
      (error: unknown) =>
        error instanceof PersonaWebhookError &&
        error.code === 'invalid_options' &&
        /must start with https:\/\//.test(error.message) &&
        !error.message.includes('hunter2'),
    );
  });
});
