import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { StoreUnavailableError } from '../../src/errors.js';
import { createPostgresStore, migrationSql } from '../../src/store/postgres/index.js';
import { postgresMigrations, postgresQualifiedNames } from '../../src/store/postgres/migrations.js';
import { postgresForTests } from '../helpers/pg.js';
import { claimInTwoProcesses, claimJobEvents, startStoreChild, startTogether } from './child-process-helper.js';

const MIGRATIONS = postgresMigrations(postgresQualifiedNames()).length;

const db = postgresForTests('store_processes');

describe('PostgreSQL store shared by OS processes', { skip: db.skip }, () => {
  before(() => db.setUp());
  after(() => db.tearDown());

  it('stores each id once when two processes deliver the same events concurrently, both migrating at start-up', async () => {
    const env = {
      STORE: 'postgres',
      URL: db.url,
      SCHEMA: `${db.schema}_race`,
      TABLE: 'events',
      JOB: 'race',
      IDS: '20',
      COPIES: '50',
    };
    const children = [startStoreChild(env), startStoreChild(env)];
    try {
      await startTogether(children);
      const outputs = await Promise.all(children.map((c) => c.waitFor((line) => line.startsWith('{'))));
      assert.deepEqual(await Promise.all(children.map((c) => c.exited)), [0, 0]);
      const inserted = outputs.flatMap((line) => (JSON.parse(line) as { inserted: string[] }).inserted);
      assert.equal(inserted.length, 20, 'exactly one insert per id across both processes');
      assert.equal(new Set(inserted).size, 20);
      const { rows } = await db.pool().query(`SELECT id, deliveries FROM "${db.schema}_race".events`);
      assert.equal(rows.length, 20);
      assert.ok(rows.every((row: { deliveries: number }) => row.deliveries === 100));
      const migrations = await db.pool().query(`SELECT COUNT(*)::int AS n FROM "${db.schema}_race".events_migrations`);
      assert.equal(migrations.rows[0].n, MIGRATIONS);
    } finally {
      await db.pool().query(`DROP SCHEMA IF EXISTS "${db.schema}_race" CASCADE`);
    }
  });

  it('never hands one event to both of two processes claiming with SKIP LOCKED', async () => {
    const store = createPostgresStore({ pool: db.pool(), schema: db.schema, table: 'claims' });
    await store.migrate();
    const events = claimJobEvents(300);
    await Promise.all(events.map((e) => store.insertIfAbsent(e)));
    const [a = [], b = []] = await claimInTwoProcesses({
      STORE: 'postgres',
      URL: db.url,
      SCHEMA: db.schema,
      TABLE: 'claims',
    });
    assert.equal(new Set([...a, ...b]).size, a.length + b.length, 'an event was claimed by both processes');
    assert.deepEqual([...a, ...b].sort(), events.map((e) => e.id).sort());
    assert.ok(a.length > 0 && b.length > 0, 'both processes took part');
  });

  it('answers StoreUnavailableError with a hint when migrate() was never called', async () => {
    const store = createPostgresStore({ pool: db.pool(), schema: db.schema, table: 'never_migrated' });
    await assert.rejects(
      store.insertIfAbsent({ id: 'evt_1', name: 'x', createdAt: new Date(), resourceId: null, body: '{}' }),
      (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /migrate\(\)/);
        return true;
      },
    );
  });

  it('accepts a schema created from the printed migration SQL and finds nothing left to migrate', async () => {
    const sql = migrationSql('postgres', { schema: db.schema, table: 'dry_run' });
    await db.pool().query(sql);
    await db.pool().query(sql);
    const store = createPostgresStore({ pool: db.pool(), schema: db.schema, table: 'dry_run' });
    await store.migrate();
    const { rows } = await db.pool().query(`SELECT COUNT(*)::int AS n FROM "${db.schema}".dry_run_migrations`);
    assert.equal(rows[0].n, MIGRATIONS);
    assert.equal(
      (await store.insertIfAbsent({ id: 'evt_1', name: 'x', createdAt: new Date(), resourceId: null, body: '{}' }))
        .inserted,
      true,
    );
  });
});

describe('PostgreSQL store without a database', () => {
  it('rejects with StoreUnavailableError (503) when the server cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'test',
      connectionTimeoutMillis: 2000,
    });
    pool.on('error', () => {});
    const store = createPostgresStore({ pool });
    try {
      const event = { id: 'evt_down', name: 'inquiry.completed', createdAt: new Date(), resourceId: null, body: '{}' };
      for (const attempt of [
        () => store.insertIfAbsent(event),
        () => store.migrate(),
        () => store.claim({ owner: 'w', leaseMs: 1000, limit: 1 }),
        () => store.stats(),
      ]) {
        await assert.rejects(attempt(), (error: unknown) => {
          assert.ok(error instanceof StoreUnavailableError);
          assert.equal(error.status, 503);
          assert.ok(!error.message.includes('{}'), 'no payload in the message');
          return true;
        });
      }
    } finally {
      await pool.end();
    }
  });

  it('rejects a schema name that is not a plain identifier', () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1 });
    assert.throws(() => createPostgresStore({ pool, schema: 'a"; DROP SCHEMA public; --' }), /plain identifier/);
    void pool.end();
  });
});
