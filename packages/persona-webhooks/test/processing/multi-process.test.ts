// Exactly-once across real OS processes, on one SQLite file and on PostgreSQL: concurrent duplicate
// deliveries, a worker SIGKILLed mid-handler, a poison event that kills every worker that runs it, and
// events about one inquiry delivered newest first.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import { createWorker } from '../../src/processing/worker.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { EventStore } from '../../src/store/store.js';
import { postgresForTests } from '../helpers/pg.js';
import { type Child, startChild, startTogether } from './fixtures/children.js';
import { type SampleOptions, SECRET, sampleBody, signedDelivery } from './fixtures/events.js';

interface Backend {
  /** A fresh, migrated store plus the environment that lets a child process open the same one. */
  open(): Promise<{ store: EventStore; env: Record<string, string>; close(): Promise<void> }>;
}

function effectLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

interface RaceReport {
  readonly results: Record<string, number>;
  readonly accepted: string[];
}

/**
 * Two receiver processes (JOB=race) each delivering 30 copies of every body, started together: the children,
 * each one's report, and the status counts summed over both.
 */
async function raceTwoProcesses(
  env: Record<string, string>,
  bodies: readonly string[],
  files: { deliveries: string; effects: string },
  extra: Record<string, string> = {},
): Promise<{ children: Child[]; reports: RaceReport[]; total: Record<string, number> }> {
  const deliveries = await Promise.all(
    bodies.map(async (body) => ({
      body,
      header: (await createSignedDelivery({ body, secret: SECRET })).headers['persona-signature'],
    })),
  );
  writeFileSync(files.deliveries, JSON.stringify(deliveries));
  const children = [0, 1].map(() =>
    startChild({ ...env, ...extra, JOB: 'race', DELIVERIES: files.deliveries, COPIES: '30', EFFECTS: files.effects }),
  );
  await startTogether(children);
  const reports = await Promise.all(
    children.map(async (c) => JSON.parse(await c.waitFor((l) => l.startsWith('{'))) as RaceReport),
  );
  const total: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.results)) total[k] = (total[k] ?? 0) + v;
  return { children, reports, total };
}

