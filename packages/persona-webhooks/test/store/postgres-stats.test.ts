import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore, migrationSql } from '../../src/store/postgres/index.js';
import {
  postgresMigrations,
  postgresMigrationsTableSql,
  postgresQualifiedNames,
} from '../../src/store/postgres/migrations.js';
import type { EventStatus, EventStore, NewEvent } from '../../src/store/store.js';
import { postgresForTests } from '../helpers/pg.js';

const pg = postgresForTests('store_pg_stats');
const STATUSES: readonly EventStatus[] = ['pending', 'processing', 'succeeded', 'retrying', 'dead'];
const T0 = new Date('2026-01-01T00:00:00Z');

function event(id: string, minutes: number, resourceId: string | null = null): NewEvent {
  const at = new Date(T0.getTime() + minutes * 60_000);
  return { id, name: 'inquiry.completed', createdAt: at, receivedAt: at, resourceId, body: '{"data":{}}' };
}

describe('postgres store stats() from the counts table', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());

  // What stats() must equal: a full count of the events table.
  async function assertExact(store: EventStore, table: string): Promise<void> {
    const { rows } = await pg
      .pool()
      .query(`SELECT status, count(*)::integer AS n FROM "${pg.schema}"."${table}" GROUP BY status`);
    const expected: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const row of rows as { status: string; n: number }[]) expected[row.status] = row.n;
    const oldest = await pg
      .pool()
      .query(`SELECT min(received_at) AS at FROM "${pg.schema}"."${table}" WHERE status IN ('pending', 'retrying')`);
    const stats = await store.stats();
    assert.deepEqual(stats.byStatus, expected);
    assert.equal(
      stats.total,
      Object.values(expected).reduce((a, b) => a + b, 0),
    );
    assert.deepEqual(stats.oldestPendingReceivedAt, (oldest.rows[0] as { at: Date | null }).at);
  }

  async function lifecycle(store: EventStore, table: string): Promise<void> {
    const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    for (let i = 0; i < 6; i++) await store.insertIfAbsent(event(`evt_${table}_${i}`, i, `inq_${i % 3}`));
    await store.insertIfAbsent(event(`evt_${table}_0`, 0, 'inq_0')); // a duplicate delivery counts once
    await assertExact(store, table);
    const claimed = await store.claim({ owner: 'w1', leaseMs: 60_000, limit: 3 });
    assert.equal(claimed.length, 3);
    await assertExact(store, table);
    const [a, b, c] = claimed.map((e) => e.id) as [string, string, string];
    assert.equal(await store.extendLease(a, 'w1', 120_000), true);
    assert.equal(await store.complete(a, 'w1'), true);
    await assertExact(store, table);
    assert.equal(await store.fail(b, 'w1', { error: 'boom', retryAt: later(-1) }), true);
    await assertExact(store, table);
    assert.equal(await store.fail(c, 'w1', { error: 'boom', retryAt: null }), true);
    await assertExact(store, table);
    // The retrying event again, then its lease expires past maxAttempts: dead by the claim itself.
    const again = await store.claim({ owner: 'w2', leaseMs: 1, limit: 10, ids: [b] });
    assert.equal(again.length, 1);
    await store.claim({ owner: 'w3', leaseMs: 60_000, limit: 1, maxAttempts: 1, now: later(5), ids: ['none'] });
    await assertExact(store, table);
    assert.equal((await store.get(b))?.status, 'dead');
    assert.equal(await store.requeue({ id: c }), 1);
    await assertExact(store, table);
    assert.ok((await store.requeue({ filter: { status: 'dead' } })) >= 1);
    await assertExact(store, table);
    const rest = await store.claim({ owner: 'w4', leaseMs: 60_000, limit: 10 });
    for (const e of rest.slice(0, 2)) await store.complete(e.id, 'w4');
    for (const e of rest.slice(2, 3)) await store.fail(e.id, 'w4', { error: 'x', retryAt: null });
    for (const e of rest.slice(3, 4)) await store.release(e.id, 'w4');
    await assertExact(store, table);
    await store.setBody(a, null);
    const pruned = await store.prune({ payloadsBefore: later(1), recordsBefore: later(1) });
    assert.ok(pruned.recordsDeleted >= 3);
    await assertExact(store, table);
  }

  it('stays exact across insert, claim, complete, fail to retry and dead, lease expiry, requeue and prune', async () => {
    const store = createPostgresStore({ pool: pg.pool(), schema: pg.schema, table: 'fresh' });
    await store.migrate();
    await assertExact(store, 'fresh');
    await lifecycle(store, 'fresh');
  });

  it('stays exact under concurrent inserts and claims from many connections', async () => {
    const pool = pg.newPool({ max: 12 });
    const store = createPostgresStore({ pool, schema: pg.schema, table: 'concurrent' });
    await store.migrate();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.insertIfAbsent(event(`evt_c_${i % 250}`, i, `inq_${i % 7}`))),
    );
    await assertExact(store, 'concurrent');
    const batches = await Promise.all(
      Array.from({ length: 8 }, (_, w) => store.claim({ owner: `w${w}`, leaseMs: 60_000, limit: 20 })),
    );
    await Promise.all(
      batches.flatMap((batch, w) =>
        batch.map((e, k) =>
          k % 2 === 0
            ? store.complete(e.id, `w${w}`)
            : store.fail(e.id, `w${w}`, { error: 'x', retryAt: k % 3 === 0 ? null : new Date() }),
        ),
      ),
    );
    await assertExact(store, 'concurrent');
    await pool.query(`TRUNCATE "${pg.schema}"."concurrent"`);
    await assertExact(store, 'concurrent');
  });

  it('initialises the counts from the rows of a table migrated from version 1', async () => {
    const table = 'from_v1';
    const names = postgresQualifiedNames({ schema: pg.schema, table });
    const pool = pg.pool();
    const v1 = postgresMigrations(names).find((m) => m.version === 1);
    assert.ok(v1);
    await pool.query(postgresMigrationsTableSql(names));
    await pool.query(v1.sql);
    await pool.query(`INSERT INTO ${names.migrations} (version, name) VALUES (1, $1)`, [v1.name]);
    await pool.query(
      `INSERT INTO ${names.events} (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at)
       SELECT 'evt_old_' || g, 'inquiry.completed', $1::timestamptz + g * interval '1 second',
         $1::timestamptz + g * interval '1 second', NULL,
         (ARRAY['pending', 'processing', 'succeeded', 'retrying', 'dead'])[1 + g % 5],
         $1::timestamptz, '{}', now()
       FROM generate_series(1, 1037) g`,
      [T0],
    );
    const store = createPostgresStore({ pool, schema: pg.schema, table });
    await store.migrate();
    const { rows } = await pool.query(`SELECT max(version) AS v FROM ${names.migrations}`);
    assert.equal((rows[0] as { v: number }).v, Math.max(...postgresMigrations(names).map((m) => m.version)));
    assert.equal((await store.stats()).total, 1037);
    await assertExact(store, table);
    await lifecycle(store, table);
    // Applying the printed script again (what an operator might do) recounts rather than doubles.
    await pool.query(migrationSql('postgres', { schema: pg.schema, table }));
    await assertExact(store, table);
  });

  it('prints the counts table and its triggers in migrationSql', () => {
    const sql = migrationSql('postgres', { schema: 'webhooks', table: 'events' });
    assert.match(sql, /-- migration 2: count events by status/);
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "webhooks"\."events_counts"/);
    assert.match(sql, /CREATE TRIGGER "events_count_insert" AFTER INSERT ON "webhooks"\."events"/);
  });
});
