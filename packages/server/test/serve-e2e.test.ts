// End to end with real processes: `serve` as a child process on SQLite and on PostgreSQL, events sent by
// the `trigger` CLI (duplicates, rotation, three inflections), handler side effects observed from outside.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { postgresForTests } from '../../persona-webhooks/test/helpers/pg.js';
import { runCli } from './helpers/cli.js';
import { handledIds, type ServeProcess, startServe, succeededRecords } from './helpers/serve.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/append-handler.mjs', import.meta.url));
const NEW = 'wbhsec_e2e-new-secret';
const OLD = 'wbhsec_e2e-old-secret';

interface TriggerJson {
  responses: { eventId: string; status: number; response: { duplicate?: boolean } }[];
}

function defineServeSuite(label: string, database: () => Record<string, string>, skip: string | false = false) {
  describe(`serve on ${label}`, { skip, timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), `pw-e2e-${label.toLowerCase()}-`));
    const handled = join(dir, 'handled.txt');
    let serve: ServeProcess;
    let env: Record<string, string>;
    const accepted = new Set<string>();

    before(async () => {
      env = { ...database(), PERSONA_WEBHOOK_SECRET: `${NEW},${OLD}`, HANDLED_FILE: handled };
      serve = await startServe(['--handlers', HANDLERS, '--poll-interval', '50ms', '--concurrency', '4'], {
        env,
        cwd: dir,
      });
    });
    after(async () => {
      if (serve) assert.equal(await serve.stop('SIGTERM'), 0, 'serve exits 0 on SIGTERM');
    });

    const trigger = async (args: string[]) => {
      const r = await runCli(['trigger', ...args, '--url', serve.url, '--json']);
      const out = JSON.parse(r.stdout) as TriggerJson;
      return { code: r.code, out };
    };

    it('acknowledges each event once and each duplicate as a duplicate', async () => {
      const { code, out } = await trigger([
        'inquiry.approved',
        '--secret',
        NEW,
        '--count',
        '6',
        '--duplicates',
        '4',
        '--concurrency',
        '3',
      ]);
      assert.equal(code, 0);
      assert.equal(out.responses.length, 24);
      const byId = new Map<string, number>();
      for (const r of out.responses) {
        assert.equal(r.status, 200);
        if (r.response.duplicate !== true) byId.set(r.eventId, (byId.get(r.eventId) ?? 0) + 1);
        accepted.add(r.eventId);
      }
      assert.equal(accepted.size, 6);
      for (const [id, n] of byId) assert.equal(n, 1, `${id} accepted as new exactly once`);
    });

    it('accepts a rotation header signed with the old secret and events in every inflection', async () => {
      for (const args of [
        ['inquiry.completed', '--secret', OLD, '--rotate'],
        ['report/watchlist.matched', '--secret', NEW, '--inflection', 'camel', '--duplicates', '3'],
        ['verification.passed', '--secret', NEW, '--inflection', 'snake'],
        ['case.created', '--secret', NEW],
      ]) {
        const { code, out } = await trigger(args);
        assert.equal(code, 0, args.join(' '));
        for (const r of out.responses) accepted.add(r.eventId);
      }
    });

    it('rejects a stale delivery and a wrong secret without storing them', async () => {
      const stale = await trigger(['inquiry.approved', '--secret', NEW, '--stale']);
      assert.equal(stale.code, 1);
      assert.equal(stale.out.responses[0]?.status, 401);
      const wrong = await trigger(['inquiry.approved', '--secret', 'wbhsec_someone-else']);
      assert.equal(wrong.out.responses[0]?.status, 401);
      const ids = [stale.out.responses[0]?.eventId, wrong.out.responses[0]?.eventId];
      for (const id of ids) {
        const show = await runCli(['events', 'show', String(id)], { env: database() });
        assert.equal(show.code, 1, 'a rejected event is not stored');
      }
    });

    it('runs the handler exactly once per event, as seen from outside the process', async () => {
      const records = await succeededRecords(database(), [...accepted]);
      for (const id of accepted) {
        const record = records.get(id);
        assert.deepEqual([record?.attempts, record?.finishedAttempts], [1, 1], `${id} ran in one attempt`);
      }
      const ids = handledIds(handled);
      assert.deepEqual([...new Set(ids)].sort(), [...accepted].sort());
      assert.equal(ids.length, accepted.size, 'no event handled twice');
    });

    it('reports the stored events through the events command', async () => {
      const stats = await runCli(['events', 'stats', '--json'], { env: database() });
      assert.equal(stats.code, 0, stats.stderr);
      const s = JSON.parse(stats.stdout) as { byStatus: Record<string, number>; total: number };
      assert.equal(s.total, accepted.size);
      assert.equal(s.byStatus.succeeded, accepted.size);
      const list = await runCli(['events', 'list', '--name', 'inquiry.approved', '--json'], { env: database() });
      const page = JSON.parse(list.stdout) as { events: { id: string; deliveries: number; status: string }[] };
      assert.equal(page.events.length, 6);
      for (const e of page.events) {
        assert.equal(e.status, 'succeeded');
        assert.equal(e.deliveries, 4);
      }
    });

    it('serves health, readiness and Prometheus metrics without payload content', async () => {
      const health = await fetch(`${serve.origin}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${serve.origin}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { database: string }).database, 'reachable');
      const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
      assert.match(metrics, /persona_webhooks_deliveries_total\{outcome="duplicate"\} 20/);
      assert.match(metrics, /persona_webhooks_rejected_total\{reason="timestamp_too_old"\} 1/);
      assert.match(metrics, /persona_webhooks_rejected_total\{reason="signature_mismatch"\} 1/);
      assert.match(metrics, /persona_webhooks_processed_total\{event="inquiry\.approved"\} 6/);
      assert.match(metrics, /persona_webhooks_queue_depth\{status="succeeded"\} \d+/);
      assert.match(metrics, /persona_webhooks_oldest_pending_age_seconds 0/);
      assert.match(metrics, /persona_webhooks_ack_duration_seconds_bucket/);
      assert.match(metrics, /persona_webhooks_handler_duration_seconds_bucket/);
      for (const id of accepted) assert.ok(!metrics.includes(id), 'no event id in metrics');
      assert.ok(!metrics.includes('wbhsec_'), 'no secret in metrics');
    });

    it('writes JSON logs that carry no secret and no payload content', () => {
      const { stdout } = serve.output();
      assert.ok(!stdout.includes('wbhsec_'), 'no secret in logs');
      assert.ok(!stdout.includes('"attributes"'), 'no payload in logs');
      assert.ok(serve.logs().some((l) => l.msg === 'delivery rejected' && l.code === 'signature_mismatch'));
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'pw-e2e-sqlite-db-'));
defineServeSuite('SQLite', () => ({ DATABASE_URL: `sqlite:${join(sqliteDir, 'events.db')}` }));
defineServeSuite('SQLite-in-a-worker-thread', () => ({
  DATABASE_URL: `sqlite:${join(sqliteDir, 'threaded.db')}`,
  PERSONA_SQLITE_THREAD: '1',
}));

const pg = postgresForTests('server-e2e');
describe('PostgreSQL setup', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  defineServeSuite('PostgreSQL', () => ({ DATABASE_URL: pg.url, PERSONA_DB_SCHEMA: pg.schema }));
});
