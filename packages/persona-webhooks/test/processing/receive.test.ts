// The receiver in queue and inline mode, over the memory store.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../src/errors.js';
import { createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import type { ReceiveResult } from '../../src/processing/types.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { EventStore } from '../../src/store/store.js';
import { signPayload } from '../../src/webhook-signature.js';
import { SECRET, sampleBody, signedDelivery } from './fixtures/events.js';

function neverStores(store: EventStore): EventStore {
  return {
    ...store,
    insertIfAbsent: () => Promise.reject(new StoreUnavailableError('connection refused')),
  };
}

describe('createWebhookReceiver in queue mode', () => {
  it('stores a verified event and acknowledges it with its id', async () => {
    const store = createMemoryStore();
    const results: ReceiveResult[] = [];
    const receiver = createWebhookReceiver({ secret: SECRET, store, onResult: (r) => results.push(r) });
    const delivery = await signedDelivery({ id: 'evt_q1', resourceId: 'inq_1' });
    const result = await receiver.receive(delivery);
    assert.equal(result.status, 200);
    assert.equal(result.outcome, 'accepted');
    assert.deepEqual(result.body, { received: true, id: 'evt_q1' });
    assert.equal(result.eventName, 'inquiry.approved');
    const stored = await store.get('evt_q1');
    assert.equal(stored?.status, 'pending');
    assert.equal(stored?.resourceId, 'inq_1');
    assert.equal(stored?.body, new TextDecoder().decode(delivery.body));
    assert.equal(results.length, 1);
  });

  it('acknowledges a second delivery of the same event as a duplicate', async () => {
    const store = createMemoryStore();
    const receiver = createWebhookReceiver({ secret: SECRET, store });
    const delivery = await signedDelivery({ id: 'evt_dup' });
    await receiver.receive(delivery);
    const again = await receiver.receive(delivery);
    assert.equal(again.status, 200);
    assert.equal(again.outcome, 'duplicate');
    assert.deepEqual(again.body, { received: true, id: 'evt_dup', duplicate: true });
    assert.equal((await store.get('evt_dup'))?.deliveries, 2);
  });

  for (const inflection of ['kebab', 'camel', 'snake'] as const) {
    it(`reads the id, created-at and resource id of a ${inflection}-case envelope`, async () => {
      const store = createMemoryStore();
      const receiver = createWebhookReceiver({ secret: SECRET, store });
      const delivery = await signedDelivery({
        id: `evt_${inflection}`,
        resourceId: 'inq_x',
        createdAt: '2026-01-02T03:04:05.678Z',
        inflection,
      });
      assert.equal((await receiver.receive(delivery)).outcome, 'accepted');
      const stored = await store.get(`evt_${inflection}`);
      assert.equal(stored?.createdAt.toISOString(), '2026-01-02T03:04:05.678Z');
      assert.equal(stored?.resourceId, 'inq_x');
    });
  }

  it('rejects a bad signature with 401 and stores nothing', async () => {
    const store = createMemoryStore();
    const receiver = createWebhookReceiver({ secret: SECRET, store });
    const delivery = await signedDelivery({ id: 'evt_bad' }, 'wbhsec_someone-else');
    const result = await receiver.receive(delivery);
    assert.equal(result.status, 401);
    assert.equal(result.outcome, 'rejected');
    assert.equal(result.code, 'signature_mismatch');
    assert.equal(result.body.error, 'signature_mismatch');
    assert.equal(await store.get('evt_bad'), null);
  });

  it('rejects a missing header with 400', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, store: createMemoryStore() });
    const result = await receiver.receive({ body: sampleBody({ id: 'evt_nh' }), headers: {} });
    assert.equal(result.status, 400);
    assert.equal(result.code, 'missing_header');
  });

  it('rejects a correctly signed body that is not JSON with 400 invalid_json, without echoing it', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, store: createMemoryStore() });
    const body = '{"data": secret-personal-data';
    const result = await receiver.receive({
      body,
      headers: { 'persona-signature': await signPayload({ body, secret: SECRET }) },
    });
    assert.equal(result.status, 400);
    assert.equal(result.code, 'invalid_json');
    assert.ok(!JSON.stringify(result.body).includes('secret-personal-data'));
  });

  it('rejects signed JSON that is not an event envelope with 400 invalid_event', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, store: createMemoryStore() });
    const body = '{"data":{"type":"inquiry","id":"inq_1"}}';
    const result = await receiver.receive({
      body,
      headers: { 'persona-signature': await signPayload({ body, secret: SECRET }) },
    });
    assert.equal(result.status, 400);
    assert.equal(result.code, 'invalid_event');
  });

  it('answers 500 body_not_raw for a parsed body, so the misconfiguration is retried once fixed', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, store: createMemoryStore() });
    const delivery = await signedDelivery({ id: 'evt_parsed' });
    const result = await receiver.receive({
      body: JSON.parse(new TextDecoder().decode(delivery.body)) as never,
      headers: delivery.headers,
    });
    assert.equal(result.status, 500);
    assert.equal(result.code, 'body_not_raw');
  });

  it('refuses to be created with an empty secret, rather than answering 500 at every delivery', () => {
    assert.throws(() => createWebhookReceiver({ secret: '', store: createMemoryStore() }), { code: 'no_secret' });
    assert.throws(() => createWebhookReceiver({ secret: [SECRET, ' '], store: createMemoryStore() }), {
      code: 'no_secret',
    });
  });

  it('refuses at creation the options the store or the verifier would refuse later', () => {
    const store = createMemoryStore();
    for (const bad of [
      { leaseMs: 1.5 },
      { leaseMs: 5 },
      { maxAttempts: 0 },
      { retryAfterSeconds: -1 },
      { toleranceSeconds: 0 },
      { futureToleranceSeconds: Number.NaN },
    ]) {
      assert.throws(
        () => createWebhookReceiver({ secret: SECRET, store, ...bad }),
        { code: 'invalid_options' },
        JSON.stringify(bad),
      );
    }
  });

  it('answers 503 with Retry-After and never 2xx when the store cannot store the event', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, store: neverStores(createMemoryStore()) });
    const result = await receiver.receive(await signedDelivery({ id: 'evt_down' }));
    assert.equal(result.status, 503);
    assert.equal(result.outcome, 'unavailable');
    assert.equal(result.code, 'store_unavailable');
    assert.equal(result.headers?.['retry-after'], '5');
  });

  it('stores a signed event whose payload.data.id is "" without a resource id, instead of answering 503', async () => {
    const database = new Database(join(mkdtempSync(join(tmpdir(), 'pw-receive-')), 'events.db'));
    const sqlite = createSqliteStore({ database });
    await sqlite.migrate();
    for (const store of [createMemoryStore(), sqlite]) {
      const results: ReceiveResult[] = [];
      const receiver = createWebhookReceiver({ secret: SECRET, store, onResult: (r) => results.push(r) });
      const result = await receiver.receive(await signedDelivery({ id: 'evt_empty_resource', resourceId: '' }));
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.equal(results[0]?.outcome, 'accepted');
      const stored = await store.get('evt_empty_resource');
      assert.equal(stored?.resourceId, null);
    }
    database.close();
  });

  it('answers 422 event_not_storable, not 503, for a signed event whose id the store refuses', async () => {
    const results: ReceiveResult[] = [];
    const receiver = createWebhookReceiver({
      secret: SECRET,
      store: createMemoryStore(),
      onResult: (r) => results.push(r),
    });
    const result = await receiver.receive(await signedDelivery({ id: 'evt_\u0000nul' }));
    assert.equal(result.status, 422);
    assert.equal(result.code, 'event_not_storable');
    assert.equal(result.outcome, 'rejected');
    assert.ok(results[0]?.error instanceof Error, 'the cause reaches onResult');
  });

  it('answers 500 store_failed for an unexpected store error and hands the cause to onResult', async () => {
    const results: ReceiveResult[] = [];
    const cause = new TypeError('driver bug');
    const receiver = createWebhookReceiver({
      secret: SECRET,
      store: { ...createMemoryStore(), insertIfAbsent: () => Promise.reject(cause) },
      onResult: (r) => results.push(r),
    });
    const result = await receiver.receive(await signedDelivery({ id: 'evt_bug' }));
    assert.equal(result.status, 500);
    assert.equal(result.code, 'store_failed');
    assert.equal(result.outcome, 'failed');
    assert.equal(results[0]?.error, cause);
  });

  it('tells an unauthenticated sender the code only: no secret count or hints in a 401 body', async () => {
    const results: ReceiveResult[] = [];
    const receiver = createWebhookReceiver({
      secret: ['not-a-persona-secret ', SECRET],
      store: createMemoryStore(),
      onResult: (r) => results.push(r),
    });
    const delivery = await signedDelivery({ id: 'evt_forged' });
    const result = await receiver.receive({ ...delivery, body: sampleBody({ id: 'evt_forgeD' }) });
    assert.equal(result.status, 401);
    assert.equal(result.code, 'signature_mismatch');
    const text = JSON.stringify(result.body);
    assert.doesNotMatch(text, /secret|wbhsec|whitespace|tried|\b2\b/i);
    // The operator still gets the hints, through onResult.
    assert.match(String((results[0]?.error as Error | undefined)?.message), /2 secret\(s\).*whitespace/s);
  });

  it('reports the duration of each call to onResult and ignores its errors', async () => {
    const durations: number[] = [];
    const receiver = createWebhookReceiver({
      secret: SECRET,
      store: createMemoryStore(),
      onResult: (_r, { durationMs }) => {
        durations.push(durationMs);
        throw new Error('metrics broke');
      },
    });
    const result = await receiver.receive(await signedDelivery({ id: 'evt_m' }));
    assert.equal(result.status, 200);
    assert.equal(durations.length, 1);
    assert.ok((durations[0] ?? -1) >= 0);
  });

  it('refuses to be created without a store, or in inline mode without handlers', () => {
    assert.throws(() => createWebhookReceiver({ secret: SECRET } as never), { code: 'invalid_options' });
    assert.throws(() => createWebhookReceiver({ secret: SECRET, store: createMemoryStore(), mode: 'inline' }), {
      code: 'invalid_options',
    });
    assert.throws(
      () => createWebhookReceiver({ secret: SECRET, store: createMemoryStore(), mode: 'sometimes' as never }),
      { code: 'invalid_options' },
    );
  });
});

