import * as assert from 'node:assert/strict';
import { connect, createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createNodeHandler } from '../../src/adapters/node/index.js';
import { createSuiteReceiver, makeEventBody, signedHeaders } from './harness.js';

function post(
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const client = connect(`http://127.0.0.1:${port}`);
    client.on('error', reject);
    const stream = client.request({ ':method': 'POST', ':path': '/webhooks/persona', ...headers });
    let status = 0;
    let connection: string | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      connection = h['connection'] as string | undefined;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      client.close();
      resolve({ status, text: Buffer.concat(chunks).toString('utf8'), ...(connection ? { connection } : {}) });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('node adapter on a node:http2 server (compat API)', () => {
  let server: Http2Server;
  let port: number;
  before(async () => {
    const { receiver } = await createSuiteReceiver();
    const handler = createNodeHandler(receiver, { maxBodyBytes: 1024 });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a signed delivery over HTTP/2', async () => {
    const body = makeEventBody();
    const res = await post(port, body, await signedHeaders(body));
    assert.equal(res.status, 200, res.text);
  });

  it('answers 413 without a Connection header, which HTTP/2 forbids', async () => {
    const body = 'x'.repeat(4096);
    const res = await post(port, body, {
      'content-type': 'application/json',
      'persona-signature': `t=1,v1=${'a'.repeat(64)}`,
    });
    assert.equal(res.status, 413);
    assert.equal(res.connection, undefined);
  });
});
