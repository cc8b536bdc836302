// The Web adapter inside workerd (Cloudflare Workers' runtime) through miniflare, through the adapter
// conformance suite over real HTTP. The worker is bundled as wrangler does (esbuild with the workerd, worker
// and browser conditions), without nodejs_compat, and miniflare runs with `cf: false` so it fetches nothing.
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { SECRET } from '../../packages/persona-webhooks/test/adapters/harness.js';
import { SUITE_MAX_BODY_BYTES } from '../../packages/persona-webhooks/test/conformance/adapter-suite.js';
import { defineRuntimeSuite, type RuntimeServer } from './runtime-server.js';

async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no worker');
  return output.text;
}

async function start(): Promise<RuntimeServer> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2025-09-01',
    bindings: { SECRET, MAX_BODY_BYTES: String(SUITE_MAX_BODY_BYTES) },
    cf: false,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { origin: url.origin, close: () => mf.dispose() };
}

// The worker bundle takes the default condition of #hmac: Web Crypto.
defineRuntimeSuite('workerd (miniflare, web adapter)', start, 'web', { chunkedOverLimit: '413-or-closed' });
