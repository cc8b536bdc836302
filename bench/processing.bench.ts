import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { scanEnvelope } from '../packages/persona-webhooks/src/events/envelope-scan.js';
import { parseEvent } from '../packages/persona-webhooks/src/events/parse.js';
import { createHandlers } from '../packages/persona-webhooks/src/processing/handlers.js';
import { createWebhookReceiver } from '../packages/persona-webhooks/src/processing/receive.js';
import { createWorker } from '../packages/persona-webhooks/src/processing/worker.js';
import { createMemoryStore } from '../packages/persona-webhooks/src/store/memory/index.js';
import { createPostgresStore } from '../packages/persona-webhooks/src/store/postgres/index.js';
import { createSqliteStore } from '../packages/persona-webhooks/src/store/sqlite/index.js';
import type { EventStore } from '../packages/persona-webhooks/src/store/store.js';
import { createSampleEvent } from '../packages/persona-webhooks/src/testing/index.js';
import { signPayload, verifySignature } from '../packages/persona-webhooks/src/webhook-signature.js';
import { machineNote } from './machine.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const IN_FLIGHT = 64;
const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
const root = join(import.meta.dirname, '..');
const started = Date.now();
const pgUrl = process.env.PERSONA_TEST_DATABASE_URL;

interface Delivery {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

// One realistic 8 KB envelope; each delivery gets a unique id of the same length and its own signature.
const template = JSON.stringify(createSampleEvent('inquiry.approved', { payloadSize: 8192, seed: 'processing-bench' }));
const parsedTemplate = JSON.parse(template) as {
  data: { id: string; attributes: { payload: { data: { id: string } } } };
};
const templateId = parsedTemplate.data.id;
const templateResource = parsedTemplate.data.attributes.payload.data.id;
let serial = 0;
async function makeDeliveries(count: number): Promise<Delivery[]> {
  const out: Delivery[] = [];
  const t = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const id = `evt_${(serial++).toString(36).padStart(templateId.length - 4, '0')}`;
    // Distinct inquiries too, so per-resource order never serialises the drain.
    const resource = `inq_${serial.toString(36).padStart(templateResource.length - 4, '0')}`;
    const text = template.replace(templateId, id).replaceAll(templateResource, resource);
    const body = Buffer.from(text);
    out.push({ body, headers: { 'persona-signature': await signPayload({ body, secret: SECRET, timestamp: t }) } });
  }
  return out;
}

