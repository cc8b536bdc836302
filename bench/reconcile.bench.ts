// reconcile against the Persona simulator: events recovered per minute with 100-event pages, against the limit
// the rate allows (300 requests × 100 events per minute × the share reconcile may use), without a single 429.
// Run: flock /tmp/bench.lock node --import tsx bench/reconcile.bench.ts [--scale=1] [--shares=1,0.5]
// (after `npm run build`). Writes bench/results/reconcile.md; then `node scripts/assemble-bench-results.mjs`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createPersonaClient, reconcile } from '../packages/persona-webhooks/src/api/index.js';
import { createSqliteStore } from '../packages/persona-webhooks/src/store/sqlite/index.js';
import { createPersonaSimulator } from '../packages/persona-webhooks/src/testing/index.js';
import { machineNote } from './machine.js';

const arg = (name: string, fallback: string): string => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
// 1: Persona's real 60 s window. Below 1 the minute is shorter and the rate per real second higher: it shows
// the headroom of the HTTP + SQLite path above Persona's limit.
const SCALE = Number(arg('scale', '1'));
const SHARES = arg('shares', '1,0.5').split(',').map(Number);
const LIMIT = 300;
const PAGE = 100;
const started = new Date();
const t0 = performance.now();

interface Row {
  share: number;
  events: number;
  seconds: number;
  perMinute: number;
  limitPerMinute: number;
  ratio: number;
  requests: number;
  rateLimited: number;
  maxInWindow: number;
  budget: number;
}
const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'pw-bench-reconcile-'));
try {
  for (const share of SHARES) {
    // One window's worth of events at this share: the run should take one (scaled) minute.
    const events = Math.round(LIMIT * PAGE * share);
    const sim = await createPersonaSimulator({ timeScale: SCALE, seed: `bench-${share}` });
    sim.generateEvents(events, {
      spanMs: 24 * 3600_000,
      names: ['inquiry.approved', 'report/watchlist.ready', 'account.created', 'inquiry.declined'],
    });
    const database = new Database(join(dir, `bench-${share}.db`));
    const store = createSqliteStore({ database });
    await store.migrate();
    const client = createPersonaClient({
      apiKey: sim.apiKey,
      baseUrl: sim.apiUrl,
      timeScale: SCALE,
      rateLimitShare: share,
    });
    // Start on a fresh window, as a scheduled run would most of the time.
    const begin = performance.now();
    const { run } = await reconcile({ client, store, since: new Date(Date.now() - 2 * 86_400_000), pageSize: PAGE });
    const seconds = (performance.now() - begin) / 1000;
    const stats = sim.stats();
    const minute = 60 * SCALE;
    const perMinute = (run.inserted / seconds) * minute;
    const limitPerMinute = LIMIT * PAGE * share;
    const row: Row = {
      share,
      events: run.inserted,
      seconds,
      perMinute,
      limitPerMinute,
      ratio: perMinute / limitPerMinute,
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      maxInWindow: stats.maxRequestsInWindow,
      budget: Math.floor(LIMIT * share),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    await store.close();
    database.close();
    await sim.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const md = [
  '## Reconcile: events recovered per minute against the rate limit',
  '',
  `Written by \`flock /tmp/bench.lock node --import tsx bench/reconcile.bench.ts --scale=${SCALE} --shares=${SHARES.join(',')}\` on ${started.toISOString()}, in ${Math.round((performance.now() - t0) / 1000)} s.`,
  machineNote(),
  '',
  `Method: the Persona simulator (a real HTTP server, rate limit ${LIMIT} requests per ${SCALE === 1 ? '60 s' : `${60 * SCALE} s (a minute scaled by ${SCALE})`} window, counted per window) holds`,
  `one minute's worth of events at each share (${LIMIT} × ${PAGE} × share). \`reconcile()\` walks them newest first with ${PAGE}-event pages into a`,
  'SQLite file (synchronous FULL, the service default) through the API client at that share of the limit. The limit the rate allows',
  `is ${LIMIT} requests × ${PAGE} events per minute × share. A "minute" is ${SCALE === 1 ? 'a real minute' : `${60 * SCALE} s of real time`}.`,
  '',
  '| share of the limit | events | time (s) | recovered per minute | limit per minute | ratio | requests | 429s | most requests in a window (budget) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.share} | ${fmt(r.events)} | ${r.seconds.toFixed(1)} | ${fmt(r.perMinute)} | ${fmt(r.limitPerMinute)} | ${r.ratio.toFixed(2)}× | ${r.requests} | ${r.rateLimited} | ${r.maxInWindow} (${r.budget}) |`,
  ),
  '',
  'Reading: the client spaces requests evenly over the window (one every 60 s / budget), so a run can at best reach the',
  'limit; a page that takes longer than its slot to fetch, parse and commit (one SQLite transaction and fsync per page,',
  'plus the run record) pushes the next one back, which is where the gap to 1.0× comes from on a loaded machine.',
  'Zero 429s: the simulator never counted more requests in a window than the budget.',
  'Rerun: `npm run build && flock /tmp/bench.lock node --import tsx bench/reconcile.bench.ts` (two real minutes), or',
  "`--scale=0.1` to see the headroom above Persona's rate (a 6 s window: 10× the request rate per real second).",
].join('\n');
writeFileSync(join(import.meta.dirname, 'results/reconcile.md'), `${md}\n`);
console.log('wrote bench/results/reconcile.md');
