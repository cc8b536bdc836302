// Store benchmark: insert, duplicate check and claim cost in an (almost) empty store and in one holding
// 1,000,000 events, on SQLite (durable settings: WAL + synchronous FULL, group commit) and PostgreSQL;
// plus SQLite group commit on/off. Target: the 1M-row rate is >= 0.9x the empty-store rate.
// Run: flock /tmp/bench.lock node --import tsx bench/store.bench.ts [--quick] [--rows=N]
// PostgreSQL: PERSONA_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); set
// PERSONA_BENCH_SKIP_POSTGRES=1 to leave it out. Writes bench/results/store.md.
// The 1M rows are made with one bulk SQL insert in a temp file / schema, deleted at the end.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore } from '../packages/persona-webhooks/src/store/postgres/index.js';
import { createSqliteStore, type SqliteSynchronous } from '../packages/persona-webhooks/src/store/sqlite/index.js';
import type { EventStore, NewEvent } from '../packages/persona-webhooks/src/store/store.js';
import { machineNote } from './machine.js';

const quick = process.argv.includes('--quick');
const rowsArg = process.argv.find((a) => a.startsWith('--rows='));
const BIG_ROWS = rowsArg === undefined ? 1_000_000 : Number(rowsArg.slice('--rows='.length));
const ROUNDS = quick ? 3 : 9;
const ROUND_MS = quick ? 400 : 600;
const CONCURRENCY = 64;
const BODY = JSON.stringify({ data: { type: 'event', attributes: { pad: 'x'.repeat(8 * 1024 - 60) } } });
const root = join(import.meta.dirname, '..');
const started = Date.now();

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
}
const log = (text: string) => process.stderr.write(`${text}\n`);

let counter = 0;
const newEvent = (prefix: string): NewEvent => {
  counter += 1;
  return {
    id: `evt_${prefix}_${process.pid}_${counter}`,
    name: 'inquiry.completed',
    createdAt: new Date(),
    resourceId: `inq_${prefix}_${counter}`,
    body: BODY,
  };
};

/** Operations per second with `concurrency` callers each awaiting one operation after another. */
async function rate(op: () => Promise<unknown>, concurrency: number, ms: number): Promise<number> {
  let count = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        count += 1;
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

interface Candidate {
  readonly label: string;
  /** false: reported, but not part of the >= 0.9x growth target. */
  readonly target?: boolean;
  readonly run: () => Promise<number>;
  /** Runs before each round (not timed). */
  readonly prepare?: () => Promise<void>;
}

interface Result {
  readonly label: string;
  readonly median: number;
  readonly spread: number;
}

/** Interleaved rounds (A1 B1 A2 B2 …) so that machine noise hits the candidates alike; median reported. */
async function measure(candidates: readonly Candidate[]): Promise<Result[]> {
  const samples = candidates.map(() => [] as number[]);
  for (const c of candidates) {
    await c.prepare?.();
    await c.run(); // warm-up
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of candidates.entries()) {
      await c.prepare?.();
      samples[i]?.push(await c.run());
    }
  }
  return candidates.map((c, i) => {
    const sorted = [...(samples[i] ?? [])].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const spread = median === 0 ? 0 : ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0)) / 2 / median;
    return { label: c.label, median, spread };
  });
}

/**
 * The store operations measured for growth, as candidates for one store. `recentId` picks among the last
 * 1,000 events received (what Persona's retries hit: they come within ~51 h); `anyId` among all stored ones.
 */
function growthCandidates(label: string, store: EventStore, recentId: () => string, anyId: () => string): Candidate[] {
  const claimOne = async () => {
    const [event] = await store.claim({ owner: 'bench', leaseMs: 60_000, limit: 1 });
    if (event === undefined) throw new Error('no pending event to claim: the pending supply ran out');
    if (!(await store.complete(event.id, 'bench'))) throw new Error('complete failed');
  };
  const duplicate = async (id: string) => {
    if ((await store.insertIfAbsent({ ...newEvent('d'), id })).inserted) throw new Error('expected a duplicate');
  };
  const topUpPending = async () => {
    const stats = await store.stats();
    const missing = 4000 - stats.byStatus.pending;
    if (missing > 0) await Promise.all(Array.from({ length: missing }, () => store.insertIfAbsent(newEvent('p'))));
  };
  return [
    {
      label: `${label} | insert new (8 KB, ${CONCURRENCY} concurrent)`,
      run: () => rate(() => store.insertIfAbsent(newEvent('n')), CONCURRENCY, ROUND_MS),
    },
    {
      label: `${label} | duplicate of a recent event (${CONCURRENCY} concurrent)`,
      run: () => rate(() => duplicate(recentId()), CONCURRENCY, ROUND_MS),
    },
    {
      label: `${label} | duplicate of any stored event (${CONCURRENCY} concurrent; not a target)`,
      target: false,
      run: () => rate(() => duplicate(anyId()), CONCURRENCY, ROUND_MS),
    },
    {
      label: `${label} | stats() (1 caller; not a target)`,
      target: false,
      run: () => rate(() => store.stats(), 1, ROUND_MS),
    },
    {
      label: `${label} | claim 1 + complete (1 worker)`,
      prepare: topUpPending,
      run: () => rate(claimOne, 1, ROUND_MS),
    },
  ];
}

