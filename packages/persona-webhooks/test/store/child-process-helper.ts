// Starts child-store-process.ts as real OS processes and talks to them line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface StoreChild {
  readonly process: ChildProcess;
  /** Resolves with the first stdout line that satisfies `match`. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  readonly lines: string[];
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

export function startStoreChild(env: Record<string, string>): StoreChild {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'child-store-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return {
    process: child,
    lines,
    exited,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`child exited (${String(code)}) before the expected line`)));
      });
    },
  };
}

/** Starts every child, waits until all have migrated, then releases them at once. */
export async function startTogether(children: readonly StoreChild[]): Promise<void> {
  await Promise.all(children.map((c) => c.waitFor((line) => line === 'ready')));
  for (const c of children) c.process.stdin!.end('go\n');
}

/** Events for the claim job: `count` events, every four about the same inquiry. */
export function claimJobEvents(
  count: number,
): { id: string; name: string; createdAt: Date; resourceId: string; body: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `evt_claim_${String(i).padStart(4, '0')}`,
    name: 'inquiry.completed',
    createdAt: new Date(1_700_000_000_000 + i),
    resourceId: `inq_${i % Math.ceil(count / 4)}`,
    body: '{}',
  }));
}

/** Runs the claim job in two processes and returns what each claimed. */
export async function claimInTwoProcesses(env: Record<string, string>): Promise<string[][]> {
  const children = [startStoreChild({ ...env, JOB: 'claim' }), startStoreChild({ ...env, JOB: 'claim' })];
  await startTogether(children);
  const outputs = await Promise.all(children.map((c) => c.waitFor((line) => line.startsWith('{'))));
  const codes = await Promise.all(children.map((c) => c.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`a claim process failed: ${codes.join(', ')}`);
  return outputs.map((line) => (JSON.parse(line) as { claimed: string[] }).claimed);
}
