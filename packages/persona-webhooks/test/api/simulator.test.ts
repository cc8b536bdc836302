// The Persona simulator over real HTTP: the Events API as the API client sees it, and webhook delivery as a
// receiver sees it (signatures verified with the library, attempt headers, retries, switches).
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { verifyWebhook } from 'persona-webhooks';
import { createPersonaClient, iterateEvents, listEvents, PersonaApiError, retrieveEvent } from 'persona-webhooks/api';
import {
  createPersonaSimulator,
  PERSONA_RETRY_SCHEDULE_SECONDS,
  type PersonaSimulator,
} from 'persona-webhooks/testing';

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

async function simulator(options: Parameters<typeof createPersonaSimulator>[0] = {}): Promise<PersonaSimulator> {
  const sim = await createPersonaSimulator({ seed: 'sim-test', ...options });
  closers.push(() => sim.close());
  return sim;
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver whose answer per request is chosen by `reply`; records every request. */
async function receiver(reply: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      reply(received.length, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/persona`;
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  closers.push(close);
  return { url, received, close };
}

async function apiError(promise: Promise<unknown>): Promise<PersonaApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PersonaApiError, String(error));
    return error;
  }
  assert.fail('expected a PersonaApiError');
}

describe('the Persona simulator: Events API', () => {
  it('pages newest first with cursors and reaches every event exactly once', async () => {
    const sim = await simulator();
    sim.generateEvents(250);
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl });
    const seen: string[] = [];
    let previous = Number.POSITIVE_INFINITY;
    let pages = 0;
    for await (const page of iterateEvents(client, { size: 100 })) {
      pages++;
      for (const { event } of page.events) {
        assert.ok(event.createdAt.getTime() <= previous, 'not newest first');
        previous = event.createdAt.getTime();
        seen.push(event.id);
      }
    }
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 250);
    assert.deepEqual(
      seen,
      sim.events().map((e) => e.id),
    );
  });

  it('serves API events without included, and a page before a cursor', async () => {
    const sim = await simulator();
    sim.generateEvents(30);
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl });
    const page = await listEvents(client, { size: 10, after: sim.events()[9]?.id });
    assert.equal(page.events[0]?.event.id, sim.events()[10]?.id);
    assert.ok(!('included' in (JSON.parse(page.events[0]?.body ?? '{}').data.attributes.payload as object)));
    assert.equal(page.prevCursor, sim.events()[10]?.id);
    const newer = await listEvents(client, { size: 5, before: page.prevCursor ?? '' });
    assert.deepEqual(
      newer.events.map((e) => e.event.id),
      sim
        .events()
        .slice(5, 10)
        .map((e) => e.id),
    );
  });

  it('filters by name, object id and event id', async () => {
    const sim = await simulator();
    sim.generateEvents(40, { names: ['inquiry.approved', 'account.created'] });
    const target = sim.emit('inquiry.declined', { resourceId: 'inq_target', deliver: false });
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl });
    const byName = await listEvents(client, { names: ['account.created'] });
    assert.equal(byName.events.length, 20);
    assert.ok(byName.events.every((e) => e.event.name === 'account.created'));
    const byObject = await listEvents(client, { objectIds: ['inq_target'] });
    assert.deepEqual(
      byObject.events.map((e) => e.event.id),
      [target.data.id],
    );
    const byId = await listEvents(client, { ids: [target.data.id] });
    assert.equal(byId.events.length, 1);
    const one = await retrieveEvent(client, target.data.id);
    assert.equal(one.event.name, 'inquiry.declined');
    assert.equal((await apiError(retrieveEvent(client, 'evt_missing'))).code, 'api_not_found');
  });

  it('answers in the asked key inflection', async () => {
    const sim = await simulator();
    sim.generateEvents(3);
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl, keyInflection: 'snake' });
    const page = await listEvents(client);
    assert.equal(page.events[0]?.event.inflection, 'snake');
    assert.match(page.events[0]?.body ?? '', /"created_at"/);
  });

  it('refuses a wrong key and a revoked key with 401, and a too-large page with 400', async () => {
    const sim = await simulator();
    const wrong = createPersonaClient({ apiKey: 'persona_sandbox_wrong', baseUrl: sim.apiUrl });
    assert.equal((await apiError(listEvents(wrong))).code, 'api_unauthorized');
    sim.addApiKey('persona_sandbox_old');
    const old = createPersonaClient({ apiKey: 'persona_sandbox_old', baseUrl: sim.apiUrl });
    await listEvents(old);
    sim.revokeApiKey('persona_sandbox_old');
    const revoked = await apiError(listEvents(old));
    assert.equal(revoked.code, 'api_unauthorized');
    assert.match(revoked.message, /Token is invalid/);
    sim.addApiKey('persona_sandbox_noevents', { permissions: ['webhook.read'] });
    const limited = createPersonaClient({ apiKey: 'persona_sandbox_noevents', baseUrl: sim.apiUrl });
    assert.equal((await apiError(listEvents(limited))).code, 'api_forbidden');
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl });
    const bad = await apiError(client.request({ path: '/events', query: { 'page[size]': 101 } }));
    assert.equal(bad.code, 'api_bad_request');
    assert.match(bad.message, /page\[size\]/);
  });

  it('answers 429 over the limit with the RateLimit headers, and the client waits for the reset', async () => {
    const scale = 0.005; // 300 ms windows
    const sim = await simulator({ rateLimit: 4, timeScale: scale });
    sim.generateEvents(5);
    // Share 1 and no knowledge of the limit yet: the client's first burst meets the simulator's 429.
    const client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl, timeScale: scale });
    for (let i = 0; i < 10; i++) await listEvents(client, { size: 1 });
    const stats = sim.stats();
    assert.equal(client.rateLimit().limit, 4);
    assert.ok(stats.maxRequestsInWindow <= 4 + stats.rateLimited, JSON.stringify(stats.windows));
    sim.setFaults({ rateLimited: 2 });
    await listEvents(client, { size: 1 });
    assert.ok(sim.stats().rateLimited >= 2);
  });
});

describe('the Persona simulator: webhook delivery', () => {
  it('delivers signed events with the attempt headers, retrying on Persona’s schedule until a 2xx', async () => {
    const scale = 0.0005; // 3 s → 1.5 ms, 64 s → 32 ms
    const sim = await simulator({ timeScale: scale });
    const target = await receiver((n, _req, res) => {
      res.writeHead(n < 3 ? 500 : 204).end();
    });
    const webhook = sim.addWebhook({ url: target.url, secret: 'wbhsec_sim_one' });
    const sent = sim.emit('inquiry.approved');
    await sim.deliveriesSettled();
    assert.equal(target.received.length, 3);
    const attempts = target.received.map((r) => [
      r.headers['persona-webhook-attempts-made'],
      r.headers['persona-webhook-attempts-left'],
    ]);
    assert.deepEqual(attempts, [
      ['1', '7'],
      ['2', '6'],
      ['3', '5'],
    ]);
    const first = new Set(target.received.map((r) => r.headers['persona-webhook-first-attempted-at']));
    assert.equal(first.size, 1);
    for (const r of target.received) {
      const event = await verifyWebhook({
        body: r.body,
        header: r.headers['persona-signature'] as string,
        secret: webhook.secrets[0]?.value ?? '',
      });
      assert.equal(event.id, sent.data.id);
      assert.ok(Array.isArray(event.payload.included));
    }
    assert.deepEqual(
      sim.deliveries().map((d) => d.status),
      [500, 500, 204],
    );
  });

  it('signs with two sets during a rotation, and with the new secret alone once the old one expires', async () => {
    const sim = await simulator();
    const target = await receiver((_n, _req, res) => res.writeHead(200).end());
    const webhook = sim.addWebhook({ url: target.url, secret: 'wbhsec_old' });
    sim.rotateWebhookSecret(webhook.id, { secret: 'wbhsec_new', expiresInSeconds: 3600 });
    sim.emit('inquiry.completed');
    await sim.deliveriesSettled();
    const header = target.received[0]?.headers['persona-signature'] as string;
    assert.equal(header.split(' ').length, 2);
    for (const secret of ['wbhsec_old', 'wbhsec_new'])
      await verifyWebhook({ body: target.received[0]?.body ?? '', header, secret });
    sim.rotateWebhookSecret(webhook.id, { secret: 'wbhsec_newer', expiresInSeconds: 0 });
    sim.emit('inquiry.completed');
    await sim.deliveriesSettled();
    const later = target.received[1]?.headers['persona-signature'] as string;
    assert.equal(later.split(' ').length, 1);
    await verifyWebhook({ body: target.received[1]?.body ?? '', header: later, secret: 'wbhsec_newer' });
    await assert.rejects(verifyWebhook({ body: target.received[1]?.body ?? '', header: later, secret: 'wbhsec_new' }));
  });

  it('makes 8 attempts to a receiver that is down, then gives up', async () => {
    const scale = 0.00002; // the whole 51 h tail in about 3.7 s
    const sim = await simulator({ timeScale: scale });
    const down = await receiver((_n, _req, res) => res.writeHead(200).end());
    await down.close();
    sim.addWebhook({ url: down.url });
    sim.emit('inquiry.approved');
    await sim.deliveriesSettled();
    const records = sim.deliveries();
    assert.equal(records.length, PERSONA_RETRY_SCHEDULE_SECONDS.length + 1);
    assert.ok(records.every((r) => r.status === 0 && r.error === 'ECONNREFUSED'));
    assert.equal(records.at(-1)?.gaveUp, true);
  });

  it('counts an attempt that gets no answer within the delivery timeout as failed', async () => {
    // The second attempt must be answered within the timeout too: long enough for a loaded machine.
    const sim = await simulator({ timeScale: 0.00001, deliveryTimeoutMs: 1000 });
    const slow = await receiver((n, _req, res) => {
      if (n > 1) res.writeHead(200).end();
    });
    sim.addWebhook({ url: slow.url });
    sim.emit('inquiry.approved');
    await sim.deliveriesSettled();
    assert.deepEqual(
      sim.deliveries().map((d) => d.error ?? d.status),
      ['timeout', 200],
    );
  });

  it('delivers duplicates, drops and only the enabled events when switched to', async () => {
    const sim = await simulator();
    const target = await receiver((_n, _req, res) => res.writeHead(200).end());
    sim.addWebhook({ url: target.url, enabledEvents: ['inquiry.approved'] });
    sim.setDeliverySwitches({ duplicateRate: 1 });
    sim.emit('inquiry.approved');
    sim.emit('account.created');
    await sim.deliveriesSettled();
    assert.equal(target.received.length, 2);
    assert.equal(new Set(target.received.map((r) => JSON.parse(r.body).data.id)).size, 1);
    sim.setDeliverySwitches({ duplicateRate: 0, dropRate: 1 });
    sim.emit('inquiry.approved');
    await sim.deliveriesSettled();
    assert.equal(target.received.length, 2);
    assert.equal(sim.deliveries().at(-1)?.error, 'dropped');
  });

  it('can deliver newer events first when out-of-order delivery is switched on', async () => {
    const sim = await simulator({ seed: 3 });
    const target = await receiver((_n, _req, res) => res.writeHead(200).end());
    sim.addWebhook({ url: target.url });
    sim.setDeliverySwitches({ outOfOrderMs: 200 });
    const ids = Array.from({ length: 12 }, () => sim.emit('inquiry.approved', { deliver: true }).data.id);
    await sim.deliveriesSettled();
    const arrived = target.received.map((r) => JSON.parse(r.body).data.id as string);
    assert.deepEqual([...arrived].sort(), [...ids].sort());
    assert.notDeepEqual(arrived, ids);
  });
});
