// Bad input over real HTTP against a running serve: 405, 415, 413, 400, 401, 404, and 503 while the
// database is down (SQLite locked by another process; PostgreSQL behind a proxy the test cuts).
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { signPayload } from 'persona-webhooks';
import { createSampleEvent, createSignedDelivery } from 'persona-webhooks/testing';
import { postgresForTests } from '../../persona-webhooks/test/helpers/pg.js';
import { type ServeProcess, startServe, waitFor } from './helpers/serve.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const SECRET = 'wbhsec_http-input';

/** How many rows the events table holds for `id`. */
function stored(db: Database.Database, id: string): number {
  return (db.prepare('select count(*) as n from persona_webhook_events where id = ?').get(id) as { n: number }).n;
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { error?: string; message?: string } };
}

describe('serve answers bad input with the documented status', { timeout: 120_000 }, () => {
  let serve: ServeProcess;
  let file: string;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-http-'));
    file = join(dir, 'events.db');
    serve = await startServe(['--body-limit', '16kb'], {
      env: { DATABASE_URL: `sqlite:${file}`, PERSONA_WEBHOOK_SECRET: SECRET },
      cwd: dir,
    });
  });
  after(() => serve.stop());

  it('answers 405 with Allow: POST to a GET', async () => {
    const res = await fetch(serve.url);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const d = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    const r = await post(serve.url, d.body, { ...d.headers, 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
  });

  it('answers 413 to a body over --body-limit, while streaming it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      // A well-formed signature header: without one the request is refused before its body is read.
      const headers = { 'content-type': 'application/json', 'persona-signature': `t=1,v1=${'a'.repeat(64)}` };
      const req = request(serve.url, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // Chunked, no Content-Length: the limit must be enforced on the stream (20 KB against 16 KB).
      for (let i = 0; i < 5; i++) req.write(Buffer.alloc(4096, 0x20));
      req.end();
    });
    assert.equal(status, 413);
  });

  it('answers 400 to a delivery without a signature header', async () => {
    const d = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    const { 'persona-signature': _omit, ...headers } = d.headers;
    const r = await post(serve.url, d.body, headers);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'missing_header');
  });

  it('answers 401 to a tampered body, without echoing the body', async () => {
    const d = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    const tampered = d.body.replace('approved', 'declined');
    const r = await post(serve.url, tampered, d.headers);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'signature_mismatch');
    assert.ok(!JSON.stringify(r.body).includes('declined'));
  });

  it('answers 400 malformed_header to a signature header it cannot read', async () => {
    const d = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    const r = await post(serve.url, d.body, { ...d.headers, 'persona-signature': 'v1=abc' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'malformed_header');
  });

  it('answers 401 timestamp_in_future to a delivery signed an hour ahead', async () => {
    const d = await createSignedDelivery({
      event: 'inquiry.approved',
      secret: SECRET,
      timestamp: Math.floor(Date.now() / 1000) + 3600,
    });
    const r = await post(serve.url, d.body, d.headers);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'timestamp_in_future');
  });

  it('answers 400 invalid_event to correctly signed JSON that is not an event envelope', async () => {
    const body = JSON.stringify({ data: { type: 'inquiry', id: 'inq_not_an_event', attributes: {} } });
    const header = await signPayload({ body, secret: SECRET });
    const r = await post(serve.url, body, { 'content-type': 'application/json', 'persona-signature': header });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_event');
  });

  it('answers 503 store_unavailable with Retry-After while another process holds the SQLite write lock, then stores the retry', async () => {
    const delivery = await createSignedDelivery({
      body: JSON.stringify(createSampleEvent('inquiry.completed')),
      secret: SECRET,
    });
    const id = (JSON.parse(delivery.body as string) as { data: { id: string } }).data.id;
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE'); // what a long write by another process looks like to serve
      const r = await post(serve.url, delivery.body as string, delivery.headers);
      assert.equal(r.status, 503);
      assert.equal(r.body.error, 'store_unavailable');
      assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
      other.exec('COMMIT');
      assert.equal(stored(other, id), 0);
      const again = await post(serve.url, delivery.body as string, delivery.headers);
      assert.equal(again.status, 200, 'the retry is stored once the lock is gone');
      assert.notEqual((again.body as { duplicate?: boolean }).duplicate, true, 'the 503 delivery had not been stored');
      assert.equal(stored(other, id), 1);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });

  it('answers 400 to a correctly signed body that is not JSON', async () => {
    const body = '{not json';
    const header = await signPayload({ body, secret: SECRET });
    const r = await post(serve.url, body, { 'content-type': 'application/json', 'persona-signature': header });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_json');
  });

  it('counts the 405, 415 and 413 answers in its metrics, though they never reach the receiver', async () => {
    const d = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    assert.equal((await fetch(serve.url)).status, 405);
    assert.equal((await post(serve.url, d.body, { ...d.headers, 'content-type': 'text/plain' })).status, 415);
    const big = 'x'.repeat(20 * 1024);
    assert.equal((await post(serve.url, big, d.headers)).status, 413);
    const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
    for (const reason of ['method_not_allowed', 'unsupported_media_type', 'payload_too_large']) {
      assert.match(metrics, new RegExp(`persona_webhooks_rejected_total\\{reason="${reason}"\\} [1-9]`), reason);
    }
    assert.match(metrics, /persona_webhooks_deliveries_total\{outcome="rejected"\} [1-9]/);
  });

  it('answers 404 elsewhere, naming the webhook path', async () => {
    const res = await fetch(`${serve.origin}/webhook`, { method: 'POST' });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { message: string }).message, /POST \/webhooks\/persona/);
  });
});

const pg = postgresForTests('server-http-input');
describe('serve while PostgreSQL is down', { skip: pg.skip, timeout: 120_000 }, () => {
  let proxy: TcpProxy;
  let serve: ServeProcess;
  before(async () => {
    await pg.setUp();
    const target = new URL(pg.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    serve = await startServe([], {
      env: { DATABASE_URL: target.toString(), PERSONA_DB_SCHEMA: pg.schema, PERSONA_WEBHOOK_SECRET: SECRET },
    });
  });
  after(async () => {
    await serve?.stop();
    await proxy?.close();
    await pg.tearDown();
  });

  it('answers 503 and acknowledges nothing while the database is unreachable, then recovers', async () => {
    const first = await createSignedDelivery({ event: 'inquiry.approved', secret: SECRET });
    assert.equal((await post(serve.url, first.body, first.headers)).status, 200);

    proxy.cut();
    const during = await createSignedDelivery({
      body: JSON.stringify(createSampleEvent('inquiry.completed')),
      secret: SECRET,
    });
    const r = await post(serve.url, during.body, during.headers);
    assert.equal(r.status, 503);
    assert.equal(r.body.error, 'store_unavailable');
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await fetch(`${serve.origin}/readyz`)).status, 503);
    assert.equal((await fetch(`${serve.origin}/healthz`)).status, 200, 'alive even when not ready');

    proxy.restore();
    await waitFor(async () => (await fetch(`${serve.origin}/readyz`)).status === 200, 15_000, 'ready again');
    const again = await post(serve.url, during.body, during.headers);
    assert.equal(again.status, 200, 'the retried delivery is stored once the database is back');
    assert.notEqual((again.body as { duplicate?: boolean }).duplicate, true, 'the 503 delivery had not been stored');
    const id = (JSON.parse(during.body) as { data: { id: string } }).data.id;
    const rows = await pg.pool().query(`select id from "${pg.schema}".persona_webhook_events where id = $1`, [id]);
    assert.equal(rows.rowCount, 1);
  });
});
