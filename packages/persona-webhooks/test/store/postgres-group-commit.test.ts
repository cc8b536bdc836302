// The PostgreSQL store's group commit against a real server: the inserts of one event-loop turn go as one
// statement, duplicates inside a batch are counted, one refused value fails only its own event, an outage
// fails the batch at once, and two batches sharing ids on two connections do not deadlock.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'pg';
import { StoreUnavailableError } from '../../src/errors.js';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.js';
import { createPostgresGroupCommit } from '../../src/store/postgres/postgres-group-commit.js';
import type { NewEvent } from '../../src/store/store.js';
import { postgresForTests } from '../helpers/pg.js';

const pg = postgresForTests('store_group_commit');

function event(id: string, body = '{"data":{}}'): NewEvent {
  return { id, name: 'inquiry.approved', createdAt: new Date('2026-01-01T00:00:00Z'), resourceId: null, body };
}

/** A pool that records the text of every event insert sent through it. */
function recording(pool: Pool): { pool: PostgresStoreOptions['pool']; inserts: string[] } {
  const inserts: string[] = [];
  return {
    inserts,
    pool: {
      query: (text: string, values?: unknown[]) => {
        if (/^\s*(WITH input|INSERT INTO)/.test(text) && text.includes('deliveries')) inserts.push(text);
        return pool.query(text, values);
      },
      connect: () => pool.connect(),
    } as PostgresStoreOptions['pool'],
  };
}

describe('postgres store group commit', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  let n = 0;
  async function open(options: Partial<PostgresStoreOptions> = {}) {
    const { pool, inserts } = recording(pg.pool());
    const store = createPostgresStore({ pool, schema: pg.schema, table: `gc_${++n}`, ...options });
    await store.migrate();
    inserts.length = 0;
    return { store, inserts };
  }

  it('sends the inserts of one turn as one statement, counting duplicates inside and outside the batch', async () => {
    const { store, inserts } = await open();
    assert.equal((await store.insertIfAbsent(event('evt_old'))).inserted, true);
    inserts.length = 0;
    const ids = ['evt_a', 'evt_b', 'evt_old', 'evt_a', 'evt_c', 'evt_a'];
    const results = await Promise.all(ids.map((id) => store.insertIfAbsent(event(id))));
    assert.equal(inserts.length, 1, 'one statement for the whole turn');
    assert.deepEqual(
      results.map((r) => r.inserted),
      [true, true, false, false, true, false],
    );
    assert.equal((await store.get('evt_a'))?.deliveries, 3);
    assert.equal((await store.get('evt_old'))?.deliveries, 2);
    assert.equal((await store.stats()).total, 4);
  });

  it('sends one statement per insert with groupCommit: false', async () => {
    const { store, inserts } = await open({ groupCommit: false });
    await Promise.all(['evt_1', 'evt_2', 'evt_3'].map((id) => store.insertIfAbsent(event(id))));
    assert.equal(inserts.length, 3);
  });

  it('fails only the event whose value PostgreSQL refuses; the rest of the batch is stored', async () => {
    const { store } = await open();
    const alone = await store.insertIfAbsent(event('evt_nul_alone', '{"x":"\u0000"}')).catch((e: unknown) => e);
    assert.ok(alone instanceof Error, 'PostgreSQL text refuses U+0000');
    const ids = ['evt_g1', 'evt_g2', 'evt_nul', 'evt_g3'];
    const settled = await Promise.allSettled(
      ids.map((id) => store.insertIfAbsent(event(id, id === 'evt_nul' ? '{"x":"\u0000"}' : '{"data":{}}'))),
    );
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const refused = (settled[2] as PromiseRejectedResult).reason as Error & { code?: string };
    assert.equal(refused.code, (alone as Error & { code?: string }).code, 'the same error as the event alone');
    for (const id of ['evt_g1', 'evt_g2', 'evt_g3']) assert.equal((await store.get(id))?.status, 'pending');
    assert.equal(await store.get('evt_nul'), null);
  });

  it('fails the whole batch at once with store_unavailable when the database is unreachable', async () => {
    const down = pg.newPool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 500 });
    const { pool, inserts } = recording(down);
    const store = createPostgresStore({ pool, schema: pg.schema, table: 'gc_down' });
    const settled = await Promise.allSettled(
      ['evt_d1', 'evt_d2', 'evt_d3'].map((id) => store.insertIfAbsent(event(id))),
    );
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      assert.ok((s as PromiseRejectedResult).reason instanceof StoreUnavailableError);
    }
    assert.equal(inserts.length, 1, 'no event-by-event retry against a database that is not there');
  });

  it('runs two batches that share ids, in opposite orders, on two connections without a deadlock', async () => {
    const table = `gc_${n + 1}`;
    const { store, inserts } = await open({ maxBatchSize: 10 });
    // Each row takes 20 ms to insert (a trigger of this test's table), so the two statements overlap row by row.
    await pg.pool().query(`CREATE FUNCTION "${pg.schema}".slow_insert() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$`);
    await pg
      .pool()
      .query(
        `CREATE TRIGGER slow BEFORE INSERT ON "${pg.schema}"."${table}" FOR EACH ROW EXECUTE FUNCTION "${pg.schema}".slow_insert()`,
      );
    // Two connections ready, and the table locked so that both batches start writing at the same moment.
    await Promise.all([1, 2, 3].map(() => pg.pool().query('SELECT pg_sleep(0.05)')));
    const locker = await pg.pool().connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${pg.schema}"."${table}" IN SHARE MODE`);
      const ids = Array.from({ length: 10 }, (_, i) => `evt_x${i}`);
      // One turn, two batches of 10: the same ids forwards, then backwards.
      const all = Promise.all([...ids, ...[...ids].reverse()].map((id) => store.insertIfAbsent(event(id))));
      // Backends waiting for a lock on this table (pg_stat_activity would truncate the long statement text).
      const waiting = async () =>
        Number(
          (
            await pg
              .pool()
              .query('SELECT count(DISTINCT pid) AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass', [
                `"${pg.schema}"."${table}"`,
              ])
          ).rows[0].n,
        );
      // Polled (nothing signals a lock wait), with a bound that only a broken store reaches, not a slow machine.
      const giveUpAt = Date.now() + 30_000;
      while ((await waiting()) < 2) {
        assert.ok(Date.now() < giveUpAt, 'both batches wait on the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await locker.query('COMMIT');
      const results = await all;
      assert.equal(inserts.length, 2, 'two statements, no fallback to one insert per event after a deadlock');
      assert.equal(results.filter((r) => r.inserted).length, 10);
      for (const id of ids) assert.equal((await store.get(id))?.deliveries, 2);
    } finally {
      locker.release();
    }
  });

  it('refuses a maxBatchSize that is not a whole number of at least 1', () => {
    for (const maxBatchSize of [0, 1.5, -1, 7282]) {
      assert.throws(() => createPostgresStore({ pool: pg.pool(), maxBatchSize }), /maxBatchSize/);
    }
  });
});

