// Starts `persona-webhooks serve` as a child process and waits until it listens.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startCli } from './cli.js';

export interface ServeProcess {
  readonly url: string;
  readonly origin: string;
  readonly pid: number;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** What the process printed so far. */
  output(): { stdout: string; stderr: string };
  /** The parsed JSON log lines. */
  logs(): Record<string, unknown>[];
}

export async function startServe(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const child = startCli(['serve', '--port', '0', ...args], options);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let url: string | undefined;
  const logs = () =>
    child
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  while (url === undefined) {
    if (child.exitCode !== null) {
      const { stdout, stderr } = child.output();
      throw new Error(`serve exited with ${child.exitCode} before listening:\n${stderr}\n${stdout}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not listen in time:\n${child.output().stderr}`);
    }
    const line = logs().find((l) => l.msg === 'listening');
    if (line) url = String(line.url);
    else await sleep(25);
  }
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    pid: child.pid as number,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    output: child.output,
    logs,
  };
}

/** Lines of the handlers' side-effect file (event ids, one per handled event). */
export function handledIds(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ')[0] as string);
}

/** Polls until `check` returns true or the time runs out. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** What the store recorded about an event's processing (from `events list --json`). */
interface AttemptRecord {
  readonly id: string;
  readonly status: string;
  readonly attempts: number;
  readonly finishedAttempts: number;
}

/**
 * Waits until every id is succeeded in the store, then returns the attempt records: exactly-once is read from
 * them (one started and one finished attempt each: a second run needs a second claim, which the counts show),
 * not from a count taken after a fixed sleep.
 */
export async function succeededRecords(
  env: Record<string, string>,
  ids: readonly string[],
  timeoutMs = 20_000,
): Promise<Map<string, AttemptRecord>> {
  let records = new Map<string, AttemptRecord>();
  await waitFor(
    async () => {
      const r = await runCli(['events', 'list', '--json', '--limit', '1000'], { env });
      if (r.code !== 0) return false;
      const page = JSON.parse(r.stdout) as { events: AttemptRecord[] };
      records = new Map(page.events.map((e) => [e.id, e]));
      return ids.every((id) => records.get(id)?.status === 'succeeded');
    },
    timeoutMs,
    'every event succeeded in the store',
  );
  return records;
}