interface GrowthRow {
  readonly operation: string;
  readonly target: boolean;
  readonly empty: Result;
  readonly big: Result;
  /** Median of the per-round ratios big/empty, each round measuring both back to back. */
  readonly ratio: number;
  /** Lowest and highest per-round ratio. */
  readonly ratioRange: readonly [number, number];
}

function summarize(label: string, samples: readonly number[]): Result {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const spread = median === 0 ? 0 : ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0)) / 2 / median;
  return { label, median, spread };
}

/**
 * Measures each operation on the empty and the big store back to back in every round (alternating which
 * goes first), and reports the median of the per-round ratios: noise from other processes on the shared
 * machine then hits both sides of each ratio alike.
 */
async function growthMeasure(empty: Candidate[], big: Candidate[]): Promise<GrowthRow[]> {
  const rows: GrowthRow[] = [];
  for (let i = 0; i < empty.length; i++) {
    const e = empty[i] as Candidate;
    const b = big[i] as Candidate;
    for (const c of [e, b]) {
      await c.prepare?.();
      await c.run(); // warm-up
    }
    const emptySamples: number[] = [];
    const bigSamples: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [e, b] : [b, e];
      const got = new Map<Candidate, number>();
      for (const c of order) {
        await c.prepare?.();
        got.set(c, await c.run());
      }
      const ev = got.get(e) ?? 0;
      const bv = got.get(b) ?? 0;
      emptySamples.push(ev);
      bigSamples.push(bv);
      ratios.push(bv / ev);
    }
    const sortedRatios = [...ratios].sort((x, y) => x - y);
    rows.push({
      operation: e.label.split(' | ')[1] ?? e.label,
      target: e.target !== false,
      empty: summarize(e.label, emptySamples),
      big: summarize(b.label, bigSamples),
      ratio: sortedRatios[Math.floor(sortedRatios.length / 2)] ?? 0,
      ratioRange: [sortedRatios[0] ?? 0, sortedRatios.at(-1) ?? 0],
    });
  }
  return rows;
}

/** Stores 1,000 fresh events (the "recent" ones duplicates hit) and returns a picker over their ids. */
async function seedRecent(store: EventStore): Promise<() => string> {
  const events = Array.from({ length: 1000 }, () => newEvent('seed'));
  const results = await Promise.all(events.map((e) => store.insertIfAbsent(e)));
  if (!results.every((r) => r.inserted)) throw new Error('seeding failed');
  const ids = events.map((e) => e.id);
  return () => ids[Math.floor(Math.random() * ids.length)] as string;
}
const anyBulkId = () => `evt_bulk_${1 + Math.floor(Math.random() * BIG_ROWS)}`;

// ---------- SQLite ----------
const dir = mkdtempSync(join(tmpdir(), 'persona-store-bench-'));

function openSqlite(file: string, synchronous: SqliteSynchronous = 'full', groupCommit = true) {
  const database = new Database(join(dir, file));
  const store = createSqliteStore({ database, synchronous, groupCommit });
  return { database, store };
}

function bulkSqlite(database: Database.Database, rows: number): void {
  // Finished events spread over the last 90 days, ~3 per inquiry, 256-byte bodies (old payloads are
  // usually pruned; the indexes, not the bodies, are what could slow the operations down).
  const now = Date.now();
  const day = 86_400_000;
  database.exec(`INSERT INTO persona_webhook_events
    (id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at,
     completed_handlers, deliveries, body, updated_at)
    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows})
    SELECT 'evt_bulk_' || x, 'inquiry.completed', ${now - 90 * day} + x * ${Math.floor((90 * day) / rows)},
      ${now - 90 * day} + x * ${Math.floor((90 * day) / rows)} + 500, 'inq_bulk_' || (x / 3), 'succeeded', 1, 1,
      ${now - 90 * day}, '["h"]', 1, hex(randomblob(128)), ${now}
    FROM c`);
}

