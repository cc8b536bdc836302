// reconcile() against the Persona simulator over real HTTP, into a real SQLite file: what it recovers, what it
// records, and how a failed run (bad key, 5xx storm, malformed page, unreachable API) leaves a state the next
// run resumes from without corrupting anything.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type EventStore, PersonaWebhookError } from 'persona-webhooks';
import { createPersonaClient, PersonaApiError, type PersonaClient, reconcile } from 'persona-webhooks/api';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import { createPersonaSimulator, type PersonaSimulator } from 'persona-webhooks/testing';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'pw-reconcile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('reconcile against the simulator', () => {
  let sim: PersonaSimulator;
  let db: Database.Database;
  let store: EventStore;
  let client: PersonaClient;
  let n = 0;

  beforeEach(async () => {
    sim = await createPersonaSimulator({ seed: `reconcile-${n}`, timeScale: 0.001 });
    db = new Database(join(dir, `store-${n++}.db`));
    store = createSqliteStore({ database: db });
    await store.migrate();
    client = createPersonaClient({ apiKey: sim.apiKey, baseUrl: sim.apiUrl, timeScale: 0.001, maxRetries: 1 });
  });
  afterEach(async () => {
    await sim.close();
    await store.close();
    db.close();
  });

  const since = () => new Date(Date.now() - 7 * DAY);

  it('inserts every missing event as source api, skips stored ones, and a second run inserts nothing', async () => {
    const events = sim.generateEvents(250, { spanMs: 2 * DAY });
    // The receiver got 40 of them by webhook.
    for (const e of events.slice(0, 40)) {
      await store.insertIfAbsent({
        id: e.data.id,
        name: e.data.attributes.name,
        createdAt: new Date(e.data.attributes['created-at']),
        resourceId: null,
        body: JSON.stringify(e),
      });
    }
    const first = await reconcile({ client, store, since: since(), owner: 'test' });
    assert.equal(first.run.status, 'succeeded');
    assert.deepEqual(
      [first.run.seen, first.run.alreadyStored, first.run.inserted, first.run.failed],
      [250, 40, 210, 0],
    );
    assert.equal(first.pages, 3);
    for (const e of events) assert.ok(await store.get(e.data.id), `${e.data.id} missing`);
    const recovered = await store.get(events[100]?.data.id ?? '');
    assert.equal(recovered?.source, 'api');
    assert.equal(recovered?.status, 'pending');
    assert.equal(recovered?.deliveries, 1);
    assert.equal((await store.get(events[0]?.data.id ?? ''))?.source, 'webhook');
    assert.equal((await store.get(events[0]?.data.id ?? ''))?.deliveries, 1);

    const second = await reconcile({ client, store, owner: 'test' });
    assert.equal(second.run.inserted, 0);
    assert.equal(second.run.alreadyStored, 250);
    // Without --since, the watermark is the first run's start minus the 72 h margin.
    assert.equal(second.run.windowFrom.getTime(), first.run.startedAt.getTime() - 72 * 3600_000);
    const runs = await store.listReconcileRuns();
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
  });

  it('stops at the watermark', async () => {
    sim.generateEvents(10, { spanMs: DAY });
    const old = sim.emit('inquiry.approved', { createdAt: new Date(Date.now() - 10 * DAY), deliver: false });
    const { run } = await reconcile({ client, store, since: new Date(Date.now() - 2 * DAY) });
    assert.equal(run.inserted, 10);
    assert.equal(await store.get(old.data.id), null);
  });

  it('requires since on a first run', async () => {
    await assert.rejects(reconcile({ client, store }), (e: unknown) => {
      assert.ok(e instanceof PersonaWebhookError);
      assert.equal(e.code, 'invalid_options');
      assert.match(e.message, /since/);
      return true;
    });
  });

  it('counts in a dry run without inserting, and a dry run is no watermark', async () => {
    sim.generateEvents(30, { spanMs: DAY });
    const { run } = await reconcile({ client, store, since: since(), dryRun: true });
    assert.deepEqual([run.inserted, run.alreadyStored, run.dryRun], [30, 0, true]);
    assert.equal((await store.stats()).total, 0);
    await assert.rejects(reconcile({ client, store }), /since/);
  });

  it('only takes the named events', async () => {
    sim.generateEvents(40, { names: ['inquiry.approved', 'account.created'], spanMs: DAY });
    const { run } = await reconcile({ client, store, since: since(), names: ['account.created'] });
    assert.equal(run.inserted, 20);
    const page = await store.list({ name: 'inquiry.approved' });
    assert.equal(page.events.length, 0);
  });

  it('refuses to run while another owner holds the lock', async () => {
    assert.equal(await store.acquireReconcileLock('other', 60_000), true);
    await assert.rejects(reconcile({ client, store, since: since() }), (e: unknown) => {
      assert.ok(e instanceof PersonaWebhookError);
      assert.equal(e.code, 'reconcile_locked');
      return true;
    });
    assert.equal((await store.listReconcileRuns()).length, 0);
  });

  for (const [what, fault, code] of [
    ['a storm of 5xx', { serverErrors: Number.POSITIVE_INFINITY }, 'api_server_error'],
    ['a malformed page', { malformedPages: Number.POSITIVE_INFINITY }, 'api_bad_response'],
    ['cut connections', { resetConnections: Number.POSITIVE_INFINITY }, 'api_unreachable'],
  ] as const) {
    it(`records the run failed on ${what} with a one-line error, and the next run resumes from its cursor`, async () => {
      const events = sim.generateEvents(500, { spanMs: 2 * DAY });
      // Fail from the third request on.
      let requests = 0;
      const failing = createPersonaClient({
        apiKey: sim.apiKey,
        baseUrl: sim.apiUrl,
        timeScale: 0.001,
        maxRetries: 1,
        onRequest: () => {
          if (++requests === 2) sim.setFaults(fault);
        },
      });
      const error = await reconcile({ client: failing, store, since: since() }).catch((e: unknown) => e);
      assert.ok(error instanceof PersonaApiError, String(error));
      assert.equal(error.code, code);
      assert.doesNotMatch(error.message, /\n/);
      assert.ok(!error.message.includes(sim.apiKey));
      const [failedRun] = await store.listReconcileRuns();
      assert.equal(failedRun?.status, 'failed');
      assert.equal(failedRun?.inserted, 200);
      assert.equal(failedRun?.cursor, events[events.length - 200]?.data.id);
      assert.equal((await store.stats()).total, 200);

      sim.setFaults({ serverErrors: 0, malformedPages: 0, resetConnections: 0 });
      // Newer events arrived meanwhile; the next run takes them and skips what the failed run stored.
      sim.generateEvents(30, { spanMs: 1000 });
      const before = sim.stats().requests;
      const next = await reconcile({ client, store });
      assert.equal(next.resumedFrom, failedRun?.id);
      assert.equal(next.run.inserted, 330);
      assert.equal((await store.stats()).total, 530);
      // 1 page of new events (+ the top 200 not re-read) + the 3 pages left: 4 requests, not 6.
      assert.equal(sim.stats().requests - before, 4);
    });
  }

  const HOUR = 3_600_000;
  /** Records a finished run that started at `startedAt` and walked back to `windowFrom`. */
  const recordRun = (
    id: string,
    status: 'succeeded' | 'failed',
    startedAt: Date,
    windowFrom: Date,
    resumable?: { windowTo: Date; cursor: string },
  ) =>
    store.saveReconcileRun({
      id,
      status,
      owner: 'test',
      startedAt,
      finishedAt: startedAt,
      updatedAt: startedAt,
      windowFrom,
      windowTo: resumable?.windowTo ?? null,
      topEventId: null,
      cursor: resumable?.cursor ?? null,
      seen: 0,
      alreadyStored: 0,
      inserted: 0,
      failed: 0,
      names: null,
      dryRun: false,
      error: status === 'failed' ? 'GET /events failed: API key refused [HTTP 401]' : null,
    });

  it('after more failed runs than it reads back, still walks back to the last success, not to defaultSince', async () => {
    const now = Date.now();
    // The last success was 100 h ago; then the API refused every run for longer than the margin (72 h): 50 failed
    // runs on their first page (no cursor), each from the last success's start minus the margin.
    const success = new Date(now - 100 * HOUR);
    const from = new Date(success.getTime() - 72 * HOUR);
    await recordRun('rcn_success', 'succeeded', success, from);
    for (let i = 0; i < 50; i++) await recordRun(`rcn_failed${i}`, 'failed', new Date(now - (99 - i) * HOUR), from);
    // An event created 90 h ago, between the last success and now − 72 h: delivered to nobody.
    const [missed] = sim.generateEvents(1, { spanMs: 0 });
    assert.ok(missed);
    sim.addEvent({
      ...missed,
      data: {
        ...missed.data,
        id: 'evt_missed90h',
        attributes: { ...missed.data.attributes, 'created-at': new Date(now - 90 * HOUR).toISOString() },
      },
    });
    const result = await reconcile({ client, store, owner: 'test', defaultSince: new Date(now - 72 * HOUR) });
    assert.equal(result.run.status, 'succeeded');
    assert.equal(result.run.windowFrom.getTime(), from.getTime());
    assert.ok(await store.get('evt_missed90h'), 'the event missed 90 h ago was recovered');
  });

  it('with no success in sight, a newer resumable run does not cut the window short', async () => {
    const now = Date.now();
    const from = new Date(now - 172 * HOUR);
    for (let i = 0; i < 49; i++) await recordRun(`rcn_old${i}`, 'failed', new Date(now - (60 - i) * HOUR), from);
    // The newest: a hand-run `reconcile --since 3h` that failed after a page, so it has a cursor.
    const recent = new Date(now - HOUR);
    await recordRun('rcn_recent', 'failed', recent, new Date(now - 3 * HOUR), {
      windowTo: recent,
      cursor: 'evt_somewhere',
    });
    const result = await reconcile({ client, store, owner: 'test', defaultSince: new Date(now - 72 * HOUR) });
    assert.equal(result.run.windowFrom.getTime(), from.getTime());
  });

  it('fails with one line on a revoked key and leaves no run half-done', async () => {
    sim.generateEvents(10);
    sim.addApiKey('persona_sandbox_revoked');
    sim.revokeApiKey('persona_sandbox_revoked');
    const revoked = createPersonaClient({ apiKey: 'persona_sandbox_revoked', baseUrl: sim.apiUrl });
    const error = await reconcile({ client: revoked, store, since: since() }).catch((e: unknown) => e);
    assert.ok(error instanceof PersonaApiError);
    assert.equal(error.code, 'api_unauthorized');
    const [run] = await store.listReconcileRuns();
    assert.equal(run?.status, 'failed');
    assert.equal(run?.cursor, null);
    // The recorded error is scrubbed, but keeps the status (and Request-Id, when Persona sent one) for support.
    assert.match(run?.error ?? '', /\[HTTP 401(, Request-Id \S+)?\]$/);
    assert.ok(!(run?.error ?? '').includes('persona_sandbox_revoked'));
    assert.equal((await store.stats()).total, 0);
  });
});
