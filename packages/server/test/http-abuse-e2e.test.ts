// A hostile sender against a real `serve` process: silent, stalled and trickling connections, oversized and
// lying bodies, gzip, deep nesting and 500 connections at once. After each, the process must still answer
// /healthz and acknowledge a genuine signed delivery, and the stalled sockets must have been closed by it.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createSampleEvent, createSignedDelivery } from 'persona-webhooks/testing';
import { type ServeProcess, startServe } from './helpers/serve.js';

const SECRET = 'wbhsec_http-abuse';
const REQUEST_TIMEOUT_S = 2;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Opens a raw TCP connection, writes `text`, and resolves `closed` when the server closes it. */
function rawSocket(port: number, text: string | Buffer): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    if (text.length > 0) socket.write(text);
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  return { socket, closed };
}

/** Resolves with the HTTP status line's code of a raw response, or 0 when the server closed without one. */
function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

async function signedHead(body: string | Buffer, extra: Record<string, string> = {}): Promise<string> {
  const d = await createSignedDelivery({
    body: typeof body === 'string' ? body : new Uint8Array(body),
    secret: SECRET,
  });
  const headers = { ...d.headers, ...extra };
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}

describe('serve under HTTP abuse', { timeout: 180_000 }, () => {
  let serve: ServeProcess;
  let port: number;
  let delivered = 0;

  /** The process is healthy: /healthz answers and a genuine delivery is stored and acknowledged. */
  async function assertHealthy(): Promise<void> {
    const health = await fetch(`${serve.origin}/healthz`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    const d = await createSignedDelivery({
      event: createSampleEvent('inquiry.approved', { id: `evt_healthy_${++delivered}` }),
      secret: SECRET,
    });
    const res = await fetch(serve.url, { method: 'POST', headers: d.headers, body: d.body });
    assert.equal(res.status, 200, await res.text());
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-abuse-'));
    serve = await startServe(['--request-timeout', `${REQUEST_TIMEOUT_S}s`], {
      env: { DATABASE_URL: `sqlite:${join(dir, 'events.db')}`, PERSONA_WEBHOOK_SECRET: SECRET },
      cwd: dir,
    });
    port = Number(new URL(serve.origin).port);
    await assertHealthy();
  });
  after(() => serve.stop());

  it('closes 300 silent and stalled connections itself, answers /healthz meanwhile, and stays small', async () => {
    const before = rssMb(serve.pid);
    const body = JSON.stringify(createSampleEvent('inquiry.approved'));
    const stalledHead = `POST /webhooks/persona HTTP/1.1\r\nhost: x\r\n${await signedHead(body)}content-length: 900000\r\n\r\n`;
    const sockets = [
      // Connects and says nothing.
      ...Array.from({ length: 100 }, () => rawSocket(port, '')),
      // Half a request line and no end of headers.
      ...Array.from({ length: 100 }, () => rawSocket(port, 'POST /webhooks/persona HTTP/1.1\r\nhost: x\r\n')),
      // A well-formed signed head, then 64 KB of a 900 KB body and silence.
      ...Array.from({ length: 100 }, () =>
        rawSocket(port, Buffer.concat([Buffer.from(stalledHead), Buffer.alloc(65_536, 0x20)])),
      ),
    ];
    // While all 300 hang, the process still answers.
    await assertHealthy();
    const during = rssMb(serve.pid);
    const raws = await Promise.all(sockets.map((s) => s.closed));
    assert.equal(raws.length, 300, 'every stalled socket was closed by the server');
    const afterwards = rssMb(serve.pid);
    console.log(
      `rss MB: before ${before.toFixed(0)}, with 300 stalled ${during.toFixed(0)}, after ${afterwards.toFixed(0)}`,
    );
    assert.ok(during - before < 120, `300 stalled sockets grew the process by ${(during - before).toFixed(0)} MB`);
    await assertHealthy();
  });

  it('cuts off a sender that trickles its headers one byte at a time', async () => {
    const { socket, closed } = rawSocket(port, '');
    const head = 'POST /webhooks/persona HTTP/1.1\r\nhost: x\r\nx-padding: ';
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(head[i % head.length] as string);
      i++;
    }, 200);
    const raw = await closed;
    clearInterval(timer);
    // Node answers 408 (or just closes) once the request outlived --request-timeout.
    assert.ok([0, 408].includes(statusOf(raw)), raw.slice(0, 80));
    assert.ok(i < (REQUEST_TIMEOUT_S + 10) * 5, `still open after ${i} bytes`);
    await assertHealthy();
  });

  it('answers 413 at once to an oversized Content-Length and closes without reading it', async () => {
    const head = await signedHead('{}');
    const { closed } = rawSocket(
      port,
      `POST /webhooks/persona HTTP/1.1\r\nhost: x\r\n${head}content-length: 104857600\r\n\r\n{`,
    );
    assert.equal(statusOf(await closed), 413);
    await assertHealthy();
  });

  it('survives a lying Content-Length, shorter or longer than the body', async () => {
    const body = JSON.stringify(createSampleEvent('inquiry.approved', { id: 'evt_lying' }));
    const head = await signedHead(body);
    // Declares more than it sends: cut off by the request timeout, nothing stored.
    const longer = rawSocket(
      port,
      `POST /webhooks/persona HTTP/1.1\r\nhost: x\r\n${head}content-length: ${body.length + 500}\r\n\r\n${body}`,
    );
    // Declares less than it sends: the signed bytes are cut short (401), and the rest is a garbage next
    // request that Node answers 400 on the same socket, sometimes before the 401 is written.
    const shorter = rawSocket(
      port,
      `POST /webhooks/persona HTTP/1.1\r\nhost: x\r\n${head}content-length: ${body.length - 10}\r\n\r\n${body}`,
    );
    const [longRaw, shortRaw] = await Promise.all([longer.closed, shorter.closed]);
    assert.ok(![200, 202].includes(statusOf(longRaw)), longRaw.slice(0, 80));
    assert.ok([400, 401].includes(statusOf(shortRaw)), shortRaw.slice(0, 80));
    await assertHealthy();
  });

  it('never inflates a gzip body (a signed gzip bomb is 400, not a crash)', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x5b));
    const d = await createSignedDelivery({ body: new Uint8Array(bomb), secret: SECRET });
    const res = await fetch(serve.url, {
      method: 'POST',
      headers: { ...d.headers, 'content-encoding': 'gzip' },
      body: bomb,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_json');
    await assertHealthy();
  });

  it('stores or refuses a deeply nested signed body without crashing', async () => {
    const event = createSampleEvent('inquiry.approved', { id: 'evt_deep' }) as {
      data: { attributes: { payload: { data: { attributes: Record<string, unknown> } } } };
    };
    const depth = 200_000;
    const text = JSON.stringify(event).replace(
      '"attributes":{',
      `"attributes":{"nested":${'['.repeat(depth)}${']'.repeat(depth)},`,
    );
    const d = await createSignedDelivery({ body: text, secret: SECRET });
    const res = await fetch(serve.url, { method: 'POST', headers: d.headers, body: d.body });
    assert.ok([200, 400].includes(res.status), `status ${res.status}`);
    await assertHealthy();
  });

  it('answers 500 connections at once, each with a signed delivery', async () => {
    const deliveries = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        createSignedDelivery({
          event: createSampleEvent('inquiry.completed', { id: `evt_many_${i}` }),
          secret: SECRET,
        }),
      ),
    );
    const statuses = await Promise.all(
      deliveries.map(async (d) => {
        const head = Object.entries(d.headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        const { closed } = rawSocket(
          port,
          `POST /webhooks/persona HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${head}content-length: ${Buffer.byteLength(d.body)}\r\n\r\n${d.body}`,
        );
        return statusOf(await closed);
      }),
    );
    const ok = statuses.filter((s) => s === 200).length;
    assert.equal(ok, 500, `statuses: ${JSON.stringify(statuses.filter((s) => s !== 200).slice(0, 10))}`);
    await assertHealthy();
  });
});
