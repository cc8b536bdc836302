// Runs the built CLI (packages/server/dist/cli.js) as a real child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SERVER_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: run "npm run build" first (npm test does it)`);
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment without the variables the CLI reads, so the developer's shell cannot leak into a test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PERSONA_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|NO_COLOR$|FORCE_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

/** Runs `persona-webhooks ...args` to completion. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string | Buffer; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: cleanEnv(options.env),
      cwd: options.cwd ?? SERVER_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Starts `persona-webhooks ...args` and leaves it running. */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: cleanEnv(options.env),
    cwd: options.cwd ?? SERVER_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

/** Whether dist is older than a source file: a stale build makes a confusing failure. */
export function distIsStale(sourceFile: string): boolean {
  return existsSync(CLI_PATH) && statSync(sourceFile).mtimeMs > statSync(CLI_PATH).mtimeMs;
}
