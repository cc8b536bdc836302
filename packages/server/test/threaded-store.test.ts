// serve's SQLite store in a worker thread, as serve opens it: the store conformance suite, unchanged, and the
// duplicate path that is answered on the main thread from a read-only connection (not sent to the writer).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type NewEvent, PersonaWebhookError } from 'persona-webhooks';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import { defineStoreSuite } from '../../persona-webhooks/test/conformance/store-suite.js';
import { deliveriesInFile } from '../../persona-webhooks/test/helpers/sqlite-deliveries.js';
// The built module: its worker thread loads dist/service/sqlite-thread.js (npm test builds first).
import { openDatabase } from '../dist/service/database.js';
import { packObjectIds, unpackObjectIds } from '../dist/service/object-ids-message.js';
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
    const { store, answerDuplicate } = t.threaded;
    assert.equal(answerDuplicate(event('evt_dup1')), undefined, 'not stored yet: the store inserts it');
    assert.deepEqual(await store.insertIfAbsent(event('evt_dup1')), { inserted: true, status: 'pending' });
    const readsBefore = t.threaded.duplicateReads().reads;
    // Several duplicates in one turn, then a read issued right after them: the read sees all of them.
    for (let i = 0; i < 3; i++)
      assert.deepEqual(answerDuplicate(event('evt_dup1')), { inserted: false, status: 'pending' });
    assert.equal((await store.get('evt_dup1'))?.deliveries, 4);
    // Its insert was answered here, so its duplicates are answered from memory: no read at all.
    assert.equal(t.threaded.duplicateReads().reads, readsBefore);
    // With the status last seen here (the receiver reads only `inserted`), still counted.
    const [claimed] = await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
    assert.equal(claimed?.id, 'evt_dup1');
    assert.equal(await store.complete('evt_dup1', 'w'), true);
    assert.deepEqual(answerDuplicate(event('evt_dup1')), { inserted: false, status: 'pending' });
    assert.equal((await store.get('evt_dup1'))?.deliveries, 5);
  });

  it('reads the status of an event another connection stored, then remembers it', async () => {
    const own = await openThreaded();
    const other = new Database(own.file);
    try {
      const otherStore = createSqliteStore({ database: other });
      await otherStore.insertIfAbsent(event('evt_elsewhere'));
      await otherStore.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
      await otherStore.complete('evt_elsewhere', 'w');
      await otherStore.close();
      const { answerDuplicate } = own.threaded;
      assert.deepEqual(answerDuplicate(event('evt_elsewhere')), { inserted: false, status: 'succeeded' });
      assert.deepEqual(own.threaded.duplicateReads(), { reads: 1, found: 1 });
      assert.deepEqual(answerDuplicate(event('evt_elsewhere')), { inserted: false, status: 'succeeded' });
      assert.deepEqual(own.threaded.duplicateReads(), { reads: 1, found: 1 }, 'the second one from memory');
      assert.equal((await own.threaded.store.get('evt_elsewhere'))?.deliveries, 3);
    } finally {
      other.close();
      await own.cleanup();
    }
  });

  it('forgets what it remembered when a prune deletes records: the next delivery is new again', async () => {
    const own = await openThreaded();
    try {
      const { store, answerDuplicate } = own.threaded;
      await store.insertIfAbsent(event('evt_pruned', { receivedAt: new Date(Date.now() - 3_600_000) }));
      await store.insertIfAbsent(event('evt_kept'));
      await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
      await store.complete('evt_pruned', 'w');
      // A prune that deletes nothing keeps the memory.
      assert.equal((await store.prune({ recordsBefore: new Date(Date.now() - 7_200_000) })).recordsDeleted, 0);
      assert.equal(answerDuplicate(event('evt_pruned'))?.inserted, false);
      assert.equal(own.threaded.duplicateReads().reads, 0);
      assert.equal((await store.prune({ recordsBefore: new Date(Date.now() - 60_000) })).recordsDeleted, 1);
      assert.equal(answerDuplicate(event('evt_pruned')), undefined, 'deleted: the store inserts it again');
      assert.deepEqual(await store.insertIfAbsent(event('evt_pruned')), { inserted: true, status: 'pending' });
      // evt_kept was forgotten too, and is found again by a read.
      assert.equal(answerDuplicate(event('evt_kept'))?.inserted, false);
      assert.equal(own.threaded.duplicateReads().found, 1);
    } finally {
      await own.cleanup();
    }
  });

  it('reads only one delivery in 64 while duplicates are rare, and every one again once they come', async () => {
    const own = await openThreaded();
    const other = new Database(own.file);
    try {
      const { store, answerDuplicate } = own.threaded;
      // 160 new events, as serve sends them: answerDuplicate first (nothing found), then the store.
      for (let i = 0; i < 160; i++) {
        const e = event(`evt_new${i}`);
        assert.equal(answerDuplicate(e), undefined);
        assert.equal((await store.insertIfAbsent(e)).inserted, true);
      }
      // Reads that found nothing made reading rare: about 30 reads, then one in 64.
      const { reads } = own.threaded.duplicateReads();
      assert.ok(reads >= 28 && reads <= 40, `${reads} of 160 new events read`);
      // Redeliveries of what this store inserted are answered from memory, every one, without a read.
      for (let i = 0; i < 160; i++) assert.equal(answerDuplicate(event(`evt_new${i}`))?.inserted, false);
      assert.equal(own.threaded.duplicateReads().reads, reads);
      // A storm of redeliveries of events stored by another process (before a restart, say): within 64 of them
      // one is read and found, and from then on all are read.
      const otherStore = createSqliteStore({ database: other });
      for (let i = 0; i < 100; i++) await otherStore.insertIfAbsent(event(`evt_old${i}`));
      await otherStore.close();
      const answers = Array.from({ length: 100 }, (_, i) => answerDuplicate(event(`evt_old${i}`)));
      const firstRead = answers.findIndex((a) => a !== undefined);
      assert.ok(firstRead >= 0 && firstRead < 64, `first duplicate read at ${firstRead}`);
      assert.ok(
        answers.slice(firstRead).every((a) => a?.inserted === false),
        'every duplicate after the first found is answered here',
      );
      // Those left to the store are answered (and counted) by the writer thread.
      for (const [i, a] of answers.entries()) {
        if (a === undefined) assert.equal((await store.insertIfAbsent(event(`evt_old${i}`))).inserted, false);
      }
      for (let i = 0; i < 100; i++) assert.equal((await store.get(`evt_old${i}`))?.deliveries, 2);
    } finally {
      other.close();
      await own.cleanup();
    }
  });

  it('refuses a missing event with a rejection from the thread, not a throw here', async () => {
    await assert.rejects(
      t.threaded.store.insertIfAbsent(undefined as never),
      (e: unknown) => e instanceof PersonaWebhookError && e.code === 'invalid_options',
    );
  });

  it('does not count a copy recovered through the API as a delivery', async () => {
    const { store, answerDuplicate } = t.threaded;
    await store.insertIfAbsent(event('evt_api1'));
    assert.deepEqual(answerDuplicate(event('evt_api1', { source: 'api' })), { inserted: false, status: 'pending' });
    assert.equal((await store.get('evt_api1'))?.deliveries, 1);
  });

  it('leaves an invalid event to the store, which refuses it with its own error', async () => {
    const { store, answerDuplicate } = t.threaded;
    await store.insertIfAbsent(event('evt_bad1'));
    const bad = event('evt_bad1', { createdAt: new Date(Number.NaN) });
    assert.equal(answerDuplicate(bad), undefined);
    await assert.rejects(
      store.insertIfAbsent(bad),
      (e: unknown) => e instanceof PersonaWebhookError && e.code === 'invalid_options' && /createdAt/.test(e.message),
    );
  });

  it('writes the counts to the file when no other call comes to carry them', async () => {
    const own = await openThreaded();
    const db = new Database(own.file, { readonly: true });
    try {
      await own.threaded.store.insertIfAbsent(event('evt_idle1'));
      for (let i = 0; i < 3; i++) own.threaded.answerDuplicate(event('evt_idle1'));
      // Posted after 50 ms, written by the store within a second of that: nothing else is called meanwhile.
      let seen = deliveriesInFile(db, 'evt_idle1');
      for (let waited = 0; seen < 4 && waited < 3000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = deliveriesInFile(db, 'evt_idle1');
      }
      assert.equal(seen, 4);
    } finally {
      db.close();
      await own.cleanup();
    }
  });

  it('writes the counts durably: another connection sees them once the store is closed', async () => {
    const own = await openThreaded();
    await own.threaded.store.insertIfAbsent(event('evt_dur1'));
    for (let i = 0; i < 3; i++) own.threaded.answerDuplicate(event('evt_dur1'));
    await own.threaded.close();
    const db = new Database(own.file, { readonly: true });
    try {
      assert.equal(deliveriesInFile(db, 'evt_dur1'), 4);
    } finally {
      db.close();
      await own.cleanup();
    }
  });
});

