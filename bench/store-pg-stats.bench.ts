// PostgreSQL stats() and concurrent-insert rates at 1,000,000 rows (issue: stats() on every /metrics scrape).
// Run: flock /tmp/bench.lock node --import tsx bench/store-pg-stats.bench.ts [--rows=N] [--seconds=S]
// PostgreSQL: PERSONA_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). Uses its own
// schema, dropped at the end. Prints one JSON line per measurement; results are written by hand to
// bench/results/store-pg-stats.md.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresStore } from '../packages/persona-webhooks/src/store/postgres/index.js';
import {
  COUNT_SLOTS,
  postgresMigrations,
  postgresQualifiedNames,
} from '../packages/persona-webhooks/src/store/postgres/migrations.js';
import type { EventStore } from '../packages/persona-webhooks/src/store/store.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
};
const ROWS = arg('rows', 1_000_000);
const SECONDS = arg('seconds', 4);
const url = process.env.PERSONA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_pg_stats_${process.pid}`;
const pool = new pg.Pool({ connectionString: url, max: 64 });

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function insertRate(store: EventStore, concurrency: number, prefix: string): Promise<number> {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < until; i++) {
        await store.insertIfAbsent({
          id: `evt_${prefix}_${w}_${i}`,
          name: 'inquiry.completed',
          createdAt: new Date(),
          resourceId: `inq_${w}_${i % 50}`,
          body: '{"data":{"type":"event"}}',
        });
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

try {
  await pool.query(`CREATE SCHEMA ${schema}`);
  const store = createPostgresStore({ pool, schema });
  await store.migrate();
  if (process.argv.includes('--single-slot')) {
    // Comparison only: every statement adds to slot 0, i.e. one counter row per status.
    const v2 = postgresMigrations(postgresQualifiedNames({ schema })).find((m) => m.version === 2);
    if (v2 === undefined) throw new Error('no migration 2');
    await pool.query(v2.sql.replace(`pg_backend_pid() % ${COUNT_SLOTS}`, '0'));
    console.log(JSON.stringify({ variant: 'single counter row per status' }));
  }
  if (process.argv.includes('--no-triggers')) {
    // Comparison only: inserts as before migration 2 (stats() then reads stale counts; its time is still valid).
    for (const op of ['insert', 'update', 'delete', 'truncate']) {
      await pool.query(`DROP TRIGGER persona_webhook_events_count_${op} ON ${schema}.persona_webhook_events`);
    }
    console.log(JSON.stringify({ variant: 'no counting triggers (inserts as before migration 2)' }));
  }
  let t0 = performance.now();
  await pool.query(
    `INSERT INTO ${schema}.persona_webhook_events (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at)
     SELECT 'evt_fill_' || g, 'inquiry.completed', now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval,
       'inq_' || (g % 100000), (ARRAY['succeeded','succeeded','succeeded','succeeded','succeeded','succeeded','succeeded','dead','pending','retrying'])[1 + g % 10],
       now(), '{"data":{"type":"event","attributes":{"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}', now()
     FROM generate_series(1, $1::integer) g`,
    [ROWS],
  );
  await pool.query(`VACUUM ANALYZE ${schema}.persona_webhook_events`);
  console.log(JSON.stringify({ fillRows: ROWS, fillMs: Math.round(performance.now() - t0) }));
  console.log(JSON.stringify({ statsAtFill: await store.stats() }));
  const statsMs: number[] = [];
  for (let i = 0; i < 21; i++) {
    t0 = performance.now();
    await store.stats();
    statsMs.push(performance.now() - t0);
  }
  console.log(
    JSON.stringify({
      rows: ROWS,
      statsMedianMs: +median(statsMs).toFixed(2),
      statsMaxMs: +Math.max(...statsMs).toFixed(2),
    }),
  );
  const oldStatsMs: number[] = [];
  for (let i = 0; i < 11; i++) {
    t0 = performance.now();
    // stats() before migration 2: a full count by status and a min() over two statuses.
    await pool.query(`SELECT status, COUNT(*)::integer AS n FROM ${schema}.persona_webhook_events GROUP BY status`);
    await pool.query(
      `SELECT MIN(received_at) AS at FROM ${schema}.persona_webhook_events WHERE status IN ('pending', 'retrying')`,
    );
    oldStatsMs.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ rows: ROWS, oldStatsMedianMs: +median(oldStatsMs).toFixed(2) }));
  for (const concurrency of [1, 16, 64]) {
    const rates: number[] = [];
    for (let round = 0; round < 3; round++)
      rates.push(await insertRate(store, concurrency, `c${concurrency}r${round}`));
    console.log(
      JSON.stringify({
        rows: ROWS,
        concurrency,
        insertsPerSecond: Math.round(median(rates)),
        rounds: rates.map(Math.round),
      }),
    );
  }
  const after = await store.stats();
  const exact = await pool.query(
    `SELECT status, count(*)::integer AS n FROM ${schema}.persona_webhook_events GROUP BY status`,
  );
  console.log(JSON.stringify({ statsAfter: after.byStatus, total: after.total, exact: exact.rows }));
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
}
