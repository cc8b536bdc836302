// SIGTERM in the middle of a burst: nothing that was acknowledged is lost, in-flight handlers finish or are
// released, and the process exits 0.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createSampleEvent, createSignedDelivery } from 'persona-webhooks/testing';
import { handledIds, startServe, waitFor } from './helpers/serve.js';

const SECRET = 'wbhsec_shutdown-e2e';
const HANDLERS = fileURLToPath(new URL('./fixtures/slow-handler.mjs', import.meta.url));
const STUBBORN = fileURLToPath(new URL('./fixtures/stubborn-handler.mjs', import.meta.url));

describe('serve under SIGTERM', { timeout: 120_000 }, () => {
  it('loses nothing it acknowledged during a burst, and exits 0', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-shutdown-'));
    const file = join(dir, 'events.db');
    const handled = join(dir, 'handled.txt');
    const serve = await startServe(['--handlers', HANDLERS, '--poll-interval', '20ms', '--shutdown-timeout', '5s'], {
      env: {
        DATABASE_URL: `sqlite:${file}`,
        PERSONA_WEBHOOK_SECRET: SECRET,
        HANDLED_FILE: handled,
        HANDLER_DELAY_MS: '150',
      },
      cwd: dir,
    });
    const deliveries = await Promise.all(
      Array.from({ length: 400 }, () =>
        createSignedDelivery({ body: JSON.stringify(createSampleEvent('inquiry.approved')), secret: SECRET }),
      ),
    );
    const acked: string[] = [];
    const failed: string[] = [];
    let next = 0;
    let exitCode: Promise<number | null> | undefined;
    const sender = async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++];
        if (d === undefined) break;
        const id = (JSON.parse(d.body) as { data: { id: string } }).data.id;
        try {
          const res = await fetch(serve.url, { method: 'POST', headers: d.headers, body: d.body });
          await res.arrayBuffer();
          if (res.status >= 200 && res.status < 300) acked.push(id);
          else failed.push(id);
        } catch {
          failed.push(id);
        }
        // Signal in the middle of the burst, with requests and handlers in flight.
        if (acked.length === 150 && exitCode === undefined) exitCode = serve.stop('SIGTERM');
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    assert.ok(exitCode, 'SIGTERM was sent during the burst');
    assert.equal(await exitCode, 0, 'exit 0 after a graceful stop');
    assert.ok(acked.length >= 150, `acked ${acked.length}`);

    const db = new Database(file, { readonly: true });
    const rows = db.prepare('select id, status, locked_by from persona_webhook_events').all() as {
      id: string;
      status: string;
      locked_by: string | null;
    }[];
    db.close();
    const stored = new Map(rows.map((r) => [r.id, r]));
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], 'every acknowledged event is in the database');
    const processing = rows.filter((r) => r.status === 'processing');
    assert.deepEqual(processing, [], 'no event left leased: in-flight ones finished or were released');
    const once = handledIds(handled);
    assert.equal(new Set(once).size, once.length, 'no event handled twice');
    for (const id of once) assert.equal(stored.get(id)?.status, 'succeeded');
    const released = rows.filter((r) => r.status === 'pending').length;
    t.diagnostic(
      `acked ${acked.length}, not acked ${failed.length}, stored ${rows.length}, handled ${once.length}, pending after stop ${released}`,
    );
    const logs = serve.logs().map((l) => l.msg);
    assert.ok(logs.includes('shutting down: no new connections'));
    assert.ok(logs.includes('stopped'));
  });

  it('exits past --shutdown-timeout when a handler ignores its abort signal, leaving its event leased', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-shutdown-stubborn-'));
    const file = join(dir, 'events.db');
    const handled = join(dir, 'handled.txt');
    const serve = await startServe(['--handlers', STUBBORN, '--poll-interval', '20ms', '--shutdown-timeout', '1s'], {
      env: { DATABASE_URL: `sqlite:${file}`, PERSONA_WEBHOOK_SECRET: SECRET, HANDLED_FILE: handled },
      cwd: dir,
    });
    const d = await createSignedDelivery({
      body: JSON.stringify(createSampleEvent('inquiry.approved', { id: 'evt_stubborn' })),
      secret: SECRET,
    });
    const res = await fetch(serve.url, { method: 'POST', headers: d.headers, body: d.body });
    assert.equal(res.status, 200);
    await waitFor(() => existsSync(handled) && readFileSync(handled, 'utf8').includes('start evt_stubborn'));
    // The handler sleeps 60 s; the process must be gone long before (the test's own timeout guards it).
    const exited = serve.stop('SIGTERM');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'still running' as const)]);
    if (code === 'still running') await serve.stop('SIGKILL');
    assert.equal(code, 0, 'exited after the deadline');
    assert.ok(!readFileSync(handled, 'utf8').includes('end evt_stubborn'));
    const db = new Database(file, { readonly: true });
    const row = db.prepare('select status, locked_by from persona_webhook_events where id = ?').get('evt_stubborn') as {
      status: string;
      locked_by: string | null;
    };
    db.close();
    // Not released while its handler still ran: no second worker could start it at the same time.
    assert.equal(row.status, 'processing');
    assert.notEqual(row.locked_by, null);
    assert.ok(serve.logs().some((l) => String(l.msg).startsWith('handlers ignored their abort signal')));
  });
});