describe('object ids sent to the SQLite thread', () => {
  it('cross as one string when that is lossless, and as the array otherwise', () => {
    const ids = ['inq_1', 'ver_2', 'inq_1', 'a "quoted" \\ id', 'é'];
    const packed = packObjectIds(ids);
    assert.equal(typeof packed, 'string');
    assert.deepEqual(unpackObjectIds(packed as string), ids);
    assert.deepEqual(unpackObjectIds(packObjectIds([]) as string), []);
    for (const lossy of [[''], ['a', ''], ['a\u0000b'], ['a', 7], 'inq_1', null]) {
      assert.equal(packObjectIds(lossy), undefined, JSON.stringify(lossy));
    }
  });
});

describe('serve’s store (openDatabase): duplicates answered before the protection layer', () => {
  it('answers a duplicate without encrypting or scanning it, and inserts a new event through protection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'persona-opendb-'));
    const file = join(dir, 'events.db');
    const opened = await openDatabase(
      { kind: 'sqlite', file },
      { sqliteThread: true, protection: { encryptionKeys: [{ id: 'k1', key: randomBytes(32) }] } },
    );
    try {
      await opened.store.migrate();
      // Count the protection layer's encryptions (the keyring object it holds).
      const keyring = opened.store.keyring;
      assert.ok(keyring);
      let encryptions = 0;
      const encrypt = keyring.encrypt.bind(keyring);
      keyring.encrypt = (id, body) => {
        encryptions += 1;
        return encrypt(id, body);
      };
      const first = event('evt_p1');
      assert.deepEqual(await opened.store.insertIfAbsent(first), { inserted: true, status: 'pending' });
      // The stored row is encrypted (protection ran for the new event) and opens to the body.
      const raw = await opened.store.inner.get('evt_p1');
      assert.ok(raw?.body && raw.body !== first.body, 'stored encrypted');
      assert.equal((await opened.store.get('evt_p1'))?.body, first.body);
      // A duplicate whose body protection could not even read (not JSON) is still answered: nothing of it is
      // stored, so it never reaches the scan or the keyring.
      const answer = await opened.store.insertIfAbsent({ ...first, body: 'not json' });
      assert.deepEqual(answer, { inserted: false, status: 'pending' });
      assert.equal(encryptions, 1, 'only the new event went through the protection layer');
      const stored = await opened.store.get('evt_p1');
      assert.equal(stored?.deliveries, 2);
      assert.equal(stored?.body, first.body, 'the stored payload is untouched');
    } finally {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