describe('createWebhookReceiver in inline mode', () => {
  it('runs the handlers before answering and marks the event succeeded', async () => {
    const store = createMemoryStore();
    const seen: string[] = [];
    const handlers = createHandlers().on('inquiry.approved', (event) => {
      seen.push(event.id);
    });
    const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
    const result = await receiver.receive(await signedDelivery({ id: 'evt_i1' }));
    assert.equal(result.status, 200);
    assert.equal(result.outcome, 'accepted');
    assert.deepEqual(seen, ['evt_i1']);
    assert.equal((await store.get('evt_i1'))?.status, 'succeeded');
  });

  it('leases with an owner unique across processes (random, not only the pid: containers all run as pid 1)', async () => {
    const store = createMemoryStore();
    const owners: (string | null | undefined)[] = [];
    const handlers = createHandlers().on('inquiry.approved', async (event) => {
      owners.push((await store.get(event.id))?.lockedBy);
    });
    for (const id of ['evt_o1', 'evt_o2']) {
      const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
      assert.equal((await receiver.receive(await signedDelivery({ id }))).status, 200);
    }
    assert.equal(owners.length, 2);
    for (const owner of owners) assert.match(String(owner), /^inline:\d+:[0-9a-f]{24}:\d+$/);
    const random = owners.map((o) => String(o).split(':')[2]);
    assert.notEqual(random[0], random[1]);
  });

  it('answers 500 when a handler fails and runs only the failed handler on the next delivery', async () => {
    const store = createMemoryStore();
    let crmCalls = 0;
    let mailCalls = 0;
    let mailBroken = true;
    const handlers = createHandlers()
      .on('inquiry.approved', () => void crmCalls++, { name: 'crm' })
      .on(
        'inquiry.approved',
        () => {
          mailCalls++;
          if (mailBroken) throw new Error('mail server down');
        },
        { name: 'mail' },
      );
    const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
    const delivery = await signedDelivery({ id: 'evt_i2' });
    const first = await receiver.receive(delivery);
    assert.equal(first.status, 500);
    assert.equal(first.outcome, 'failed');
    assert.equal(first.code, 'handler_failed');
    const stored = await store.get('evt_i2');
    assert.equal(stored?.status, 'retrying');
    assert.deepEqual(stored?.completedHandlers, ['crm']);
    assert.match(stored?.lastError ?? '', /^mail: Error: mail server down/);

    mailBroken = false;
    const second = await receiver.receive(delivery);
    assert.equal(second.status, 200);
    assert.equal(second.outcome, 'duplicate');
    assert.equal(crmCalls, 1);
    assert.equal(mailCalls, 2);
    assert.equal((await store.get('evt_i2'))?.status, 'succeeded');
  });

  it('does not acknowledge a duplicate while the first delivery is still running', async () => {
    const store = createMemoryStore();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const handlers = createHandlers().on('inquiry.approved', () => {
      started();
      return gate;
    });
    const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
    const delivery = await signedDelivery({ id: 'evt_i3' });
    const first = receiver.receive(delivery);
    await handlerStarted;
    const duplicate = await receiver.receive(delivery);
    assert.equal(duplicate.outcome, 'in_flight');
    assert.ok(duplicate.status >= 400);
    assert.equal(duplicate.headers?.['retry-after'], '5');
    release();
    assert.equal((await first).status, 200);
    const later = await receiver.receive(delivery);
    assert.equal(later.status, 200);
    assert.equal(later.outcome, 'duplicate');
  });

  it('acknowledges a delivery of an event that went dead after its last attempt', async () => {
    const store = createMemoryStore();
    const handlers = createHandlers().on('inquiry.approved', () => {
      throw new Error('always');
    });
    const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers, maxAttempts: 2 });
    const delivery = await signedDelivery({ id: 'evt_i4' });
    assert.equal((await receiver.receive(delivery)).status, 500);
    const last = await receiver.receive(delivery);
    assert.equal(last.status, 200);
    assert.equal(last.body.status, 'dead');
    assert.equal((await store.get('evt_i4'))?.status, 'dead');
    assert.equal((await receiver.receive(delivery)).status, 200);
  });

  it('claims only the delivered event even when other events are waiting', async () => {
    const store = createMemoryStore();
    const queue = createWebhookReceiver({ secret: SECRET, store });
    // Older and sorting first: a store that ignored `ids` would hand this one over.
    await queue.receive(
      await signedDelivery({ id: 'evt_waiting', resourceId: 'inq_other', createdAt: '2026-01-01T00:00:00.000Z' }),
    );
    const seen: string[] = [];
    const handlers = createHandlers().onAny((event) => void seen.push(event.id));
    const inline = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });
    const result = await inline.receive(await signedDelivery({ id: 'evt_mine', resourceId: 'inq_mine' }));
    assert.equal(result.status, 200);
    assert.deepEqual(seen, ['evt_mine']);
    assert.equal((await store.get('evt_waiting'))?.status, 'pending');
  });
});
