// The SQLite status reader on its own read-only connection, and the store's countDeliveries: what serve's
// threaded store uses to answer a duplicate without the writer (real files, two connections).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PersonaWebhookError } from '../../src/errors.js';
import { createSqliteStatusReader, createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { NewEvent } from '../../src/store/store.js';
import { deliveriesInFile } from '../helpers/sqlite-deliveries.js';

const event = (id: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  id,
  name: 'inquiry.approved',
  createdAt: new Date(Date.now() - 60_000),
  resourceId: null,
  body: '{}',
  ...extra,
});

describe('createSqliteStatusReader and SqliteStore.countDeliveries', () => {
  let dir: string;
  let writer: Database.Database;
  let reading: Database.Database;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'persona-reader-'));
    writer = new Database(join(dir, 'events.db'));
    store = createSqliteStore({ database: writer });
    reading = new Database(join(dir, 'events.db'), { readonly: true });
  });
  afterEach(async () => {
    await store.close();
    reading.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('throws the driver’s error before the migrations created the table, then reads once they did', async () => {
    const reader = createSqliteStatusReader({ database: reading });
    assert.throws(() => reader.statusOf('evt_1'), /no such table/);
    await store.migrate();
    assert.equal(reader.statusOf('evt_1'), undefined);
  });

  it('reads every call by default, and with sampleReads one in 64 while reads find nothing', async () => {
    await store.migrate();
    for (let i = 0; i < 200; i++) await store.insertIfAbsent(event(`evt_s${i}`));
    const every = createSqliteStatusReader({ database: reading });
    const sampled = createSqliteStatusReader({ database: reading, sampleReads: true });
    for (let i = 0; i < 200; i++) {
      assert.equal(every.duplicateOf(event(`evt_new${i}`)), undefined);
      assert.equal(sampled.duplicateOf(event(`evt_new${i}`)), undefined);
    }
    assert.deepEqual(every.duplicateReads(), { reads: 200, found: 0 });
    const { reads } = sampled.duplicateReads();
    assert.ok(reads >= 28 && reads <= 40, `${reads} of 200 read`);
    // Duplicates: the next read finds one, and from then on every call reads (and finds).
    const answers = Array.from({ length: 100 }, (_, i) => sampled.duplicateOf(event(`evt_s${i}`)));
    const first = answers.findIndex((a) => a !== undefined);
    assert.ok(first >= 0 && first < 64, `first read at ${first}`);
    assert.ok(answers.slice(first).every((a) => a?.inserted === false && a.status === 'pending'));
  });

  it('with rememberIds, answers remembered and found events from memory, the oldest leaving first', async () => {
    await store.migrate();
    for (const id of ['evt_a', 'evt_b', 'evt_c']) await store.insertIfAbsent(event(id));
    const reader = createSqliteStatusReader({ database: reading, rememberIds: 2 });
    // Told of an insert: its duplicate is answered with the status given, without a read.
    reader.remember('evt_a', 'pending');
    assert.deepEqual(reader.duplicateOf(event('evt_a')), { inserted: false, status: 'pending' });
    assert.deepEqual(reader.duplicateReads(), { reads: 0, found: 0 });
    // Found by a read: remembered, with the status read.
    await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1, ids: ['evt_b'] });
    await store.complete('evt_b', 'w');
    assert.deepEqual(reader.duplicateOf(event('evt_b')), { inserted: false, status: 'succeeded' });
    assert.deepEqual(reader.duplicateOf(event('evt_b')), { inserted: false, status: 'succeeded' });
    assert.deepEqual(reader.duplicateReads(), { reads: 1, found: 1 });
    // The status last seen, not the current one: statusOf reads it.
    await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1, ids: ['evt_a'] });
    assert.equal(reader.duplicateOf(event('evt_a'))?.status, 'pending');
    assert.equal(reader.statusOf('evt_a'), 'processing');
    // Not found: nothing remembered. A third id pushes the oldest (evt_a) out.
    assert.equal(reader.duplicateOf(event('evt_none')), undefined);
    reader.remember('evt_c', 'pending');
    assert.equal(reader.duplicateOf(event('evt_a'))?.status, 'processing', 'read again');
    assert.deepEqual(reader.duplicateReads(), { reads: 3, found: 2 });
    // forget(): every answer is read again. Invalid events are refused before memory is asked.
    reader.forget();
    assert.equal(reader.duplicateOf(event('evt_c'))?.status, 'pending');
    assert.deepEqual(reader.duplicateReads(), { reads: 4, found: 3 });
    assert.throws(() => reader.duplicateOf(event('evt_c', { createdAt: new Date(Number.NaN) })), /createdAt/);
  });

  it('remembers nothing by default, and refuses a rememberIds that is not a whole number in range', async () => {
    await store.migrate();
    await store.insertIfAbsent(event('evt_1'));
    const reader = createSqliteStatusReader({ database: reading });
    reader.remember('evt_1', 'pending');
    reader.duplicateOf(event('evt_1'));
    reader.duplicateOf(event('evt_1'));
    assert.deepEqual(reader.duplicateReads(), { reads: 2, found: 2 });
    for (const bad of [-1, 1.5, 1_000_001, '10', Number.NaN]) {
      assert.throws(
        () => createSqliteStatusReader({ database: reading, rememberIds: bad as never }),
        (e: unknown) => e instanceof PersonaWebhookError && /rememberIds must be a whole number/.test(e.message),
      );
    }
  });

  it('sees a committed insert and its later status from the other connection', async () => {
    await store.migrate();
    const reader = createSqliteStatusReader({ database: reading });
    await store.insertIfAbsent(event('evt_1'));
    assert.equal(reader.statusOf('evt_1'), 'pending');
    assert.deepEqual(reader.duplicateOf(event('evt_1')), { inserted: false, status: 'pending' });
    assert.equal(reader.duplicateOf(event('evt_2')), undefined);
    await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
    await store.fail('evt_1', 'w', { error: 'boom', retryAt: new Date(Date.now() + 60_000) });
    assert.equal(reader.statusOf('evt_1'), 'retrying');
  });

  it('checks an event as the store does', async () => {
    await store.migrate();
    const reader = createSqliteStatusReader({ database: reading });
    assert.throws(
      () => reader.duplicateOf(event('', {})),
      (e: unknown) => e instanceof PersonaWebhookError && e.code === 'invalid_options' && /event\.id/.test(e.message),
    );
    assert.throws(() => createSqliteStatusReader({ database: reading, table: 'bad name' }), /table/);
    assert.throws(() => createSqliteStatusReader({} as never), /better-sqlite3/);
    assert.throws(
      () => createSqliteStatusReader({ database: reading, sampleReads: 'yes' as never }),
      (e: unknown) => e instanceof PersonaWebhookError && /sampleReads must be true or false/.test(e.message),
    );
  });

  it('reads a store with its own table name', async () => {
    const named = createSqliteStore({ database: writer, table: 'hooks' });
    await named.migrate();
    await named.insertIfAbsent(event('evt_t'));
    assert.equal(createSqliteStatusReader({ database: reading, table: 'hooks' }).statusOf('evt_t'), 'pending');
    await named.close();
  });

  it('countDeliveries adds to stored events at once for reads, and to the file by close', async () => {
    await store.migrate();
    await store.insertIfAbsent(event('evt_1'));
    await store.countDeliveries(['evt_1', 'evt_1', 'evt_missing']);
    assert.equal((await store.get('evt_1'))?.deliveries, 3);
    assert.equal(await store.get('evt_missing'), null);
    await store.close();
    assert.equal(deliveriesInFile(reading, 'evt_1'), 3);
    // Counted apart from the event's row (which a count would rewrite, payload and all), and only for stored ids.
    const apart = reading.prepare('SELECT id, n FROM persona_webhook_events_deliveries').all();
    assert.deepEqual(apart, [{ id: 'evt_1', n: 2 }]);
  });

  it('deletes the counts with their event when a prune deletes its record', async () => {
    await store.migrate();
    await store.insertIfAbsent(event('evt_old', { receivedAt: new Date(Date.now() - 3_600_000) }));
    await store.claim({ owner: 'w', leaseMs: 60_000, limit: 1 });
    await store.complete('evt_old', 'w');
    await store.countDeliveries(['evt_old']);
    await store.insertIfAbsent(event('evt_carrier')); // carries the count into the file
    assert.equal(deliveriesInFile(reading, 'evt_old'), 2);
    const result = await store.prune({ recordsBefore: new Date(Date.now() - 60_000) });
    assert.equal(result.recordsDeleted, 1);
    assert.deepEqual(reading.prepare('SELECT id FROM persona_webhook_events_deliveries').all(), []);
  });
});
