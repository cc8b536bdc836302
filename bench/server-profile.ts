// CPU profile of `persona-webhooks serve` (SQLite, durable defaults, store-only) under the server
// benchmark's load: 8 KB signed deliveries with distinct ids, 32 connections, as fast as it answers.
// Prints where the server's CPU time goes, by part of the ack path and by function, as a Markdown section.
// With --duplicates, the measured load re-delivers the events the warm-up stored (the duplicate path).
// Run: npm run build && node --import tsx bench/server-profile.ts [--seconds=10] [--label=after] [--duplicates] [-- serve args…]
// Writes bench/results/server-profile-<label>.md and keeps the raw .cpuprofile under bench/.tmp/profile.
import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, eventsSent, load, root, startServe, stop, threadCpuSeconds } from './server/harness.js';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const own = dashdash < 0 ? argv : argv.slice(0, dashdash);
const serveArgs = dashdash < 0 ? [] : argv.slice(dashdash + 1);
const opt = (name: string, fallback: string) =>
  own.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const SECONDS = Number(opt('seconds', '10'));
const LABEL = opt('label', 'current');
const DUPLICATES = own.includes('--duplicates');
const dir = join(root, 'bench/.tmp/profile');
const profDir = join(dir, 'cpuprofile');
rmSync(profDir, { recursive: true, force: true });

const serve = await startServe({
  dir: join(dir, 'serve'),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  args: serveArgs,
});
const firstStored = eventsSent() + 1; // the number of the next event made
execSync('sync'); // what earlier runs left for the kernel to write back would compete with serve's fsyncs
await load(serve, { seconds: 2, connections: 32 }); // warm-up (also in the profile, as a small share)
// --duplicates: the measured load re-delivers the events the warm-up stored.
const duplicatesOf = DUPLICATES ? { first: firstStored, count: eventsSent() - firstStored + 1 } : undefined;
const pid = serve.child.pid as number;
const cpu0 = cpuSeconds(pid);
const threads0 = threadCpuSeconds(pid);
const result = await load(serve, { seconds: SECONDS, connections: 32, ...(duplicatesOf ? { duplicatesOf } : {}) });
const cpu = cpuSeconds(pid) - cpu0;
const threads1 = threadCpuSeconds(pid);
const perThread = [...threads1.entries()]
  .map(([tid, s]) => [tid, s - (threads0.get(tid) ?? 0)] as const)
  .filter(([, s]) => s >= 0.05)
  .sort((a, b) => b[1] - a[1]);
const requests = Math.max(1, result.requests.total);
// Each thread by its name (/proc's comm: V8's GC helpers, libuv's pool, a worker thread), read while serve runs.
const threadName = (tid: string) => {
  if (tid === String(pid)) return 'main';
  try {
    return `${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()} (${tid})`;
  } catch {
    return `thread ${tid}`;
  }
};
const threadText = perThread.map(([tid, s]) => `${threadName(tid)} ${((1e6 * s) / requests).toFixed(0)} µs`).join(', ');
await stop(serve);
mkdirSync(profDir, { recursive: true });
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error('serve wrote no .cpuprofile');

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));

/** The part of the ack path a script belongs to. */
function partOf(url: string): string {
  if (url.includes('/persona-webhooks/dist/store/')) return 'store (SQL, group commit)';
  if (/\/persona-webhooks\/dist\/(signature\/|webhook-signature)/.test(url)) return 'signature verification';
  if (url.includes('/persona-webhooks/dist/events/')) return 'envelope read';
  if (url.includes('/persona-webhooks/dist/protection/')) return 'protection (redaction check, encryption)';
  if (url.includes('/persona-webhooks/dist/')) return 'receiver and adapter';
  if (url.includes('/server/dist/')) return 'service (routing, metrics hooks, logs)';
  if (url.includes('/pino')) return 'logging (pino)';
  if (url.includes('/prom-client')) return 'metrics (prom-client)';
  if (url.includes('better-sqlite3')) return 'store (SQL, group commit)';
  if (/^node:(_http|http)/.test(url)) return 'node:http';
  if (/^node:(net|stream|internal\/stream|internal\/streams|_stream)/.test(url) || url.includes('streams'))
    return 'node:net and streams';
  if (url.startsWith('node:')) return 'other Node.js internals';
  return 'other JavaScript';
}

function describe(id: number): { part: string; fn: string } {
  const node = byId.get(id) as Node;
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return { part: 'garbage collection', fn: functionName };
  if (functionName === '(idle)') return { part: 'idle', fn: functionName };
  if (functionName === '(program)') return { part: 'native, outside JavaScript (program)', fn: functionName };
  if (url !== '')
    return {
      part: partOf(url),
      fn: `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`,
    };
  // A native function (a better-sqlite3 statement, a syscall binding): charge it to its JavaScript caller's part.
  let up = parent.get(id);
  while (up !== undefined && (byId.get(up) as Node).callFrame.url === '') up = parent.get(up);
  const callerUrl = up === undefined ? '' : (byId.get(up) as Node).callFrame.url;
  return {
    part: partOf(callerUrl),
    fn: `${functionName || '(native)'} [native, from ${callerUrl.split('/').slice(-2).join('/') || '?'}]`,
  };
}

const parts = new Map<string, number>();
const fns = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const { part, fn } = describe(id);
  if (part === 'idle') {
    idle += us;
    continue;
  }
  total += us;
  parts.set(part, (parts.get(part) ?? 0) + us);
  fns.set(fn, (fns.get(fn) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
const lines = [
  `### serve CPU profile: ${LABEL}`,
  '',
  `Command: \`npm run build && node --import tsx bench/server-profile.ts --seconds=${SECONDS} --label=${LABEL}${DUPLICATES ? ' --duplicates' : ''}${serveArgs.length ? ` -- ${serveArgs.join(' ')}` : ''}\``,
  `Run ${new Date().toISOString()}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Load: ${Math.round(result.requests.average)} req/s for ${SECONDS} s (32 connections, 8 KB ${DUPLICATES ? 'duplicate deliveries of the warm-up’s events' : 'distinct events'}, non-2xx ${result.non2xx}); serve used ${cpu.toFixed(1)} CPU-seconds in that window (${((1e6 * cpu) / requests).toFixed(0)} µs per acknowledged delivery, all threads: ${threadText}). The profile samples the main thread only (a database thread, if any, is not in it); the idle share of the main thread was ${((100 * idle) / (total + idle)).toFixed(0)}%.`,
  '',
  '| part of the ack path (self time, main thread, busy samples) | share |',
  '| --- | ---: |',
  ...sorted(parts).map(([part, us]) => `| ${part} | ${pct(us)} |`),
  '',
  '| top functions (self time) | share |',
  '| --- | ---: |',
  ...sorted(fns)
    .slice(0, 30)
    .map(([fn, us]) => `| \`${fn.replaceAll('|', '\\|')}\` | ${pct(us)} |`),
  '',
];
const out = join(root, `bench/results/server-profile-${LABEL}.md`);
writeFileSync(out, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(`profile: ${join(profDir, file)}\nwrote ${out}\n`);
