// The Web adapter inside Bun (Bun.serve), through the adapter conformance suite over real HTTP.
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
  startServerProcess(join(BIN, 'bun'), [
    join(import.meta.dirname, 'bun-server.ts'),
    SECRET,
    String(SUITE_MAX_BODY_BYTES),
  ]);

defineAdapterSuite(
  'Bun (Bun.serve, web adapter)',
  async ({ preParsed }) => {
    const server = await start();
    return remoteApp(server.origin, preParsed, server.close);
  },
  { chunkedOverLimit: 'connection-closed' },
);

describe('Bun', () => {
  it('verifies with node:crypto: Bun matches the "node" condition of #hmac', async () => {
    const server = await start();
    try {
      assert.equal((await fetchRan(server.origin)).engine, 'node');
    } finally {
      await server.close();
    }
  });
});