async function sqliteSection(): Promise<{
  growth: GrowthRow[];
  groupCommit: Result[];
  bulkSeconds: number;
  fileMb: number;
}> {
  log('sqlite: building the big store …');
  const empty = openSqlite('empty.db');
  const big = openSqlite('big.db');
  await empty.store.migrate();
  await big.store.migrate();
  const t0 = performance.now();
  bulkSqlite(big.database, BIG_ROWS);
  big.database.exec('ANALYZE');
  const bulkSeconds = (performance.now() - t0) / 1000;
  const fileMb = statSync(join(dir, 'big.db')).size / 1024 / 1024;
  log(`sqlite: ${BIG_ROWS} rows in ${bulkSeconds.toFixed(1)} s (${fileMb.toFixed(0)} MB)`);
  const emptyRecent = await seedRecent(empty.store);
  const bigRecent = await seedRecent(big.store);
  const growth = await growthMeasure(
    growthCandidates('SQLite empty', empty.store, emptyRecent, emptyRecent),
    growthCandidates('SQLite 1M', big.store, bigRecent, anyBulkId),
  );

  log('sqlite: group commit on/off …');
  const variants = [
    { label: 'FULL, group commit on', ...openSqlite('gc-on.db', 'full', true) },
    { label: 'FULL, group commit off', ...openSqlite('gc-off.db', 'full', false) },
    { label: 'NORMAL, group commit on', ...openSqlite('normal-on.db', 'normal', true) },
    { label: 'NORMAL, group commit off', ...openSqlite('normal-off.db', 'normal', false) },
  ];
  for (const v of variants) await v.store.migrate();
  const groupCommit = await measure(
    variants.flatMap((v) => [
      {
        label: `${v.label} | insert new (8 KB, ${CONCURRENCY} concurrent)`,
        run: () => rate(() => v.store.insertIfAbsent(newEvent('g')), CONCURRENCY, ROUND_MS),
      },
      {
        label: `${v.label} | insert new (8 KB, 1 at a time)`,
        run: () => rate(() => v.store.insertIfAbsent(newEvent('g')), 1, ROUND_MS),
      },
    ]),
  );
  for (const s of [empty, big, ...variants]) {
    await s.store.close();
    s.database.close();
  }
  return { growth, groupCommit, bulkSeconds, fileMb };
}

