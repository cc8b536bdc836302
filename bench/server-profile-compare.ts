// Where a duplicate delivery's main-thread time goes in `serve`, function by function, beside the same
// function's time in the verify-only server (new events: it stores nothing, so every delivery is its whole work)
// and in the SQLite limit's duplicates (bench/server/sqlite-floor-server.mjs), in microseconds per request from
// CPU profiles taken under the same load (8 KB deliveries, 32 connections, as fast as each answers).
// Sorted by serve's time minus the verify-only server's: what a duplicate costs serve beyond the signature check.
// serve is profiled in a second process on the database the first one filled, so that the new events of the
// warm-up are not in its profile; each profile covers only the load of its kind.
// Run: npm run build && node --import tsx bench/server-profile-compare.ts [--seconds=8]
// Writes bench/results/server-profile-compare.md; raw .cpuprofile files under bench/.tmp/profile-compare.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { eventsSent, load, root, type Server, startPlain, startServe, stop } from './server/harness.js';

const SECONDS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 8);
const dir = join(root, 'bench/.tmp/profile-compare');
rmSync(dir, { recursive: true, force: true });
const profArgs = (name: string) => ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The functions of this project's packages (library and service), by the key perRequest gives them. */
const ownKeys = new Set<string>();

/** Self time per function, in µs per request, from the one .cpuprofile in `profDir`; idle left out. */
function perRequest(profDir: string, requests: number): Map<string, number> {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${profDir}`);
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const [i, id] of profile.samples.entries()) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === '(idle)') continue;
    const where = url === '' ? '[native]' : `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'} ${where}`;
    if (url.includes('/packages/')) ownKeys.add(key);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  for (const [key, us] of self) self.set(key, us / Math.max(1, requests));
  return self;
}

/** Runs `loads` against a server started by `start`, then stops it; the number of requests they made. */
async function measure(start: () => Promise<Server>, loads: (server: Server) => Promise<number>): Promise<number> {
  const server = await start();
  try {
    return await loads(server);
  } finally {
    await stop(server);
  }
}

// The verify-only server: every request is a new event (its whole work is the same either way).
const verifyRequests = await measure(
  () => startPlain('verify', undefined, profArgs('verify')),
  async (server) => {
    const warm = await load(server, { seconds: 2, connections: 32 });
    const measured = await load(server, { seconds: SECONDS, connections: 32 });
    return warm.requests.total + measured.requests.total;
  },
);

// The SQLite limit: its main thread does the same for a new event and a duplicate (decode, take the id, hand the
// pair to its thread), so its warm-up of new events is part of the division.
const floorRequests = await measure(
  () => startPlain('sqlite-floor', join(dir, 'floor-db'), profArgs('floor')),
  async (server) => {
    const first = eventsSent() + 1;
    const warm = await load(server, { seconds: 2, connections: 32 });
    const duplicatesOf = { first, count: eventsSent() - first + 1 };
    const measured = await load(server, { seconds: SECONDS, connections: 32, duplicatesOf });
    return warm.requests.total + measured.requests.total;
  },
);
rmSync(join(dir, 'floor-db'), { recursive: true, force: true });

// serve: a first process stores the events; a second, profiled, answers their duplicates.
const serveDir = join(dir, 'serve-db');
const first = eventsSent() + 1;
await measure(
  () => startServe({ dir: serveDir }),
  (server) => load(server, { seconds: 2, connections: 32 }).then((r) => r.requests.total),
);
const duplicatesOf = { first, count: eventsSent() - first + 1 };
const serveRequests = await measure(
  () => startServe({ dir: serveDir, fresh: false, nodeArgs: profArgs('serve') }),
  async (server) => {
    const warm = await load(server, { seconds: 1, connections: 32, duplicatesOf });
    const measured = await load(server, { seconds: SECONDS, connections: 32, duplicatesOf });
    return warm.requests.total + measured.requests.total;
  },
);
rmSync(serveDir, { recursive: true, force: true });

const verify = perRequest(join(dir, 'verify'), verifyRequests);
const floor = perRequest(join(dir, 'floor'), floorRequests);
const serve = perRequest(join(dir, 'serve'), serveRequests);
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const oursTotal = [...serve].reduce((sum, [key, us]) => sum + (ownKeys.has(key) ? us : 0), 0);
const rows = [...new Set([...verify.keys(), ...floor.keys(), ...serve.keys()])]
  .map((key) => ({ key, v: verify.get(key) ?? 0, f: floor.get(key) ?? 0, s: serve.get(key) ?? 0 }))
  .sort((a, b) => b.s - b.v - (a.s - a.v));
const us = (x: number) => x.toFixed(2);
const lines = [
  '### A duplicate in serve, function by function, beside the verify-only server and the SQLite limit',
  '',
  `Command: \`npm run build && node --import tsx bench/server-profile-compare.ts --seconds=${SECONDS}\``,
  `Run ${new Date().toISOString()}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Main-thread self time from CPU profiles (the profiler's own cost included), per request: verify-only ${verifyRequests} requests (new events), the SQLite limit ${floorRequests} (its warm-up's new events, then duplicates), serve ${serveRequests} duplicates in a second process on the database the first filled.`,
  '',
  `Busy main-thread time per request: **verify-only ${us(total(verify))} µs, the SQLite limit's duplicate ${us(total(floor))} µs, serve's duplicate ${us(total(serve))} µs**; of serve's, ${us(oursTotal)} µs in this project's own functions (library and service).`,
  '',
  '| function (self time) | verify-only µs | SQLite limit µs | serve µs | serve − verify-only |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows
    .slice(0, 30)
    .map(
      (r) =>
        `| \`${r.key.replaceAll('|', '\\|')}\` | ${us(r.v)} | ${us(r.f)} | ${us(r.s)} | ${(r.s - r.v >= 0 ? '+' : '') + us(r.s - r.v)} |`,
    ),
  '',
];
mkdirSync(join(root, 'bench/results'), { recursive: true });
const out = join(root, 'bench/results/server-profile-compare.md');
writeFileSync(out, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`wrote ${out}\n`);
