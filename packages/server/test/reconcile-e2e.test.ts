// Never miss an event, with real processes over real HTTP: the Persona simulator delivers to `serve`; while the
// receiver is down, Persona's whole (time-scaled) retry tail passes and events are lost; `reconcile` recovers each
// of them, the worker handles each exactly once, and a second run inserts nothing. On PostgreSQL two
// `serve --reconcile-every` processes never reconcile at the same time.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { ReconcileRun } from 'persona-webhooks';
import { createPostgresStore } from 'persona-webhooks/postgres';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import {
  createPersonaSimulator,
  PERSONA_RETRY_SCHEDULE_SECONDS,
  type PersonaSimulator,
} from 'persona-webhooks/testing';
import { postgresForTests } from '../../persona-webhooks/test/helpers/pg.js';
import { runCli } from './helpers/cli.js';
import { handledIds, type ServeProcess, startServe, waitFor } from './helpers/serve.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/append-handler.mjs', import.meta.url));
const SECRET = 'wbhsec_reconcile-e2e';
const API_KEY = 'persona_sandbox_reconcile_e2e';

/** A loopback URL where nothing listens: a receiver that is down. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/webhooks/persona`;
}

describe('reconcile recovers what the retry tail lost (SQLite, real processes)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-reconcile-e2e-'));
  const handled = join(dir, 'handled.txt');
  const dbFile = join(dir, 'events.db');
  let sim: PersonaSimulator;
  let serve: ServeProcess;
  before(async () => {
    // The whole 51 h retry tail in about 3.7 s.
    sim = await createPersonaSimulator({ apiKeys: [API_KEY], timeScale: 0.00002, seed: 'e2e' });
    serve = await startServe(['--handlers', HANDLERS, '--poll-interval-ms', '50'], {
      env: { DATABASE_URL: `sqlite:${dbFile}`, PERSONA_WEBHOOK_SECRET: SECRET, HANDLED_FILE: handled },
      cwd: dir,
    });
  });
  after(async () => {
    assert.equal(await serve.stop('SIGTERM'), 0);
    await sim.close();
  });

  it('misses the events sent while the receiver is down, recovers every one, and handles each once', async () => {
    const webhook = sim.addWebhook({ url: serve.url, secret: SECRET });
    const delivered = Array.from({ length: 15 }, () => sim.emit('inquiry.approved').data.id);
    await sim.deliveriesSettled();
    await waitFor(() => handledIds(handled).length >= 15, 20_000, 'the delivered events handled');

    // The receiver is down (a bad deploy) through Persona's whole retry tail.
    webhook.url = await deadUrl();
    const lost = Array.from(
      { length: 135 },
      (_, i) => sim.emit(i % 3 === 0 ? 'inquiry.declined' : 'report/watchlist.ready').data.id,
    );
    await sim.deliveriesSettled();
    const attempts = sim.deliveries().filter((d) => d.eventId === lost[0]);
    assert.equal(attempts.length, PERSONA_RETRY_SCHEDULE_SECONDS.length + 1);
    assert.equal(attempts.at(-1)?.gaveUp, true);
    webhook.url = serve.url;

    const env = { DATABASE_URL: `sqlite:${dbFile}`, PERSONA_API_KEY: API_KEY, PERSONA_API_URL: sim.apiUrl };
    const first = await runCli(['reconcile', '--since', '1d', '--json'], { env, cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout) as { run: ReconcileRun; requests: number };
    assert.equal(result.run.inserted, 135);
    assert.equal(result.run.alreadyStored, 15);
    assert.equal(result.requests, 2);

    await waitFor(() => handledIds(handled).length >= 150, 30_000, 'the recovered events handled');
    const ids = handledIds(handled);
    assert.deepEqual([...ids].sort(), [...delivered, ...lost].sort(), 'each event handled exactly once');

    const second = await runCli(['reconcile', '--json'], { env, cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { run: ReconcileRun }).run.inserted, 0);

    const list = await runCli(['events', 'list', '--limit', '1000', '--json'], { env, cwd: dir });
    const events = (JSON.parse(list.stdout) as { events: { id: string; source: string; status: string }[] }).events;
    assert.equal(events.filter((e) => e.source === 'api').length, 135);
    assert.ok(events.every((e) => e.status === 'succeeded'));
    assert.equal(handledIds(handled).length, 150, 'nothing handled twice');

    const db = new Database(dbFile, { readonly: true });
    const store = createSqliteStore({ database: db });
    const runs = await store.listReconcileRuns();
    assert.deepEqual(
      runs.map((r) => [r.status, r.inserted]),
      [
        ['succeeded', 0],
        ['succeeded', 135],
      ],
    );
    db.close();
  });

  it('fails with one line and exit code 3 on a wrong key, and exit code 1 on an unreachable API', async () => {
    const env = { DATABASE_URL: `sqlite:${dbFile}`, PERSONA_API_URL: sim.apiUrl };
    const wrong = await runCli(['reconcile', '--since', '1d'], {
      env: { ...env, PERSONA_API_KEY: 'persona_sandbox_nope' },
      cwd: dir,
    });
    assert.equal(wrong.code, 3);
    assert.equal(wrong.stderr.trim().split('\n').length, 1, wrong.stderr);
    assert.match(wrong.stderr, /API key was refused/);
    assert.ok(!wrong.stderr.includes('persona_sandbox_nope'));
    const down = await runCli(['reconcile', '--since', '1d'], {
      env: {
        ...env,
        PERSONA_API_KEY: API_KEY,
        PERSONA_API_URL: (await deadUrl()).replace('/webhooks/persona', '/api/v1'),
        PERSONA_API_TIME_SCALE: '0.001',
      },
      cwd: dir,
    });
    assert.equal(down.code, 1);
    assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
    assert.match(down.stderr, /could not reach the API.*ECONNREFUSED/);
    const missing = await runCli(['reconcile'], { env: { DATABASE_URL: `sqlite:${join(dir, 'fresh.db')}` }, cwd: dir });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /PERSONA_API_KEY/);
  });
});

const pg = postgresForTests('server-reconcile');
describe('two serve --reconcile-every processes on PostgreSQL', { skip: pg.skip, timeout: 120_000 }, () => {
  let sim: PersonaSimulator;
  const procs: ServeProcess[] = [];
  before(async () => {
    await pg.setUp();
    sim = await createPersonaSimulator({ apiKeys: [API_KEY], timeScale: 0.01, seed: 'pg-lock' });
    sim.generateEvents(1500, { spanMs: 3600_000 });
    // Slow answers make each run last long enough that unlocked runs would overlap.
    sim.setFaults({ latencyMs: 40 });
    const dir = mkdtempSync(join(tmpdir(), 'pw-reconcile-pg-'));
    const env = {
      DATABASE_URL: pg.url,
      PERSONA_DB_SCHEMA: pg.schema,
      PERSONA_WEBHOOK_SECRET: SECRET,
      PERSONA_API_KEY: API_KEY,
      PERSONA_API_URL: sim.apiUrl,
      PERSONA_API_TIME_SCALE: '0.01',
      LOG_LEVEL: 'info',
    };
    procs.push(await startServe(['--reconcile-every', '1s'], { env, cwd: dir }));
    procs.push(await startServe(['--reconcile-every', '1s'], { env, cwd: dir }));
  });
  after(async () => {
    const codes = await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    assert.deepEqual(codes, [0, 0]);
    await sim.close();
    await pg.tearDown();
  });

  it('never runs two reconciles at once, and both keep trying', async () => {
    const store = createPostgresStore({ pool: pg.pool(), schema: pg.schema });
    await waitFor(
      async () => (await store.listReconcileRuns()).filter((r) => r.status === 'succeeded').length >= 4,
      60_000,
      'four finished reconcile runs',
    );
    const skipped = procs.map(
      (p) => p.logs().filter((l) => l.msg === 'reconcile skipped: another process is reconciling').length,
    );
    const runs = (await store.listReconcileRuns({ limit: 1000 })).filter((r) => r.finishedAt !== null);
    const spans = runs.map((r) => [r.startedAt.getTime(), (r.finishedAt as Date).getTime(), r.owner] as const);
    for (const [i, a] of spans.entries()) {
      for (const b of spans.slice(i + 1)) {
        assert.ok(a[1] <= b[0] || b[1] <= a[0], `runs overlap: ${JSON.stringify([a, b])}`);
      }
    }
    assert.equal(new Set(runs.map((r) => r.owner)).size >= 1, true);
    assert.ok(skipped.reduce((x, y) => x + y, 0) >= 1, 'no process ever found the lock held');
    const inserted = runs.reduce((n, r) => n + r.inserted, 0);
    assert.equal(inserted, 1500, 'each event inserted by exactly one run');
  });
});
