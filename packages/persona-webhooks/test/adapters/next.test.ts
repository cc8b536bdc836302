// The conformance suite against a real Next.js production server (built once with `next build`, served
// through Next's programmatic API behind node:http): App Router route handlers and Pages Router API routes.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nextModule from 'next';
import { createNextApiHandler, createNextRouteHandlers } from '../../src/adapters/next/index.js';
import { defineAdapterSuite, type MountedApp, type MountOptions } from '../conformance/adapter-suite.js';
import { listen } from './listen.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'next-app');
const root = join(dir, '..', '..', '..', '..', '..');
// `next` is CommonJS: tsc sees the module object, tsx hands over the function itself.
const next = ((nextModule as unknown as { default?: unknown }).default ?? nextModule) as typeof nextModule.default;

type Registry = Map<string, { route: unknown; api: unknown }>;
const registry: Registry = new Map();
(globalThis as { __personaNextSuite?: Registry }).__personaNextSuite = registry;

let built: Promise<void> | undefined;
function build(): Promise<void> {
  built ??= Promise.resolve().then(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build', dir], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: 'pipe',
    });
  });
  return built;
}

async function mountNext(options: MountOptions, path: string): Promise<MountedApp> {
  await build();
  const app = next({ dev: false, dir, hostname: '127.0.0.1', port: 0, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  const mounted = await listen(
    createServer((req, res) => void handle(req, res)),
    path,
  );
  const host = new URL(mounted.url).host;
  registry.set(host, {
    route: createNextRouteHandlers(options.receiver, { maxBodyBytes: options.maxBodyBytes }).POST,
    api: createNextApiHandler(options.receiver, { maxBodyBytes: options.maxBodyBytes }),
  });
  return {
    url: mounted.url,
    close: async () => {
      registry.delete(host);
      await mounted.close();
      await app.close();
    },
  };
}

defineAdapterSuite('next.js App Router', (options) =>
  mountNext(options, options.preParsed ? '/webhooks/parsed' : '/webhooks/persona'),
);

defineAdapterSuite('next.js Pages Router', (options) =>
  mountNext(options, options.preParsed ? '/api/webhooks/parsed' : '/api/webhooks/persona'),
);
