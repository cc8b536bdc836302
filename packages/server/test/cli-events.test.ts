// `migrate`, `events list|show|replay|stats` and `trigger --payload` against real files and a real server.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import { createSampleEvent } from 'persona-webhooks/testing';
import { runCli } from './helpers/cli.js';
import { startTarget } from './helpers/target.js';

describe('events and migrate on a SQLite file', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-events-'));
  const file = join(dir, 'events.db');
  const env = { DATABASE_URL: `sqlite:${file}` };
  const ids = ['evt_cliEvents000001', 'evt_cliEvents000002', 'evt_cliEvents000003'];

  before(async () => {
    const migrated = await runCli(['migrate'], { env });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /migrated SQLite .*events\.db/);
    // Put events in states the commands act on, through the library's own store.
    const db = new Database(file);
    const store = createSqliteStore({ database: db });
    for (const [i, id] of ids.entries()) {
      const body = JSON.stringify(createSampleEvent('inquiry.approved', { id }));
      await store.insertIfAbsent({
        id,
        name: 'inquiry.approved',
        createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        resourceId: `inq_${i}`,
        body,
      });
    }
    const [claimed] = await store.claim({ owner: 'test', leaseMs: 60_000, limit: 1, ids: [ids[0] as string] });
    assert.ok(claimed);
    await store.fail(claimed.id, 'test', { error: 'forward answered 500', retryAt: null });
    await store.close();
    db.close();
  });

  it('lists events newest first with their status, and filters by status and time', async () => {
    const all = JSON.parse((await runCli(['events', 'list', '--json'], { env })).stdout) as {
      events: { id: string; status: string }[];
    };
    assert.deepEqual(
      all.events.map((e) => e.id),
      [...ids].reverse(),
    );
    const dead = JSON.parse((await runCli(['events', 'list', '--status', 'dead', '--json'], { env })).stdout) as {
      events: { id: string }[];
    };
    assert.deepEqual(
      dead.events.map((e) => e.id),
      [ids[0]],
    );
    const recent = JSON.parse(
      (await runCli(['events', 'list', '--since', '2026-01-02', '--json'], { env })).stdout,
    ) as { events: unknown[] };
    assert.equal(recent.events.length, 2);
    const human = await runCli(['events', 'list'], { env });
    assert.match(human.stdout, /dead\s+1\s+inquiry\.approved\s+evt_cliEvents000001\s+forward answered 500/);
  });

  it('shows one event without its body unless --body is given', async () => {
    const plain = await runCli(['events', 'show', ids[1] as string], { env });
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /status\s+pending/);
    assert.ok(!plain.stdout.includes('"attributes"'), 'no payload by default');
    const withBody = await runCli(['events', 'show', ids[1] as string, '--body', '--json'], { env });
    assert.match((JSON.parse(withBody.stdout) as { body: string }).body, /"inquiry\.approved"/);
  });

  it('replays a dead event by id and refuses one that is still pending', async () => {
    const ok = await runCli(['events', 'replay', ids[0] as string, '--json'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { requeued: number }).requeued, 1);
    const pending = await runCli(['events', 'replay', ids[1] as string], { env });
    assert.equal(pending.code, 1);
    assert.match(pending.stdout, /1 not replayed/);
    const stats = JSON.parse((await runCli(['events', 'stats', '--json'], { env })).stdout) as {
      byStatus: Record<string, number>;
      total: number;
    };
    assert.equal(stats.byStatus.pending, 3);
    assert.equal(stats.total, 3);
  });

  it('says the table is missing on a database that was never migrated (exit 4)', async () => {
    const r = await runCli(['events', 'list'], { env: { DATABASE_URL: `sqlite:${join(dir, 'empty.db')}` } });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /has no events table yet: run "persona-webhooks migrate"/);
  });
});

describe('trigger --payload', { timeout: 60_000 }, () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  before(async () => {
    target = await startTarget('wbhsec_payload');
  });
  after(() => target.close());

  it('sends the file byte for byte, signed, so the receiver verifies it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-payload-'));
    const file = join(dir, 'saved.json');
    // Spacing and a float that JSON.stringify would rewrite: the bytes must arrive as they are.
    const text = `{ "data": {"type":"event","id":"evt_payloadFile1","attributes":{"name":"inquiry.approved","created-at":"2026-01-01T00:00:00.000Z","payload":{"data":{"type":"inquiry","id":"inq_1","attributes":{"score":1.0}}}}}}\r\n`;
    writeFileSync(file, text);
    const r = await runCli([
      'trigger',
      'inquiry.approved',
      '--url',
      target.url,
      '--secret',
      'wbhsec_payload',
      '--payload',
      file,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(target.received, ['evt_payloadFile1']);
  });
});

describe('trigger --api-version', { timeout: 60_000 }, () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  before(async () => {
    target = await startTarget('wbhsec_versions');
  });
  after(() => target.close());

  const trigger = (...extra: string[]) =>
    runCli(['trigger', 'inquiry.approved', '--url', target.url, '--secret', 'wbhsec_versions', ...extra]);

  it('sends 2025-12-08 by default: personal data only in fields', async () => {
    const r = await trigger();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const attributes = target.events.at(-1)?.payload.data.attributes as Record<string, unknown>;
    assert.equal(attributes['name-first'], undefined);
    assert.equal(typeof (attributes.fields as Record<string, { value: unknown }>)['name-first']?.value, 'string');
  });

  it('sends a 2023-01-05 inquiry, with top-level names, in the chosen inflection', async () => {
    const r = await trigger('--api-version', '2023-01-05', '--inflection', 'camel');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const attributes = target.events.at(-1)?.payload.data.attributes as Record<string, unknown>;
    assert.equal(typeof attributes.nameFirst, 'string');
  });

  it('refuses a version it has no shapes for (exit 2)', async () => {
    const r = await trigger('--api-version', '2021-07-05');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--api-version must be 2025-12-08 or 2023-01-05/);
  });
});
