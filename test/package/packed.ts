// Shared by the packed-package tests: pack both workspaces with `npm pack` (what `npm publish` uploads), make a
// fresh consumer project outside the repository, install into it and run commands there, as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '../..');

export interface Packed {
  readonly library: string;
  readonly server: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: none of the variables `npm test` sets for itself (an inherited
 * `npm_config_*` would steer the consumer's npm) nor those the CLI reads.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|PERSONA_|DATABASE_URL$|PORT$|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, { NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' }, extra);
  return env as NodeJS.ProcessEnv;
}

export interface Started {
  readonly child: ChildProcess;
  output(): RunResult;
  readonly finished: Promise<RunResult>;
  /** Sends `signal` to the command and everything it started (npx runs the binary in a child of its own). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts a command (no shell) in `cwd`, in a process group of its own; the caller waits on `finished`. */
export function start(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: userEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 120_000,
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const finished = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, name);
  };
  return { child, output: () => ({ code: child.exitCode, stdout, stderr }), finished, signal };
}

/** Runs a command to completion. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  return start(command, args, options).finished;
}

/** Runs a command and throws, with its output, unless it exits 0. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/**
 * Packs both workspaces into a new temporary folder. The build is `npm test`'s (its first step), so
 * `prepack` is skipped here; `.ci/run` packs once with it (scripts/check-packages.sh).
 */
export async function packBoth(): Promise<Packed> {
  const destination = mkdtempSync(join(tmpdir(), 'pw-pack-'));
  const pack = async (workspace: string) => {
    const { stdout } = await runOk(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, '--workspace', workspace],
      { cwd: REPO_ROOT },
    );
    const [info] = JSON.parse(stdout) as [{ filename: string }];
    return join(destination, info.filename);
  };
  return { library: await pack('persona-webhooks'), server: await pack('persona-webhooks-server') };
}

/** An empty ES-module project in a new temporary folder, outside the repository (no workspace above it). */
export function createConsumerProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pw-${prefix}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${prefix}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

/**
 * `npm install` into the consumer project. Install scripts are off: the packages published here have none,
 * and a dependency linked from this repository (better-sqlite3) is already built.
 */
export function npmInstall(dir: string, specs: readonly string[]): Promise<RunResult> {
  return runOk('npm', ['install', '--ignore-scripts', '--no-package-lock', ...specs], { cwd: dir, timeoutMs: 180_000 });
}

/** The built better-sqlite3 in this repository, linked instead of compiling it again (over a minute here). */
export const BUILT_BETTER_SQLITE3 = join(REPO_ROOT, 'node_modules/better-sqlite3');

/** The library's export map: subpath → { types, default }. */
export function librarySubpaths(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/persona-webhooks/package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath]) => (subpath === '.' ? 'persona-webhooks' : `persona-webhooks/${subpath.slice(2)}`));
}
