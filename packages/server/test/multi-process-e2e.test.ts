// Several serve processes on one database: two `--role web` receivers and one `--role worker`, the same
// events delivered to both receivers at once; each event is handled exactly once, seen from outside.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSampleEvent, createSignedDelivery } from 'persona-webhooks/testing';
import { postgresForTests } from '../../persona-webhooks/test/helpers/pg.js';
import { handledIds, type ServeProcess, startServe, succeededRecords } from './helpers/serve.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/append-handler.mjs', import.meta.url));
const SECRET = 'wbhsec_multi-process';

function defineMultiProcessSuite(label: string, database: () => Record<string, string>, skip: string | false = false) {
  describe(`two web processes and a worker on ${label}`, { skip, timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-multi-'));
    const handled = join(dir, 'handled.txt');
    const procs: ServeProcess[] = [];
    before(async () => {
      const env = { ...database(), PERSONA_WEBHOOK_SECRET: SECRET, HANDLED_FILE: handled };
      // The first start migrates; the others find nothing left to do.
      procs.push(await startServe(['--role', 'web'], { env, cwd: dir }));
      procs.push(
        ...(await Promise.all([
          startServe(['--role', 'web'], { env, cwd: dir }),
          startServe(['--role', 'worker', '--handlers', HANDLERS, '--poll-interval', '50ms'], { env, cwd: dir }),
        ])),
      );
    });
    after(async () => {
      const codes = await Promise.all(procs.map((p) => p.stop('SIGTERM')));
      assert.deepEqual(
        codes,
        codes.map(() => 0),
      );
    });

    it('handles each event once although both receivers got every delivery several times', async () => {
      const [webA, webB, worker] = procs as [ServeProcess, ServeProcess, ServeProcess];
      const events = Array.from({ length: 20 }, (_, i) =>
        createSampleEvent(i % 2 === 0 ? 'inquiry.approved' : 'inquiry.completed', {
          resourceId: `inq_multi${i % 5}`,
        }),
      );
      const results = await Promise.all(
        events.flatMap((event) =>
          Array.from({ length: 6 }, async (_, k) => {
            const d = await createSignedDelivery({ body: JSON.stringify(event), secret: SECRET });
            const res = await fetch((k % 2 === 0 ? webA : webB).url, {
              method: 'POST',
              headers: d.headers,
              body: d.body,
            });
            return { id: event.data.id, status: res.status, body: (await res.json()) as { duplicate?: boolean } };
          }),
        ),
      );
      for (const r of results) assert.equal(r.status, 200);
      const firsts = results.filter((r) => r.body.duplicate !== true).map((r) => r.id);
      assert.deepEqual([...firsts].sort(), events.map((e) => e.data.id).sort(), 'one first delivery per event');

      const records = await succeededRecords(
        database(),
        events.map((e) => e.data.id),
      );
      for (const record of records.values()) {
        assert.deepEqual([record.attempts, record.finishedAttempts], [1, 1], `${record.id} ran in one attempt`);
      }
      const ids = handledIds(handled);
      assert.equal(ids.length, events.length, 'no event handled twice');
      assert.deepEqual([...ids].sort(), events.map((e) => e.data.id).sort());
      const notFound = await fetch(`${worker.origin}/webhooks/persona`, { method: 'POST' });
      assert.equal(notFound.status, 404, 'a worker-only process receives nothing');
      assert.equal((await fetch(`${worker.origin}/readyz`)).status, 200);
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'pw-multi-sqlite-'));
defineMultiProcessSuite('one SQLite file', () => ({ DATABASE_URL: `sqlite:${join(sqliteDir, 'shared.db')}` }));

const pg = postgresForTests('server-multi');
describe('PostgreSQL multi-process setup', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  defineMultiProcessSuite('PostgreSQL', () => ({ DATABASE_URL: pg.url, PERSONA_DB_SCHEMA: pg.schema }));
});