// ---------- PostgreSQL ----------
async function postgresSection(): Promise<{ growth: GrowthRow[]; bulkSeconds: number; version: string } | null> {
  if (process.env.PERSONA_BENCH_SKIP_POSTGRES === '1') return null;
  const url = process.env.PERSONA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  pool.on('error', () => {});
  const schema = `bench_store_${process.pid}`;
  try {
    const serverVersion = ((await pool.query('SHOW server_version')).rows[0] as { server_version: string })
      .server_version;
    log('postgres: building the big store …');
    const empty = createPostgresStore({ pool, schema, table: 'empty_events' });
    const big = createPostgresStore({ pool, schema, table: 'big_events' });
    await empty.migrate();
    await big.migrate();
    const t0 = performance.now();
    await pool.query(`INSERT INTO "${schema}".big_events
      (id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at,
       completed_handlers, deliveries, body, updated_at)
      SELECT 'evt_bulk_' || g, 'inquiry.completed', now() - interval '90 days' + g * interval '7 ms',
        now() - interval '90 days' + g * interval '7 ms' + interval '500 ms', 'inq_bulk_' || (g / 3), 'succeeded',
        1, 1, now() - interval '90 days', '{h}', 1, md5(g::text) || repeat('x', 224), now()
      FROM generate_series(1, ${BIG_ROWS}) AS g`);
    await pool.query(`VACUUM ANALYZE "${schema}".big_events`);
    const bulkSeconds = (performance.now() - t0) / 1000;
    log(`postgres: ${BIG_ROWS} rows in ${bulkSeconds.toFixed(1)} s`);
    const emptyRecent = await seedRecent(empty);
    const bigRecent = await seedRecent(big);
    const growth = await growthMeasure(
      growthCandidates('PostgreSQL empty', empty, emptyRecent, emptyRecent),
      growthCandidates('PostgreSQL 1M', big, bigRecent, anyBulkId),
    );
    return { growth, bulkSeconds, version: serverVersion };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${Math.round(n * 100)}%`;

try {
  const sqlite = await sqliteSection();
  const postgres = await postgresSection();
  const seconds = Math.round((Date.now() - started) / 1000);
  const sqliteVersion = (() => {
    const db = new Database(':memory:');
    const v = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
    return v;
  })();
  const command = `flock /tmp/bench.lock node --import tsx bench/store.bench.ts${quick ? ' --quick' : ''}${rowsArg === undefined ? '' : ` ${rowsArg}`}`;
  const growthTable = (rows: GrowthRow[], store: string) =>
    rows.map(
      (r) =>
        `| ${store} | ${r.operation} | ${fmt(r.empty.median)} | ${pct(r.empty.spread)} | ${fmt(r.big.median)} | ${pct(r.big.spread)} | ${r.ratio.toFixed(2)}× | ${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)} | ${r.target ? (r.ratio >= 0.9 ? 'yes' : '**no**') : 'not a target'} |`,
    );
  const gcBase = sqlite.groupCommit.find(
    (r) => r.label.startsWith('FULL, group commit off') && r.label.includes('concurrent'),
  );
  const lines = [
    '## Store',
    '',
    `Written by \`${command}\` on ${new Date().toISOString()}, in ${seconds} s.`,
    `${machineNote()} One virtual disk. Growth: in every round the empty and the 1M store run back to back (alternating which goes first) and the ratio is taken per round; the median of those ratios is the figure to read, the per-round range shows how noisy it was.`,
    `Versions: better-sqlite3 ${version('better-sqlite3')} (SQLite ${sqliteVersion}), pg ${version('pg')}${postgres === null ? '' : `, PostgreSQL ${postgres.version} (default config: shared_buffers 128 MB, synchronous_commit on)`}.`,
    `Method: ${ROUNDS} rounds of ${ROUND_MS} ms per candidate after a warm-up round; median ops/s reported, ± is half the spread between the fastest and slowest round. "insert new": ${CONCURRENCY} callers each awaiting one insertIfAbsent of a fresh 8 KB event after another (as concurrent HTTP requests do). "duplicate of a recent event": the same with the id of one of 1,000 events stored just before the run (Persona's retries come within ~51 h, so duplicates hit recent events); "duplicate of any stored event": in the 1M store one of the 1M (90 days old, cold pages), shown as the worst case, not the target. "claim 1 + complete": one worker claiming one event and completing it, with ~4,000 pending events present (topped up between rounds). stats() is not a target either: it counts every stored event by status, so it grows with the store (the server calls it for its queue-depth gauge). The 1M store: ${fmt(BIG_ROWS)} succeeded events over 90 days, ~3 per inquiry, 256-byte bodies, made by one bulk SQL insert (SQLite ${sqlite.bulkSeconds.toFixed(0)} s, file ${sqlite.fileMb.toFixed(0)} MB${postgres === null ? '' : `; PostgreSQL ${postgres.bulkSeconds.toFixed(0)} s incl. VACUUM ANALYZE`}), in a temp file / schema removed afterwards.`,
    'SQLite runs with the durable defaults: WAL, synchronous FULL (an fsync at every commit), group commit on.',
    '',
    '### Growth: 0 vs 1,000,000 stored events (target ≥ 0.9×)',
    '',
    '| store | operation | empty ops/s | ± | 1M ops/s | ± | 1M / empty (median of per-round ratios) | per-round range | ≥ 0.9× |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    ...growthTable(sqlite.growth, 'SQLite'),
    ...(postgres === null ? [] : growthTable(postgres.growth, 'PostgreSQL')),
    '',
    '### SQLite group commit',
    '',
    'Each insert resolves only after the commit that holds it. With group commit, inserts that arrive in the same event-loop turn share one transaction and one fsync.',
    '',
    '| synchronous, group commit | load | inserts/s | ± | vs FULL without group commit (64 concurrent) |',
    '|---|---|---:|---:|---:|',
    ...sqlite.groupCommit.map((r) => {
      const [variant, load] = r.label.split(' | ');
      return `| ${variant} | ${load} | ${fmt(r.median)} | ${pct(r.spread)} | ${gcBase === undefined ? '' : `${(r.median / gcBase.median).toFixed(2)}×`} |`;
    }),
    '',
  ];
  // Hand-written notes below "### Notes" in the previous file survive a re-run.
  const resultsFile = join(root, 'bench/results/store.md');
  let notes = '';
  try {
    const previous = readFileSync(resultsFile, 'utf8');
    const at = previous.indexOf('### Notes');
    if (at >= 0) notes = previous.slice(at);
  } catch {
    // first run
  }
  writeFileSync(resultsFile, `${lines.join('\n')}\n${notes}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