function defineProcessSuite(label: string, backend: () => Backend, dir: () => string): void {
  it(`${label}: two processes receiving 60 concurrent copies of each event run each handler exactly once`, async () => {
    const { store, env, close } = await backend().open();
    try {
      const ids = ['evt_race_a', 'evt_race_b'];
      const bodies = ids.map((id) => sampleBody({ id, resourceId: `inq_${id}`, size: 2048 }));
      const effects = join(dir(), `${label}-race-effects.txt`);
      const { children, reports, total } = await raceTwoProcesses(env, bodies, {
        deliveries: join(dir(), `${label}-deliveries.json`),
        effects,
      });
      await Promise.all(children.map((c) => c.waitFor((l) => l === 'drained')));
      await Promise.all(children.map((c) => c.exited));

      // Every delivery answered 200; exactly one per event was the first.
      assert.deepEqual(total, { '200 accepted': 2, '200 duplicate': 118 });
      assert.deepEqual(reports.flatMap((r) => r.accepted).sort(), ids);
      // The side effect happened once per event.
      const done = effectLines(effects)
        .map((l) => l.split(' ')[2])
        .sort();
      assert.deepEqual(done, ids);
      for (const id of ids) {
        const stored = await store.get(id);
        assert.equal(stored?.status, 'succeeded');
        assert.equal(stored?.deliveries, 60);
        assert.equal(stored?.attempts, 1);
      }
    } finally {
      await close();
    }
  });

  it(`${label}: inline receivers in two processes run the handler once and never acknowledge a copy before it succeeded`, async () => {
    const { store, env, close } = await backend().open();
    try {
      const body = sampleBody({ id: 'evt_inline', resourceId: 'inq_inline', size: 2048 });
      const effects = join(dir(), `${label}-inline-effects.txt`);
      const { children, total } = await raceTwoProcesses(
        env,
        [body],
        { deliveries: join(dir(), `${label}-inline-deliveries.json`), effects },
        { MODE: 'inline' },
      );
      await Promise.all(children.map((c) => c.exited));
      // One copy ran the handler (the one that stored it, or a copy that claimed it first); the others were told
      // to retry while it ran, or acknowledged as duplicates once it had succeeded. Nothing else.
      assert.ok((total['200 accepted'] ?? 0) <= 1, JSON.stringify(total));
      assert.deepEqual(
        Object.keys(total).filter((k) => k !== '200 accepted' && k !== '200 duplicate' && k !== '503 in_flight'),
        [],
      );
      assert.ok((total['503 in_flight'] ?? 0) > 0, 'some copies arrived while the first ran');
      assert.deepEqual(
        effectLines(effects).map((l) => l.split(' ')[2]),
        ['evt_inline'],
      );
      assert.equal((await store.get('evt_inline'))?.status, 'succeeded');
    } finally {
      await close();
    }
  });

  it(`${label}: a worker SIGKILLed mid-handler leaves the event to another worker once its lease expires`, async () => {
    const { store, env, close } = await backend().open();
    try {
      const receiver = createWebhookReceiver({ secret: SECRET, store });
      assert.equal((await receiver.receive(await signedDelivery({ id: 'evt_crash' }))).status, 200);
      const effects = join(dir(), `${label}-crash-effects.txt`);
      const common = { ...env, JOB: 'work', TARGET: 'evt_crash', LEASE_MS: '600', MAX_ATTEMPTS: '5', EFFECTS: effects };
      const victim = startChild({ ...common, BEHAVIOUR: 'hang' });
      await startTogether([victim]);
      await victim.waitFor((l) => l === 'started evt_crash');
      victim.process.kill('SIGKILL');
      assert.equal(await victim.exited, 'SIGKILL');
      const held = await store.get('evt_crash');
      assert.equal(held?.status, 'processing');

      const rescuer = startChild({ ...common, BEHAVIOUR: 'ok' });
      await startTogether([rescuer]);
      assert.equal(await rescuer.waitFor((l) => l.startsWith('finished')), 'finished succeeded');
      await rescuer.exited;

      const lines = effectLines(effects);
      assert.deepEqual(
        lines.map((l) => l.split(' ')[0]),
        ['start', 'start', 'done'],
      );
      assert.equal(lines.filter((l) => l.startsWith('done')).length, 1);
      assert.equal(lines[2]?.split(' ')[1], String(rescuer.process.pid));
      const stored = await store.get('evt_crash');
      assert.equal(stored?.status, 'succeeded');
      assert.equal(stored?.attempts, 2);
      assert.equal(stored?.finishedAttempts, 1);
    } finally {
      await close();
    }
  });

  it(`${label}: a poison event that kills its workers goes dead after the configured attempts, and replay after a fix runs it`, async () => {
    const { store, env, close } = await backend().open();
    try {
      const receiver = createWebhookReceiver({ secret: SECRET, store });
      assert.equal((await receiver.receive(await signedDelivery({ id: 'evt_poison' }))).status, 200);
      const effects = join(dir(), `${label}-poison-effects.txt`);
      const common = {
        ...env,
        JOB: 'work',
        TARGET: 'evt_poison',
        LEASE_MS: '300',
        MAX_ATTEMPTS: '2',
        EFFECTS: effects,
      };
      for (let n = 0; n < 2; n++) {
        const crasher = startChild({ ...common, BEHAVIOUR: 'crash' });
        await startTogether([crasher]);
        assert.equal(await crasher.exited, 'SIGKILL');
      }
      // A third worker finds the lease expired after 2 started attempts: dead, not run again.
      const third = startChild({ ...common, BEHAVIOUR: 'crash' });
      await startTogether([third]);
      assert.equal(await third.waitFor((l) => l.startsWith('finished')), 'finished dead');
      assert.equal(await third.exited, 0);
      let stored = await store.get('evt_poison');
      assert.equal(stored?.status, 'dead');
      assert.equal(stored?.attempts, 2);
      assert.equal(stored?.finishedAttempts, 0);
      assert.equal(effectLines(effects).length, 2);

      // The fix is deployed: replay, and a healthy worker runs it.
      assert.equal(await store.requeue({ filter: { status: 'dead' } }), 1);
      const healthy = startChild({ ...common, MAX_ATTEMPTS: '5', BEHAVIOUR: 'ok' });
      await startTogether([healthy]);
      assert.equal(await healthy.waitFor((l) => l.startsWith('finished')), 'finished succeeded');
      await healthy.exited;
      stored = await store.get('evt_poison');
      assert.equal(stored?.status, 'succeeded');
      assert.equal(effectLines(effects).filter((l) => l.startsWith('done')).length, 1);
    } finally {
      await close();
    }
  });

  it(`${label}: events about one inquiry delivered newest first run oldest first`, async () => {
    const { store, close } = await backend().open();
    try {
      const receiver = createWebhookReceiver({ secret: SECRET, store });
      const events: SampleOptions[] = [
        { id: 'evt_3', name: 'inquiry.approved', resourceId: 'inq_o', createdAt: '2026-11-26T10:00:03.000Z' },
        { id: 'evt_2', name: 'inquiry.completed', resourceId: 'inq_o', createdAt: '2026-11-26T10:00:02.000Z' },
        { id: 'evt_1', name: 'inquiry.started', resourceId: 'inq_o', createdAt: '2026-11-26T10:00:01.000Z' },
        { id: 'evt_other', name: 'inquiry.started', resourceId: 'inq_p', createdAt: '2026-11-26T10:00:00.000Z' },
      ];
      for (const e of events) assert.equal((await receiver.receive(await signedDelivery(e))).status, 200);
      const order: string[] = [];
      const handlers = createHandlers().onAny(async (event) => {
        order.push(event.id);
        await new Promise((r) => setTimeout(r, 10));
      });
      const worker = createWorker({ store, handlers, concurrency: 4 });
      assert.equal(await worker.drain(), 4);
      assert.deepEqual(
        order.filter((id) => id !== 'evt_other'),
        ['evt_1', 'evt_2', 'evt_3'],
      );
    } finally {
      await close();
    }
  });
}

describe('processing across OS processes on one SQLite file', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'persona-processing-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  defineProcessSuite(
    'sqlite',
    () => ({
      async open() {
        const file = join(dir, `events-${++n}.db`);
        const database = new Database(file);
        const store = createSqliteStore({ database, busyTimeoutMs: 20_000 });
        await store.migrate();
        return {
          store,
          env: { STORE: 'sqlite', FILE: file },
          async close() {
            await store.close();
            database.close();
          },
        };
      },
    }),
    () => dir,
  );
});

const pg = postgresForTests('processing_multi');

describe('processing across OS processes on PostgreSQL', { skip: pg.skip }, () => {
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'persona-processing-pg-'));
    await pg.setUp();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg.tearDown();
  });
  let n = 0;
  defineProcessSuite(
    'postgres',
    () => ({
      async open() {
        const table = `events_${++n}`;
        const store = createPostgresStore({ pool: pg.pool(), schema: pg.schema, table });
        await store.migrate();
        return {
          store,
          env: { STORE: 'postgres', URL: pg.url, SCHEMA: pg.schema, TABLE: table },
          close: () => store.close(),
        };
      },
    }),
    () => dir,
  );
});
