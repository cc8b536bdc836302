// Shared by bench/server.bench.ts and bench/server-profile.ts: the signed 8 KB request the load generator
// sends, starting and stopping the servers under test, driving load with autocannon, and reading a
// process's CPU time and memory from /proc (Linux).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createSampleEvent } from 'persona-webhooks/testing';

export const SECRET = 'wbhsec_server-bench-secret';
export const root = join(import.meta.dirname, '../..');
export const CLI = join(root, 'packages/server/dist/cli.js');

export const template = JSON.stringify(
  createSampleEvent('inquiry.approved', { payloadSize: 8192, seed: 'server-bench' }),
);
const templateId = (JSON.parse(template) as { data: { id: string } }).data.id;
const head = template.slice(0, template.indexOf(templateId));
const tail = template.slice(template.indexOf(templateId) + templateId.length);
let sequence = 0;

/**
 * A signed delivery of the 8 KB template. Each call gets a new event id unless `repeatOf` names an earlier
 * sequence number (a duplicate delivery of that event, freshly signed, as Persona's retries are).
 */
export function signedRequest(repeatOf?: number): { body: string; headers: Record<string, string> } {
  const n = repeatOf ?? ++sequence;
  const id = `evt_${String(n).padStart(templateId.length - 4, '0')}`;
  const body = head + id + tail;
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'persona-signature': `t=${t},v1=${v1}` } };
}

/** How many distinct events `signedRequest()` has produced so far. */
export const eventsSent = (): number => sequence;

export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly origin: string;
}

export type PlainServer = 'bare' | 'verify' | 'append' | 'sqlite-floor';

export async function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
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

/**
 * The comparison servers of bench/server/: `bare` (read the body, 200), `verify` (plus verifySignature), and the
 * two limits of a durable receiver: `append` (plus an append and fdatasync per batch) and `sqlite-floor` (plus a
 * two-column SQLite insert per event in a thread, group commit). `dir` holds the latter two's files.
 */
export async function startPlain(name: PlainServer, dir?: string, nodeArgs: readonly string[] = []): Promise<Server> {
  if (dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const child = spawn(process.execPath, [...nodeArgs, join(root, `bench/server/${name}-server.mjs`)], {
    cwd: root,
    env: { ...process.env, BENCH_SECRET: SECRET, ...(dir === undefined ? {} : { BENCH_DIR: dir }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await waitForLine(child, /PORT (\d+)/, name).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const origin = `http://127.0.0.1:${port}`;
  return { name, child, url: `${origin}/webhooks/persona`, origin };
}

export interface ServeOptions {
  readonly name?: string;
  /** `sqlite:<file>` (default: a fresh file under `dir`) or a postgres:// URL. */
  readonly databaseUrl?: string;
  /** Working directory (created; the default SQLite file lives here). */
  readonly dir: string;
  /** Wipe `dir` first. Default true. */
  readonly fresh?: boolean;
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
  /** The CLI to run (default: this checkout's packages/server/dist/cli.js). */
  readonly cli?: string;
}

/** Starts `persona-webhooks serve` (store-only: no handlers) and waits for the URL it logs. */
export async function startServe(options: ServeOptions): Promise<Server> {
  if (options.fresh !== false) rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      options.cli ?? CLI,
      'serve',
      '--port',
      '0',
      '--log-level',
      'info',
      ...(options.args ?? []),
    ],
    {
      cwd: options.dir,
      env: {
        ...process.env,
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: options.databaseUrl ?? `sqlite:${join(options.dir, 'events.db')}`,
        ...options.env,
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
  return { name: options.name ?? 'serve', child, url, origin: new URL(url).origin };
}

export async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second in all (omit for as fast as the server answers). */
  readonly overallRate?: number;
  /** Make each request a duplicate delivery of one of the events numbered `first` … `first + count - 1`. */
  readonly duplicatesOf?: { readonly first: number; readonly count: number };
}

/** Drives POSTs of signed deliveries at the server's webhook path. */
export function load(server: Server, options: LoadOptions): Promise<autocannon.Result> {
  const path = new URL(server.url).pathname;
  let k = 0;
  const next = () => {
    if (options.duplicatesOf === undefined) return signedRequest();
    k = (k + 1) % options.duplicatesOf.count;
    return signedRequest(options.duplicatesOf.first + k);
  };
  return autocannon({
    url: server.origin,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    requests: [{ method: 'POST', path, setupRequest: (request) => ({ ...request, ...next() }) }],
  });
}

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** User + system CPU seconds in the text of a /proc/…/stat file (a process, or one of its threads). */
export function statCpuSeconds(stat: string): number {
  // Fields after the command name (which may contain spaces) — utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** User + system CPU seconds a process has used so far (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU seconds of each thread of a process, by thread id (the main thread's id is the process id). */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const map = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      map.set(tid, statCpuSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return map;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}
