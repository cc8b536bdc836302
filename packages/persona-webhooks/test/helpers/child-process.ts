// Starts a TypeScript script as a real OS process (node --import tsx) and reads its stdout line by line.
// The scripts of the multi-process tests print "ready", wait for "go" on stdin, then run their job.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ScriptChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first stdout line that satisfies `match` (rejects if the process ends first). */
  waitFor(match: (line: string) => boolean): Promise<string>;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Sends "go" and closes stdin. */
  go(): void;
}

export function startScriptChild(script: string, env: Record<string, string>): ScriptChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
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
    go: () => child.stdin?.end('go\n'),
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

/**
 * Waits until every child printed "ready", then releases them together. Should one fail first, kills the
 * others (they would wait for "go" forever, and keep the test process alive with them).
 */
export async function startTogether(children: readonly ScriptChild[]): Promise<void> {
  try {
    await Promise.all(children.map((c) => c.waitFor((line) => line === 'ready')));
  } catch (error) {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    throw error;
  }
  for (const c of children) c.go();
}
