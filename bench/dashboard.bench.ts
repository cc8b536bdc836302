// Dashboard server time at 1,000,000 stored events, on SQLite and PostgreSQL: the time the fetch handler
// takes to build a page (store queries + HTML), without the network. Target: under 100 ms each.
// Run: flock /tmp/bench.lock node --import tsx bench/dashboard.bench.ts [--rows=N] [--runs=N] [--only=sqlite|postgres]
// Writes bench/results/dashboard.md. Seeds with bulk SQL in chunks (seconds, not minutes), in a temp SQLite
// file and a dedicated PostgreSQL schema, both removed at the end, also on failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { EVENT_NAMES } from '../packages/persona-webhooks/src/events/names.js';
import { createPostgresStore } from '../packages/persona-webhooks/src/store/postgres/index.js';
import { createSqliteStore } from '../packages/persona-webhooks/src/store/sqlite/index.js';
import type { EventStore } from '../packages/persona-webhooks/src/store/store.js';
import { createSampleEvent } from '../packages/persona-webhooks/src/testing/index.js';
import { createDashboard } from '../packages/server/src/dashboard/index.js';
import { machineNote } from './machine.js';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROWS = Number(arg('rows', '1000000'));
const RUNS = Number(arg('runs', '30'));
const ONLY = arg('only', '');
const CHUNK = 100_000;
const DAY = 86_400_000;
const TOKEN = 'pwd_bench_token_0123456789abcdef';
const url = process.env.PERSONA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const names = EVENT_NAMES as readonly string[];
const now = Date.now();
// Spread over 30 days; 1 in 50 dead, 1 in 200 retrying, 1 in 400 pending, the rest succeeded. A short body:
// the list and filter queries read indexes and at most a page of rows, so the body size does not change them.
// The status follows n / 250 while the name follows n % 250, so every name has its share of each status.
const STATUS_SQL = (n: string) =>
  `CASE WHEN (${n} / 250) % 50 = 7 THEN 'dead' WHEN (${n} / 250) % 200 = 3 THEN 'retrying' WHEN (${n} / 250) % 400 = 1 THEN 'pending' ELSE 'succeeded' END`;
const BODY =
  '{"data":{"type":"event","attributes":{"payload":{"data":{"type":"inquiry","attributes":{"status":"approved"}}}}}}';

const target = createSampleEvent('inquiry.approved', { seed: 'bench' });
const targetBody = JSON.stringify(target);

interface Row {
  readonly page: string;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function measure(store: EventStore, label: string): Promise<Row[]> {
  const handler = createDashboard({ store, auth: { token: TOKEN }, actions: true, onAudit: () => {} });
  const origin = 'http://bench.local';
  const login = await handler(
    new Request(`${origin}/login`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
    }),
  );
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const first = await store.list({}, { limit: 50 });
  const resource = target.data.attributes.payload.data.id;
  const pages: [string, string][] = [
    ['events list (newest 50)', '/events'],
    ['events list, page 2 (cursor)', `/events?cursor=${encodeURIComponent(first.nextCursor ?? '')}`],
    ['filtered: name', '/events?name=inquiry.approved'],
    ['filtered: status dead', '/events?status=dead'],
    ['filtered: name + status dead', '/events?name=inquiry.failed&status=dead'],
    ['filtered: name + last 24 h', `/events?name=case.created&from=${new Date(now - DAY).toISOString().slice(0, 16)}`],
    ['filtered: object id', `/events?object=${resource}`],
    ['filtered: rare name, no match', '/events?name=no.such-event'],
    ['event page', `/events/${target.data.id}`],
    ['dead letters (list + count)', '/dead-letters'],
    ['overview (stats, last hour, dead)', '/'],
  ];
  const once = async (path: string) => {
    const started = performance.now();
    const response = await handler(new Request(`${origin}${path}`, { headers: { cookie } }));
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
    return performance.now() - started;
  };
  // Warm every page first: the first page measured must not pay for compiling the shared rendering code.
  for (let i = 0; i < 3; i++) for (const [, path] of pages) await once(path);
  const rows: Row[] = [];
  for (const [page, path] of pages) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once(path));
    times.sort((a, b) => a - b);
    const row = { page, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times.at(-1) ?? Number.NaN };
    console.log(JSON.stringify({ store: label, ...row }));
    rows.push(row);
  }
  return rows;
}

async function insertTarget(store: EventStore): Promise<void> {
  await store.insertIfAbsent({
    id: target.data.id,
    name: 'inquiry.approved',
    createdAt: new Date(now - 3 * DAY),
    resourceId: target.data.attributes.payload.data.id,
    body: targetBody,
    receivedAt: new Date(now - 3 * DAY),
  });
}

