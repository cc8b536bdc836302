// serve's SQLite store in a worker thread, as serve opens it: the store conformance suite, unchanged, and the
// duplicate path that is answered on the main thread from a read-only connection (not sent to the writer).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type NewEvent, PersonaWebhookError } from 'persona-webhooks';
import { defineStoreSuite } from '../../persona-webhooks/test/conformance/store-suite.js';
// The built module: its worker thread loads dist/service/sqlite-thread.js (npm test builds first).
import { createThreadedSqliteStore, type ThreadedSqliteStore } from '../dist/service/threaded-store.js';

async function openThreaded(): Promise<{ threaded: ThreadedSqliteStore; file: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'persona-threaded-'));
  const file = join(dir, 'events.db');
  const threaded = await createThreadedSqliteStore(file, Database);
  await threaded.store.migrate();
  return {
    threaded,
    file,
    cleanup: async () => {
      await threaded.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

defineStoreSuite(
  'SQLite in a worker thread (serve)',
  async () => {
    const { threaded, cleanup } = await openThreaded();
    return { store: threaded.store, cleanup };
  },
  { errorClass: PersonaWebhookError },
);

const event = (id: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  id,
  name: 'inquiry.approved',
  createdAt: new Date(Date.now() - 60_000),
  resourceId: `inq_${id}`,
  body: JSON.stringify({ data: { id, attributes: { name: 'inquiry.approved' } } }),
  ...extra,
});

describe('serve’s threaded SQLite store: duplicates answered on the main thread', () => {
  let t: Awaited<ReturnType<typeof openThreaded>>;
  before(async () => {
    t = await openThreaded();
  });
  after(() => t.cleanup());

  it('answers a duplicate with the stored status and counts every delivery, in order with later calls', async () => {
    const { store } = t.threaded;
    assert.deepEqual(await store.insertIfAbsent(event('evt_dup1')), { inserted: true, status: 'pending' });
    // Several duplicates in one turn, then a read issued right after them: the read sees all of them.
    const answers = await Promise.all([
      store.insertIfAbsent(event('evt_dup1')),
      store.insertIfAbsent(event('evt_dup1')),
      store.insertUnlessTombstoned?.(event('evt_dup1'), ['inq_evt_dup1']),
    ]);
    for (const a of answers) assert.deepEqual(a, { inserted: false, status: 'pending' });
    assert.equal(t.threaded.duplicatesAnsweredHere(), 3, 'answered from the read, not by the writer thread');
    assert.equal((await store.get('evt_dup1'))?.deliveries, 4);
    // The status is read from the database, not remembered: after the worker's completion it is succeeded.
    const [claimed] = await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
    assert.equal(claimed?.id, 'evt_dup1');
    assert.equal(await store.complete('evt_dup1', 'w'), true);
    assert.deepEqual(await store.insertIfAbsent(event('evt_dup1')), { inserted: false, status: 'succeeded' });
    assert.equal(t.threaded.duplicatesAnsweredHere(), 4);
    assert.equal((await store.get('evt_dup1'))?.deliveries, 5);
  });

  it('does not count a copy recovered through the API as a delivery', async () => {
    const { store } = t.threaded;
    await store.insertIfAbsent(event('evt_api1'));
    assert.deepEqual(await store.insertIfAbsent(event('evt_api1', { source: 'api' })), {
      inserted: false,
      status: 'pending',
    });
    assert.equal((await store.get('evt_api1'))?.deliveries, 1);
  });

  it('refuses an invalid event with the store’s own error, even when its id is stored', async () => {
    const { store } = t.threaded;
    await store.insertIfAbsent(event('evt_bad1'));
    await assert.rejects(
      store.insertIfAbsent(event('evt_bad1', { createdAt: new Date(Number.NaN) })),
      (e: unknown) => e instanceof PersonaWebhookError && e.code === 'invalid_options' && /createdAt/.test(e.message),
    );
  });

  it('writes the counts durably: another connection sees them once the store is closed', async () => {
    const own = await openThreaded();
    await own.threaded.store.insertIfAbsent(event('evt_dur1'));
    for (let i = 0; i < 3; i++) await own.threaded.store.insertIfAbsent(event('evt_dur1'));
    await own.threaded.close();
    const db = new Database(own.file, { readonly: true });
    try {
      const row = db.prepare('SELECT deliveries FROM persona_webhook_events WHERE id = ?').get('evt_dur1') as {
        deliveries: number;
      };
      assert.equal(row.deliveries, 4);
    } finally {
      db.close();
      await own.cleanup();
    }
  });
});