// The queue's own logic with stand-in database calls (no PostgreSQL needed): how a failed batch falls back.
describe('postgres group commit fallback', () => {
  const pending = (id: string) => ({ event: event(id), receivedAt: new Date(), now: new Date() });
  const refused = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });

  it('retries a refused batch one by one, and stops calling the database once it is unavailable', async () => {
    const alone: string[] = [];
    const batch = createPostgresGroupCommit({
      maxBatchSize: 512,
      insertMany: async () => {
        throw refused;
      },
      insertOne: async ({ event: e }) => {
        alone.push(e.id);
        if (e.id === 'evt_2') throw new StoreUnavailableError('PostgreSQL store unavailable (08006)');
        return { inserted: true, status: 'pending' };
      },
      mapError: (error) => error,
    });
    const settled = await Promise.allSettled(['evt_1', 'evt_2', 'evt_3', 'evt_4'].map((id) => batch.add(pending(id))));
    assert.deepEqual(alone, ['evt_1', 'evt_2'], 'evt_3 and evt_4 fail at once, without their own attempt');
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? 'stored' : (s.reason as Error).name)),
      ['stored', 'StoreUnavailableError', 'StoreUnavailableError', 'StoreUnavailableError'],
    );
    await batch.idle();
  });

  it('waits in idle() for an insert committed alone', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batch = createPostgresGroupCommit({
      maxBatchSize: 512,
      insertMany: async () => {
        await gate;
        return { rows: [] };
      },
      insertOne: async () => ({ inserted: true, status: 'pending' }),
      mapError: (error) => error,
    });
    const result = batch.commitAlone({ ...pending('evt_gone'), unlessTombstoned: ['inq_gone'] });
    let idle = false;
    const waiting = batch.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(idle, false, 'idle() waits for the statement in flight');
    release();
    await waiting;
    assert.equal(await result, null, 'no row back: the tombstone check skipped it');
  });
});
