// The Web adapter inside Deno (Deno.serve), through the adapter conformance suite over real HTTP. Deno reads
// the packages from node_modules (--node-modules-dir=manual), with network access to 127.0.0.1 only.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SECRET } from '../../packages/persona-webhooks/test/adapters/harness.js';
import {
  defineAdapterSuite,
  SUITE_MAX_BODY_BYTES,
} from '../../packages/persona-webhooks/test/conformance/adapter-suite.js';
import { BIN, fetchRan, remoteApp, startServerProcess } from './runtime-server.js';

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

defineAdapterSuite('Deno (Deno.serve, web adapter)', async ({ preParsed }) => {
  const server = await start();
  return remoteApp(server.origin, preParsed, server.close);
});

describe('Deno', () => {
  it('verifies with node:crypto: Deno matches the "node" condition of #hmac', async () => {
    const server = await start();
    try {
      assert.equal((await fetchRan(server.origin)).engine, 'node');
    } finally {
      await server.close();
    }
  });
});
