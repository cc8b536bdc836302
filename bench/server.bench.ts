// End-to-end server benchmark over HTTP on 127.0.0.1 with autocannon, 8 KB events, in one run:
//   bare    node:http that reads the body and answers 200
//   verify  the same plus Persona signature verification (the limit for a durable receiver)
//   serve   `persona-webhooks serve` on SQLite with durable settings (WAL, synchronous=FULL, group commit),
//           store-only (no handlers: the ack path is what is measured)
// Then serve at half its peak rate for the p99 ack latency, and optionally (--soak[=SECONDS], default 300)
// serve at half its peak rate for a long run, sampling its resident memory.
// Every request carries a valid signature over a body with a DISTINCT event id, signed by the load
// generator per request (the same client work for all three servers), so every serve request is a new insert.
// Run: npm run build && flock /tmp/bench.lock node --import tsx bench/server.bench.ts [--quick] [--soak[=300]]
// Writes bench/results/server.md.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createSampleEvent } from 'persona-webhooks/testing';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const soakArg = argv.find((a) => a.startsWith('--soak'));
const SOAK_S = soakArg === undefined ? 0 : Number(soakArg.split('=')[1] ?? 300);
const DURATION_S = quick ? 3 : 10;
const WARMUP_S = quick ? 1 : 3;
const CONNECTIONS = 32;
const SECRET = 'wbhsec_server-bench-secret';
const root = join(import.meta.dirname, '..');
const tmp = join(root, 'bench/.tmp/server');
const startedAt = Date.now();

const template = JSON.stringify(createSampleEvent('inquiry.approved', { payloadSize: 8192, seed: 'server-bench' }));
const templateId = (JSON.parse(template) as { data: { id: string } }).data.id;
const head = template.slice(0, template.indexOf(templateId));
const tail = template.slice(template.indexOf(templateId) + templateId.length);
let sequence = 0;

function signedRequest(): { body: string; headers: Record<string, string> } {
  const id = `evt_${String(++sequence).padStart(templateId.length - 4, '0')}`;
  const body = head + id + tail;
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'persona-signature': `t=${t},v1=${v1}` } };
}

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly origin: string;
}

