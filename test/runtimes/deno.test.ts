// The Web adapter inside Deno (Deno.serve), through the adapter conformance suite over real HTTP. Deno reads
// the packages from node_modules (--node-modules-dir=manual), with network access to 127.0.0.1 only.
import { join } from 'node:path';
import { SECRET } from '../../packages/persona-webhooks/test/adapters/harness.js';
import { SUITE_MAX_BODY_BYTES } from '../../packages/persona-webhooks/test/conformance/adapter-suite.js';
import { BIN, defineRuntimeSuite, startServerProcess } from './runtime-server.js';

const start = () =>
  startServerProcess(join(BIN, 'deno'), [
    'run',
    '--no-prompt',
    '--allow-net=127.0.0.1',
    '--allow-read',
    '--allow-env',
    '--node-modules-dir=manual',
    join(import.meta.dirname, 'deno-server.ts'),
    SECRET,
    String(SUITE_MAX_BODY_BYTES),
  ]);

// Deno matches the `node` condition of #hmac for npm packages, so it verifies with node:crypto.
defineRuntimeSuite('Deno (Deno.serve, web adapter)', start, 'node', { mayReceivePastLimit: true });
