// The Web adapter inside Bun (Bun.serve), through the adapter conformance suite over real HTTP.
import { join } from 'node:path';
import { SECRET } from '../../packages/persona-webhooks/test/adapters/harness.js';
import { SUITE_MAX_BODY_BYTES } from '../../packages/persona-webhooks/test/conformance/adapter-suite.js';
import { BIN, defineRuntimeSuite, startServerProcess } from './runtime-server.js';

const start = () =>
  startServerProcess(join(BIN, 'bun'), [
    join(import.meta.dirname, 'bun-server.ts'),
    SECRET,
    String(SUITE_MAX_BODY_BYTES),
  ]);

// Bun matches the `node` condition of #hmac, so it verifies with node:crypto.
defineRuntimeSuite('Bun (Bun.serve, web adapter)', start, 'node', { chunkedOverLimit: '413-or-closed' });