async function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function startPlain(name: 'bare' | 'verify'): Promise<Server> {
  const child = spawn(process.execPath, [join(import.meta.dirname, `server/${name}-server.mjs`)], {
    cwd: root,
    env: { ...process.env, BENCH_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await waitForLine(child, /PORT (\d+)/, name).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const origin = `http://127.0.0.1:${port}`;
  return { name, child, url: `${origin}/webhooks/persona`, origin };
}

async function startServe(thread = false): Promise<Server> {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const child = spawn(
    process.execPath,
    [join(root, 'packages/server/dist/cli.js'), 'serve', '--port', '0', '--log-level', 'info'],
    {
      cwd: tmp,
      env: {
        ...process.env,
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: `sqlite:${join(tmp, 'events.db')}`,
        PERSONA_SQLITE_THREAD: thread ? '1' : '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // Deliveries are logged at debug, so info prints only start-up lines (and rejections, of which there are none).
  const url = await waitForLine(child, /"url":"([^"]+)"/, 'serve').catch(() => '');
  if (url === '') {
    child.kill('SIGKILL');
    throw new Error('serve did not report its URL');
  }
  return { name: thread ? 'serve-thread' : 'serve', child, url, origin: new URL(url).origin };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

function load(server: Server, seconds: number, overallRate?: number): Promise<autocannon.Result> {
  const path = new URL(server.url).pathname;
  return autocannon({
    url: server.origin,
    connections: CONNECTIONS,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request) => ({ ...request, ...signedRequest() }),
      },
    ],
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** p99 of the serve process's own ack histogram between two scrapes (bucket upper bound). */
function ackP99(before: string, after: string): string {
  const buckets = (text: string) => {
    const map = new Map<string, number>();
    for (const m of text.matchAll(
      /persona_webhooks_ack_duration_seconds_bucket\{le="([^"]+)",outcome="accepted"\} (\d+)/g,
    )) {
      map.set(m[1] as string, Number(m[2]));
    }
    return map;
  };
  const a = buckets(before);
  const b = buckets(after);
  const rows = [...b.entries()].map(([le, n]) => [le, n - (a.get(le) ?? 0)] as const);
  const total = rows.find(([le]) => le === '+Inf')?.[1] ?? 0;
  const hit = rows.find(([, n]) => n >= 0.99 * total);
  return hit ? (hit[0] === '+Inf' ? '> 5 s' : `≤ ${Number(hit[0]) * 1000} ms`) : 'n/a';
}

interface Row {
  server: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const rows: Row[] = [];
const log = (text: string) => process.stderr.write(`${text}\n`);

async function peak(server: Server): Promise<Row> {
  await load(server, WARMUP_S);
  const r = await load(server, DURATION_S);
  const row = {
    server: server.name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
  log(
    `${server.name}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}, errors ${row.errors}`,
  );
  return row;
}

const bare = await startPlain('bare');
rows.push(await peak(bare));
await stop(bare);
const verify = await startPlain('verify');
rows.push(await peak(verify));
await stop(verify);

const threaded = await startServe(true);
rows.push(await peak(threaded));
await stop(threaded);

const serve = await startServe();
const rssStart = rssMb(serve.child.pid as number);
const serveRow = await peak(serve);
rows.push(serveRow);
const half = Math.max(1, Math.round(serveRow.rps / 2));
const metricsBefore = await (await fetch(`${serve.origin}/metrics`)).text();
const halfRun = await load(serve, DURATION_S, half);
const metricsAfter = await (await fetch(`${serve.origin}/metrics`)).text();
const inProcessP99 = ackP99(metricsBefore, metricsAfter);
log(
  `serve at ${half} req/s: p50 ${halfRun.latency.p50} ms, p99 ${halfRun.latency.p99} ms, in-process ack p99 ${inProcessP99}`,
);
const rssAfterPeak = rssMb(serve.child.pid as number);

let soak: { samples: { t: number; rss: number }[]; result: autocannon.Result } | null = null;
if (SOAK_S > 0) {
  const samples: { t: number; rss: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(
    () => samples.push({ t: (Date.now() - t0) / 1000, rss: rssMb(serve.child.pid as number) }),
    5000,
  );
  const result = await load(serve, SOAK_S, half);
  clearInterval(sampler);
  soak = { samples, result };
  log(`soak ${SOAK_S} s at ${half} req/s: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms`);
}
const storedStats = execSync(`node ${join(root, 'packages/server/dist/cli.js')} events stats --json`, {
  cwd: tmp,
  env: { ...process.env, DATABASE_URL: `sqlite:${join(tmp, 'events.db')}` },
  encoding: 'utf8',
});
const stored = (JSON.parse(storedStats) as { total: number }).total;
await stop(serve);
await sleep(100);
rmSync(tmp, { recursive: true, force: true });

// ---- report
const version = (pkg: string) => {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
};
const verifyRps = rows.find((r) => r.server === 'verify')?.rps ?? 1;
const bareRps = rows.find((r) => r.server === 'bare')?.rps ?? 1;
const ratio = serveRow.rps / verifyRps;
const lines = [
  '## Server (end to end over HTTP)',
  '',
  `Command: \`npm run build && flock /tmp/bench.lock node --import tsx bench/server.bench.ts${quick ? ' --quick' : ''}${SOAK_S ? ` --soak=${SOAK_S}` : ''}\``,
  `Run ${new Date(startedAt).toISOString()}, took ${Math.round((Date.now() - startedAt) / 1000)} s. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; autocannon ${version('autocannon')}, better-sqlite3 ${version('better-sqlite3')}, pino ${version('pino')}, prom-client ${version('prom-client')}.`,
  '',
  `Load: autocannon on 127.0.0.1, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s per server, one run. Bodies: an 8 KB \`inquiry.approved\` envelope (${Buffer.byteLength(template)} bytes) with a distinct event id per request, signed per request by the load generator (same client cost for every server). The load generator, the server and (for serve) SQLite's fsyncs share the machine's 2 cores, and other helpers were running tests and benchmarks at the same time: absolute numbers are low and noisy, ratios are what to read.`,
  '',
  '| server | req/s | × verify-only | p50 ms | p99 ms | non-2xx | errors |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.server === 'serve' ? '`serve` (SQLite, WAL, synchronous=FULL, group commit)' : r.server === 'serve-thread' ? '`serve`, SQLite in a worker thread (experimental, PERSONA_SQLITE_THREAD=1)' : r.server === 'verify' ? 'node:http + verifySignature (the limit)' : 'bare node:http (read body, 200)'} | ${Math.round(r.rps)} | ${(r.rps / verifyRps).toFixed(2)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
  ),
  '',
  `- **serve / verify-only: ${ratio.toFixed(2)}×** (target ≥ 0.6×: ${ratio >= 0.6 ? 'met' : 'NOT met'}); verify-only / bare: ${(verifyRps / bareRps).toFixed(2)}×.`,
  `- **serve at half its peak (${half} req/s for ${DURATION_S} s): p50 ${halfRun.latency.p50} ms, p99 ${halfRun.latency.p99} ms** as seen by the client (target p99 < 10 ms: ${halfRun.latency.p99 < 10 ? 'met' : 'NOT met'}); the process's own \`persona_webhooks_ack_duration_seconds\` histogram puts its p99 at ${inProcessP99}. Achieved ${Math.round(halfRun.requests.average)} req/s, non-2xx ${halfRun.non2xx}, errors ${halfRun.errors}.`,
  `- Every acknowledged request was a new durable insert: ${stored} events stored by the end of the run. serve RSS: ${rssStart.toFixed(0)} MB at start, ${rssAfterPeak.toFixed(0)} MB after the peak and half-rate runs.`,
];
if (soak) {
  const after30 = soak.samples.filter((s) => s.t >= 30);
  const values = after30.map((s) => s.rss).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)] ?? 0;
  const min = values[0] ?? 0;
  const max = values[values.length - 1] ?? 0;
  const spread = median === 0 ? 0 : Math.max(max - median, median - min) / median;
  lines.push(
    `- **Soak: ${SOAK_S} s at ${half} req/s** (achieved ${Math.round(soak.result.requests.average)} req/s, p99 ${soak.result.latency.p99} ms, non-2xx ${soak.result.non2xx}): serve RSS after the first 30 s between ${min.toFixed(0)} and ${max.toFixed(0)} MB, median ${median.toFixed(0)} MB, largest deviation ${(spread * 100).toFixed(1)}% (target flat within ±10%: ${spread <= 0.1 ? 'met' : 'NOT met'}). Samples every 5 s: ${soak.samples.map((s) => s.rss.toFixed(0)).join(', ')} MB.`,
  );
} else {
  lines.push(
    '- Soak (RSS flat over 5 minutes): not run in this invocation; run with `--soak` (300 s) or `--soak=SECONDS`.',
  );
}
lines.push(
  '',
  'Why `serve` misses the throughput and p99 targets (analysis, not a measured fact unless stated):',
  '',
  '- The store is the ceiling, not the HTTP layer: the processing benchmark (bench/results/processing.md) measures `receive()` into SQLite with synchronous=FULL and group commit, without HTTP, at about 0.07× of verify-only; over HTTP the same ack path lands at 0.13–0.36× of the verify-only server across runs on this machine.',
  "- A CPU profile of `serve` under peak load (node --cpu-prof, one run) put about 34% of samples in the SQLite store's synchronous transaction (commit + fsync) and 7.5% in the upsert, both on the main thread, against about 5% for the envelope scan and under 3% for HMAC; the service's own code (routing, metrics, logs) about 1%.",
  "- An idle fsync on this disk takes 0.22 ms at p50 and 0.85 ms at p99 (300 fsyncs of 8 KB, measured once), so the long tail (p99 of 16–177 ms at half rate across runs) is more likely WAL checkpoints and disk contention from other helpers' runs blocking the event loop than the per-commit fsync itself; this was not isolated.",
  '- Moving the database into a worker thread (`PERSONA_SQLITE_THREAD=1`) keeps HTTP flowing during commits; it won this run (0.20× vs 0.13×) but lost or tied in others, so it stays opt-in. Raising `wal_autocheckpoint` showed no consistent gain in four quick runs.',
);
lines.push('');
const resultsFile = join(root, 'bench/results/server.md');
// Keep an earlier soak section when this run had none, so a quick run does not erase the 5-minute record.
let previousSoak = '';
try {
  const old = readFileSync(resultsFile, 'utf8');
  const i = old.indexOf('### Last soak run');
  if (i >= 0 && !soak) previousSoak = old.slice(i);
} catch {
  // No earlier results.
}
const soakSection = soak
  ? ['### Last soak run', '', ...lines.filter((l) => l.startsWith('- **Soak')), ''].join('\n')
  : previousSoak;
writeFileSync(resultsFile, `${lines.join('\n')}\n${soakSection}`);
// The repo's formatter also formats Markdown (CI runs it): format the file as written.
try {
  execSync(`npx biome format --write ${resultsFile}`, { cwd: root, stdio: 'ignore' });
} catch {
  process.stderr.write('note: could not run biome on the results file; run npm run format\n');
}
process.stdout.write(`${lines.join('\n')}\n`);