async function sqlite(): Promise<{ rows: Row[]; seedSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  try {
    const db = new Database(join(dir, 'events.db'));
    const store = createSqliteStore({ database: db, synchronous: 'normal' });
    await store.migrate();
    const started = performance.now();
    const t = 'persona_webhook_events';
    const insert = db.prepare(`WITH RECURSIVE c(n) AS (SELECT @from UNION ALL SELECT n + 1 FROM c WHERE n + 1 < @to)
INSERT INTO ${t} (id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at,
  last_error, completed_handlers, body, updated_at)
SELECT printf('evt_bench_%09d', n), (SELECT value FROM json_each(@names) WHERE key = n % 250),
  @now - (n * @step), @now - (n * @step) + 40, printf('inq_bench_%07d', n / 4), ${STATUS_SQL('n')},
  1, 1, @now - (n * @step), CASE WHEN (n / 250) % 50 = 7 THEN 'crm-sync: Error: 503' END, '[]', @body,
  @now - (n * @step) + 900
FROM c`);
    const step = Math.floor((30 * DAY) / ROWS);
    for (let from = 0; from < ROWS; from += CHUNK) {
      db.transaction(() =>
        insert.run({ from, to: Math.min(ROWS, from + CHUNK), names: JSON.stringify(names), now, step, body: BODY }),
      )();
    }
    db.exec('ANALYZE');
    const seedSeconds = (performance.now() - started) / 1000;
    await insertTarget(store);
    console.log(JSON.stringify({ store: 'sqlite', seeded: ROWS, seconds: seedSeconds }));
    const rows = await measure(store, 'sqlite');
    await store.close();
    db.close();
    return { rows, seedSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<{ rows: Row[]; seedSeconds: number }> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const schema = `bench_dashboard_${process.pid}`;
  try {
    await pool.query(`CREATE SCHEMA ${schema}`);
    const store = createPostgresStore({ pool, schema });
    await store.migrate();
    const started = performance.now();
    const t = `"${schema}"."persona_webhook_events"`;
    const step = Math.floor((30 * DAY) / ROWS);
    for (let from = 0; from < ROWS; from += CHUNK) {
      await pool.query(
        `INSERT INTO ${t} (id, name, created_at, received_at, resource_id, status, attempts, finished_attempts,
  run_at, last_error, completed_handlers, body, updated_at)
SELECT 'evt_bench_' || lpad(n::text, 9, '0'), ($3::text[])[n % 250 + 1],
  to_timestamp(($1::bigint - n * $4::bigint) / 1000.0), to_timestamp(($1::bigint - n * $4::bigint + 40) / 1000.0),
  'inq_bench_' || lpad((n / 4)::text, 7, '0'), ${STATUS_SQL('n')}, 1, 1,
  to_timestamp(($1::bigint - n * $4::bigint) / 1000.0), CASE WHEN (n / 250) % 50 = 7 THEN 'crm-sync: Error: 503' END,
  '{}', $5, to_timestamp(($1::bigint - n * $4::bigint + 900) / 1000.0)
FROM generate_series($2::bigint, $6::bigint - 1) n`,
        [now, from, names, step, BODY, Math.min(ROWS, from + CHUNK)],
      );
    }
    await pool.query(`VACUUM ANALYZE ${t}`);
    const seedSeconds = (performance.now() - started) / 1000;
    await insertTarget(store);
    console.log(JSON.stringify({ store: 'postgres', seeded: ROWS, seconds: seedSeconds }));
    const rows = await measure(store, 'postgres');
    await store.close();
    return { rows, seedSeconds };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

const results: Record<string, { rows: Row[]; seedSeconds: number }> = {};
if (ONLY !== 'postgres') results.SQLite = await sqlite();
if (ONLY !== 'sqlite') results.PostgreSQL = await postgres();

const ms = (n: number) => n.toFixed(1);
const lines = [
  '## Dashboard: server time at 1,000,000 events (issue #12)',
  '',
  `Generated by \`flock /tmp/bench.lock node --import tsx bench/dashboard.bench.ts\` on ${new Date().toISOString().slice(0, 10)}.`,
  `${ROWS.toLocaleString('en-US')} events seeded by bulk SQL over 30 days (250 names, 2% dead, 0.5% retrying, 0.25% pending),`,
  `then the dashboard's fetch handler timed in-process from Request to the whole HTML text: ${RUNS} runs per page after`,
  '3 warm-up rounds over all pages. Target: under 100 ms per page. SQLite with `synchronous = NORMAL`; PostgreSQL on the same host.',
  `${machineNote()} Treat these as upper bounds.`,
  '',
];
for (const [store, { rows, seedSeconds }] of Object.entries(results)) {
  lines.push(
    `### ${store} (seeded in ${seedSeconds.toFixed(0)} s)`,
    '',
    '| page | p50 ms | p95 ms | max ms | < 100 ms |',
  );
  lines.push('| --- | --- | --- | --- | --- |');
  for (const r of rows)
    lines.push(`| ${r.page} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${r.p95 < 100 ? 'yes' : '**no**'} |`);
  lines.push('');
}
if (ONLY === '') writeFileSync(join(import.meta.dirname, 'results', 'dashboard.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
