// Starts the runtime app in another runtime and mounts it for the adapter conformance suite: the receiver
// lives in that runtime, so the suite reads what ran from its `/__ran` route.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type AdapterSuiteOptions,
  defineAdapterSuite,
  type MountedApp,
  type Ran,
} from '../../packages/persona-webhooks/test/conformance/adapter-suite.js';

export const REPO_ROOT = join(import.meta.dirname, '../..');
export const BIN = join(REPO_ROOT, 'node_modules/.bin');

/** What `/__ran` answers. */
export interface RanWithEngine extends Ran {
  readonly engine: 'node' | 'web';
}

/** Reads what the app's handlers ran and which HMAC engine it verifies with. */
export async function fetchRan(origin: string): Promise<RanWithEngine> {
  const response = await fetch(`${origin}/__ran`);
  if (!response.ok) throw new Error(`/__ran answered ${response.status}`);
  return (await response.json()) as RanWithEngine;
}

/** The mount for an app served at `origin`: the webhook route, or the pre-parsed one for the misconfigured case. */
export function remoteApp(origin: string, preParsed: boolean, close: () => Promise<void>): MountedApp {
  return {
    url: `${origin}/webhooks/${preParsed ? 'persona-preparsed' : 'persona'}`,
    close,
    ran: () => fetchRan(origin),
    async setStoreDown(down) {
      const response = await fetch(`${origin}/__store`, { method: 'POST', body: down ? 'down' : 'up' });
      if (!response.ok) throw new Error(`/__store answered ${response.status}`);
    },
  };
}

/**
 * Spawns a server process that prints `listening <port>` once it accepts connections, and resolves with its
 * origin and a close that ends it (and waits for it).
 */
export async function startServerProcess(command: string, args: readonly string[]): Promise<RuntimeServer> {
  const child: ChildProcess = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited ${code} before listening:\n${output}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface RuntimeServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The adapter conformance suite against the runtime app that `start` serves (a fresh server per mount), and a
 * check of which HMAC engine `#hmac` picked there.
 */
export function defineRuntimeSuite(
  name: string,
  start: () => Promise<RuntimeServer>,
  engine: RanWithEngine['engine'],
  options: AdapterSuiteOptions = {},
): void {
  defineAdapterSuite(
    name,
    async ({ preParsed }) => {
      const server = await start();
      return remoteApp(server.origin, preParsed, () => server.close());
    },
    options,
  );
  describe(name, () => {
    it(`verifies with the ${engine === 'node' ? 'node:crypto' : 'Web Crypto'} engine`, async () => {
      const server = await start();
      try {
        assert.equal((await fetchRan(server.origin)).engine, engine);
      } finally {
        await server.close();
      }
    });
  });
}