/** Runs `fn` over every item with `IN_FLIGHT` calls outstanding; returns ops/s and per-call latencies. */
async function drive<T>(
  items: readonly T[],
  fn: (item: T) => Promise<unknown>,
): Promise<{ opsPerSec: number; latencies: number[] }> {
  const latencies: number[] = new Array(items.length);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        const s = performance.now();
        await fn(items[i] as T);
        latencies[i] = performance.now() - s;
      }
    }),
  );
  return { opsPerSec: items.length / ((performance.now() - t0) / 1000), latencies };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface Row {
  group: string;
  name: string;
  rounds: number[];
  p50?: number;
  p99?: number;
  note?: string;
}
const rows: Row[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function expect200(result: { status: number; outcome: string }, outcome: string): void {
  if (result.status !== 200 || result.outcome !== outcome)
    throw new Error(`unexpected ${result.status} ${result.outcome}`);
}

// ── stores ──
const dir = mkdtempSync(join(tmpdir(), 'persona-processing-bench-'));
const closers: (() => Promise<void>)[] = [];
async function sqliteStore(label: string, groupCommit = true): Promise<EventStore> {
  const database = new Database(join(dir, `${label}-${serial}.db`));
  const store = createSqliteStore({ database, synchronous: 'full', groupCommit });
  await store.migrate();
  closers.push(async () => {
    await store.close();
    database.close();
  });
  return store;
}
let pool: pg.Pool | undefined;
const schema = `bench_processing_${process.pid}`;
if (pgUrl !== undefined && pgUrl !== '') {
  pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
}
async function postgresStore(label: string): Promise<EventStore | undefined> {
  if (pool === undefined) return undefined;
  const store = createPostgresStore({ pool, schema, table: `${label}_${serial}` });
  await store.migrate();
  return store;
}

// ── ack path ──
const counts = quick
  ? { cpu: 4000, memory: 4000, sqlite: 3000, postgres: 2000 }
  : { cpu: 10000, memory: 10000, sqlite: 6000, postgres: 4000 };
const storeKinds: { name: string; count: number; make: () => Promise<EventStore | undefined> }[] = [
  { name: 'memory', count: counts.memory, make: async () => createMemoryStore() },
  { name: 'SQLite (synchronous FULL, group commit)', count: counts.sqlite, make: () => sqliteStore('durable') },
  { name: 'SQLite (synchronous FULL, no group commit)', count: counts.sqlite, make: () => sqliteStore('nogc', false) },
  { name: 'PostgreSQL (pool of 10)', count: counts.postgres, make: () => postgresStore('ack') },
];

const decoder = new TextDecoder();
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved: round 1 of everything, then round 2 …, so the machine's noise hits all rows alike.
  const cpu = await makeDeliveries(counts.cpu);
  const add = (group: string, name: string, r: { opsPerSec: number; latencies: number[] }, latency = false) => {
    let row = rows.find((x) => x.group === group && x.name === name);
    if (row === undefined) {
      row = { group, name, rounds: [] };
      rows.push(row);
    }
    row.rounds.push(r.opsPerSec);
    if (latency) {
      row.p50 = percentile(r.latencies, 50);
      row.p99 = percentile(r.latencies, 99);
    }
  };
  add(
    'ack',
    'verify-only: verifySignature (the limit)',
    await drive(cpu, (d) => verifySignature({ body: d.body, header: d.headers['persona-signature'], secret: SECRET })),
  );
  add(
    'ack',
    'verify + decode + JSON.parse (parseEvent)',
    await drive(cpu, async (d) => {
      await verifySignature({ body: d.body, header: d.headers['persona-signature'], secret: SECRET });
      parseEvent(decoder.decode(d.body));
    }),
  );
  add(
    'ack',
    'verify + decode + scanEnvelope (what receive() does)',
    await drive(cpu, async (d) => {
      await verifySignature({ body: d.body, header: d.headers['persona-signature'], secret: SECRET });
      if (scanEnvelope(decoder.decode(d.body)) === undefined) throw new Error('scan fell back');
    }),
  );
  for (const kind of storeKinds) {
    const store = await kind.make();
    if (store === undefined) continue;
    const receiver = createWebhookReceiver({ secret: SECRET, store });
    const deliveries = await makeDeliveries(kind.count);
    add(
      'ack',
      `receive() → ${kind.name}, new events`,
      await drive(deliveries, async (d) => expect200(await receiver.receive(d), 'accepted')),
      true,
    );
    add(
      'dup',
      `receive() → ${kind.name}, duplicates`,
      await drive(deliveries, async (d) => expect200(await receiver.receive(d), 'duplicate')),
      true,
    );
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

// ── idle ack latency: one delivery at a time, what a single Persona delivery waits for ──
const idleCount = quick ? 300 : 1000;
for (const kind of storeKinds.filter((k) => !k.name.includes('no group commit'))) {
  const store = await kind.make();
  if (store === undefined) continue;
  const receiver = createWebhookReceiver({ secret: SECRET, store });
  const deliveries = await makeDeliveries(idleCount);
  const latencies: number[] = [];
  const t0 = performance.now();
  for (const d of deliveries) {
    const s = performance.now();
    expect200(await receiver.receive(d), 'accepted');
    latencies.push(performance.now() - s);
  }
  rows.push({
    group: 'idle',
    name: `receive() → ${kind.name}, one at a time`,
    rounds: [idleCount / ((performance.now() - t0) / 1000)],
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  });
}

// ── worker drain ──
const drainCount = quick ? 1000 : 2000;
const drainKinds: { name: string; make: () => Promise<EventStore | undefined> }[] = [
  { name: 'SQLite (synchronous FULL)', make: () => sqliteStore('drain') },
  { name: 'PostgreSQL (pool of 10)', make: () => postgresStore('drain') },
];
const drainRounds = Math.min(ROUNDS, 3);
for (let round = 0; round < drainRounds; round++) {
  for (const kind of drainKinds) {
    for (const concurrency of [1, 8]) {
      const store = await kind.make();
      if (store === undefined) continue;
      const receiver = createWebhookReceiver({ secret: SECRET, store });
      // Distinct resources, so per-resource order never holds an event back.
      const deliveries = await makeDeliveries(drainCount);
      await drive(deliveries, (d) => receiver.receive(d));
      const worker = createWorker({
        store,
        handlers: createHandlers().onAny(() => {}),
        concurrency,
        pollIntervalMs: 5,
      });
      const t0 = performance.now();
      const ran = await worker.drain();
      const opsPerSec = ran / ((performance.now() - t0) / 1000);
      if (ran !== drainCount) throw new Error(`drained ${ran} of ${drainCount}`);
      const name = `worker drain, no-op handler, concurrency ${concurrency} → ${kind.name}`;
      let row = rows.find((x) => x.name === name);
      if (row === undefined) {
        row = { group: 'drain', name, rounds: [] };
        rows.push(row);
      }
      row.rounds.push(opsPerSec);
    }
  }
}

for (const close of closers) await close();
if (pool !== undefined) {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
rmSync(dir, { recursive: true, force: true });

// ── report ──
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const limit = median(rows.find((r) => r.name.startsWith('verify-only'))?.rounds ?? [1]);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const spread = (xs: number[]) => `${Math.round(((Math.max(...xs) - Math.min(...xs)) / 2 / median(xs)) * 100)}%`;
const table = (group: string, withLimit: boolean) =>
  [
    `| what | ops/s | ± | ${withLimit ? 'vs verify-only | ' : ''}p50 ms | p99 ms |`,
    `|---|---:|---:|${withLimit ? '---:|' : ''}---:|---:|`,
    ...rows
      .filter((r) => r.group === group || (group === 'dup' && r.group === 'none'))
      .map((r) => {
        const m = median(r.rounds);
        const ratio = withLimit ? ` ${(m / limit).toFixed(2)}× |` : '';
        const lat = r.p50 === undefined ? ' | |' : ` ${r.p50.toFixed(2)} | ${(r.p99 ?? 0).toFixed(2)} |`;
        return `| ${r.name} | ${fmt(m)} | ${spread(r.rounds)} |${ratio}${lat}`;
      }),
  ].join('\n');
const seconds = Math.round((Date.now() - started) / 1000);
const md = `## Processing (ack path and worker drain)

Written by \`flock /tmp/bench.lock node --import tsx bench/processing.bench.ts${quick ? ' --quick' : ''}\`${pgUrl ? ' with PERSONA_TEST_DATABASE_URL set' : ' (no PostgreSQL: PERSONA_TEST_DATABASE_URL unset)'} on ${new Date().toISOString()}, in ${seconds} s.
${machineNote()}
Versions: better-sqlite3 ${version('better-sqlite3')}, pg ${version('pg')}, PostgreSQL ${pool === undefined ? 'not used' : 'on 127.0.0.1:5432'}. Rows run interleaved (round 1 of each, then round 2 …) so that noise hits them alike; the ratios are the meaningful part.
Method: ${ROUNDS} rounds, median reported, ± is half the spread between rounds. Ack path without HTTP: \`receive({ body: Buffer, headers })\` with ${IN_FLIGHT} calls in flight, 8 KB \`inquiry.approved\` envelopes from the testing kit (\`createSampleEvent(…, { payloadSize: 8192 })\`), each with a unique id and its own signature; new events then the same deliveries again (duplicates). p50/p99 are per-call latencies of the last round, under that load (64 in flight), not an idle ack. Worker drain: ${drainCount} events stored first, then \`worker.drain()\` with a no-op handler (claim a batch of \`concurrency\` → run → complete each → claim again), distinct resource ids, ${drainRounds} rounds.

### Ack path (new events)

${table('ack', true)}

### Duplicate deliveries

${table('dup', true)}

### Ack latency, one delivery at a time (no concurrency; ${idleCount} new events, one run)

${table('idle', false)}

### Worker drain

${table('drain', false)}
`;
// The analysis is written by hand and kept with the numbers it explains.
const notesFile = join(root, 'bench/processing-notes.md');
const notes = existsSync(notesFile) ? `\n${readFileSync(notesFile, 'utf8').trim()}\n` : '';
writeFileSync(join(root, 'bench/results/processing.md'), md + notes);
process.stdout.write(md + notes);
