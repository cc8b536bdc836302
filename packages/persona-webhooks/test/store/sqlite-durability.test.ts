import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../src/errors.js';
import {
  createSqliteStore,
  migrationSql,
  type SqliteDatabaseLike,
  type SqliteStatementLike,
} from '../../src/store/sqlite/index.js';
import { sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import type { NewEvent } from '../../src/store/store.js';
import { DELIVERIES_IN_FILE, deliveriesInFile } from '../helpers/sqlite-deliveries.js';
import {
  claimInTwoProcesses,
  claimJobEvents,
  raceInTwoProcesses,
  startStoreChild,
  startTogether,
} from './child-process-helper.js';

let dir: string;
let n = 0;
const file = () => join(dir, `events-${++n}.db`);
const event = (id: string): NewEvent => ({
  id,
  name: 'inquiry.completed',
  createdAt: new Date(),
  resourceId: null,
  body: '{}',
});

/** The real database, calling `before(source)` as each prepared statement runs (run, get) and each exec. */
function watched(database: Database.Database, before: (source: string) => void): SqliteDatabaseLike {
  return {
    prepare(source: string): SqliteStatementLike {
      const statement = database.prepare(source);
      return {
        run: (...params: unknown[]) => {
          before(source);
          return statement.run(...params);
        },
        get: (...params: unknown[]) => {
          before(source);
          return statement.get(...params);
        },
        all: (...params: unknown[]) => statement.all(...params),
      };
    },
    exec: (source) => {
      before(source);
      return database.exec(source);
    },
    pragma: (source, options) => database.pragma(source, options),
    get inTransaction() {
      return database.inTransaction;
    },
  };
}

/** The real database, with every COMMIT counted. */
function countingCommits(database: Database.Database): { db: SqliteDatabaseLike; commits: () => number } {
  let commits = 0;
  const db = watched(database, (source) => {
    if (source === 'COMMIT') commits += 1;
  });
  return { db, commits: () => commits };
}

/** The real database, noting `temp_store` (1 file, 2 memory) as each statement that writes runs. */
function watchingTempStore(database: Database.Database): {
  db: SqliteDatabaseLike;
  seen: { sql: string; tempStore: unknown }[];
} {
  const seen: { sql: string; tempStore: unknown }[] = [];
  const db = watched(database, (source) => {
    const verb = /^\s*(\w+)/.exec(source)?.[1]?.toUpperCase() ?? '';
    if (['INSERT', 'UPDATE', 'DELETE', 'CREATE'].includes(verb))
      seen.push({ sql: verb, tempStore: database.pragma('temp_store', { simple: true }) });
  });
  return { db, seen };
}

/**
 * A SQLite store on a new file, counting the reads of an event's status made outside a transaction: the read
 * before an insert, not the insert's own.
 */
function storeCountingReads() {
  const database = new Database(file());
  let reads = 0;
  const db = watched(database, (source) => {
    if (/^SELECT status FROM \S+ WHERE id = \?$/.test(source.trim()) && !database.inTransaction) reads++;
  });
  return { database, store: createSqliteStore({ database: db }), statusReads: () => reads };
}

describe('SQLite store on a real file', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'persona-sqlite-durability-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('retries the switch to WAL that SQLite refused at once, when two processes open a new file together', async () => {
    // SQLite answers one of two connections switching a new file to WAL at the same moment BUSY without waiting
    // (waiting could deadlock); seen in CI as a failed migrate(). The race cannot be timed from one process, so
    // this file's first two switches are refused as SQLite refuses them; the real database does the rest.
    const database = new Database(file());
    const refusals = (left: number): SqliteDatabaseLike => ({
      prepare: (source) => database.prepare(source),
      exec: (source) => database.exec(source),
      pragma: (source, options) => {
        if (source === 'journal_mode = WAL' && left-- > 0) {
          throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        }
        return database.pragma(source, options);
      },
      get inTransaction() {
        return database.inTransaction;
      },
    });
    const store = createSqliteStore({ database: refusals(2) });
    await store.migrate();
    assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    await store.close();
    // Refused for longer than the busy timeout: the store gives up with its usual 503 error.
    const stubborn = createSqliteStore({ database: refusals(1_000), busyTimeoutMs: 50 });
    await assert.rejects(stubborn.migrate(), (e: unknown) => e instanceof StoreUnavailableError);
    database.close();
  });

  it('turns on WAL with synchronous FULL by default, and NORMAL only when asked; temporary storage in memory', async () => {
    const a = new Database(file());
    await createSqliteStore({ database: a }).migrate();
    assert.equal(a.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(a.pragma('synchronous', { simple: true }), 2);
    // Statement journals (copies of a batch's changed pages, payloads included) stay out of temporary files.
    assert.equal(a.pragma('temp_store', { simple: true }), 2);
    const b = new Database(file());
    await createSqliteStore({ database: b, synchronous: 'normal' }).migrate();
    assert.equal(b.pragma('synchronous', { simple: true }), 1);
    a.close();
    b.close();
  });

  it('keeps temporary storage in memory for inserts, on disk while it migrates, prunes or requeues by filter', async () => {
    // In memory, a statement journal holds every page its statement changes: fine for an insert, not for a
    // prune of thousands of 8 KB events (measured: +165–173 MB of RSS for 20,000, +1 MB on disk).
    const database = new Database(file());
    const { db, seen } = watchingTempStore(database);
    const store = createSqliteStore({ database: db });
    await store.migrate();
    const during = (verb: string) => [...new Set(seen.filter((s) => s.sql === verb).map((s) => s.tempStore))];
    assert.deepEqual(during('CREATE'), [1], 'migrations on disk');
    seen.length = 0;
    await Promise.all(['evt_t1', 'evt_t2', 'evt_t3'].map((id) => store.insertIfAbsent(event(id))));
    assert.deepEqual(during('INSERT'), [2], 'inserts in memory');
    seen.length = 0;
    await store.requeue({ filter: { status: 'dead' } });
    assert.deepEqual(during('UPDATE'), [1], 'a requeue by filter on disk');
    seen.length = 0;
    await store.prune({ recordsBefore: new Date(Date.now() + 60_000), payloadsBefore: new Date(Date.now() + 60_000) });
    assert.deepEqual(during('DELETE'), [1], 'a prune on disk');
    assert.equal(database.pragma('temp_store', { simple: true }), 2, 'back in memory after');
    database.close();
  });

  it('commits inserts that arrive together in one transaction, each resolving after the commit', async () => {
    const path = file();
    const database = new Database(path);
    const { db, commits } = countingCommits(database);
    const store = createSqliteStore({ database: db });
    await store.migrate();
    const other = new Database(path, { readonly: true });
    const before = commits();
    const seenByOtherConnection = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store
          .insertIfAbsent(event(`evt_g${i}`))
          .then(() => other.prepare('SELECT COUNT(*) AS n FROM persona_webhook_events WHERE id = ?').get(`evt_g${i}`)),
      ),
    );
    assert.equal(commits() - before, 1, 'one transaction for the whole burst');
    assert.ok(
      seenByOtherConnection.every((row) => (row as { n: number }).n === 1),
      'committed before resolving',
    );
    other.close();
    database.close();
  });

  it('answers a duplicate from a read (no commit) and writes its delivery count with the next batch', async () => {
    const path = file();
    const database = new Database(path);
    const { db, commits } = countingCommits(database);
    const store = createSqliteStore({ database: db });
    await store.migrate();
    await store.insertIfAbsent(event('evt_dup'));
    const other = new Database(path, { readonly: true });
    const storedDeliveries = () => deliveriesInFile(other, 'evt_dup');
    const before = commits();
    const answers = await Promise.all([1, 2, 3].map(() => store.insertIfAbsent(event('evt_dup'))));
    assert.deepEqual(
      answers,
      [1, 2, 3].map(() => ({ inserted: false, status: 'pending' })),
    );
    assert.equal(commits() - before, 0, 'a duplicate writes nothing');
    // This store already counts them; the file has them once the next insert commits.
    assert.equal((await store.get('evt_dup'))?.deliveries, 4);
    assert.equal(storedDeliveries(), 1);
    await store.insertIfAbsent(event('evt_carrier'));
    assert.equal(commits() - before, 1, 'the counts ride along with the next insert');
    assert.equal(storedDeliveries(), 4);
    assert.equal((await store.get('evt_dup'))?.deliveries, 4);
    // With no insert to carry it, close() writes the count.
    await store.insertIfAbsent(event('evt_dup'));
    await store.close();
    assert.equal(storedDeliveries(), 5);
    other.close();
    database.close();
  });

  it('reads before inserting one new event in 64 while duplicates are rare; the insert answers and counts the others', async () => {
    const { database, store, statusReads } = storeCountingReads();
    try {
      await store.migrate();
      for (let i = 0; i < 160; i++) assert.equal((await store.insertIfAbsent(event(`evt_new${i}`))).inserted, true);
      // Every call reads until reads show duplicates are rare (about 30 of them), then one call in 64.
      assert.ok(statusReads() >= 28 && statusReads() <= 40, `${statusReads()} of 160 new events read first`);
      const stored = database.prepare('SELECT body, updated_at FROM persona_webhook_events WHERE id = ?');
      const before = stored.get('evt_new5');
      // Redeliveries, one at a time: those not read first are answered by the insert (no row rewritten), and
      // every one is counted; the first read that finds one makes every later call read first.
      const readsBefore = statusReads();
      for (let i = 0; i < 100; i++) {
        assert.deepEqual(await store.insertIfAbsent(event(`evt_new${i}`)), { inserted: false, status: 'pending' });
      }
      assert.ok(statusReads() - readsBefore >= 36, `${statusReads() - readsBefore} of 100 redeliveries read first`);
      for (let i = 0; i < 100; i++) assert.equal((await store.get(`evt_new${i}`))?.deliveries, 2, `evt_new${i}`);
      assert.deepEqual(stored.get('evt_new5'), before, 'a duplicate never rewrites the stored row');
      await store.close();
      assert.equal(deliveriesInFile(database, 'evt_new99'), 2);
    } finally {
      database.close();
    }
  });

  it('answers at the insert, unread, an API copy (not counted) and a stored event naming a tombstoned id (counted)', async () => {
    const { database, store, statusReads } = storeCountingReads();
    try {
      await store.migrate();
      // Enough new events that reads before the insert are rare, then as many more so that the next two
      // calls are not the one in 64 that reads.
      let count = 0;
      while (statusReads() < 30 || count < 60)
        assert.equal((await store.insertIfAbsent(event(`evt_new${count++}`))).inserted, true);
      const readsAt = statusReads();
      for (let i = 0; i < 3; i++) await store.insertIfAbsent(event(`evt_more${i}`));
      assert.equal(statusReads(), readsAt, 'reads are rare now');
      const insertUnless = store.insertUnlessTombstoned;
      assert.ok(insertUnless !== undefined);
      await store.addTombstones([{ objectId: 'inq_gone', eventId: null }]);

      const fromApi = await store.insertIfAbsent({ ...event('evt_new1'), source: 'api' });
      assert.deepEqual(fromApi, { inserted: false, status: 'pending' });
      const tombstoned = await insertUnless.call(store, event('evt_new2'), ['evt_new2', 'inq_gone']);
      assert.deepEqual(tombstoned, { inserted: false, status: 'pending' }, 'a duplicate, not null');
      assert.equal(await insertUnless.call(store, event('evt_never'), ['evt_never', 'inq_gone']), null);
      assert.equal(statusReads(), readsAt, 'none of these was read before its insert');

      assert.equal((await store.get('evt_new1'))?.deliveries, 1, 'an API copy is not a delivery');
      assert.equal((await store.get('evt_new2'))?.deliveries, 2);
      assert.equal(await store.get('evt_never'), null);
    } finally {
      await store.close();
      database.close();
    }
  });

  it('commits each insert on its own when group commit is off', async () => {
    const database = new Database(file());
    const { db, commits } = countingCommits(database);
    const store = createSqliteStore({ database: db, groupCommit: false });
    await store.migrate();
    const before = commits();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.insertIfAbsent(event(`evt_s${i}`))));
    assert.equal(commits() - before, 20);
    database.close();
  });

  it('splits a burst larger than maxBatchSize into several commits', async () => {
    const database = new Database(file());
    const { db, commits } = countingCommits(database);
    const store = createSqliteStore({ database: db, maxBatchSize: 10 });
    await store.migrate();
    const before = commits();
    const results = await Promise.all(Array.from({ length: 35 }, (_, i) => store.insertIfAbsent(event(`evt_b${i}`))));
    assert.equal(commits() - before, 4);
    assert.ok(results.every((r) => r.inserted));
    database.close();
  });

  it('still commits the rest of a batch when the database refuses one event of it', async () => {
    const database = new Database(file());
    const store = createSqliteStore({ database });
    await store.migrate();
    database.exec(`CREATE TRIGGER refuse BEFORE INSERT ON persona_webhook_events WHEN NEW.id = 'evt_bad'
      BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
    const results = await Promise.allSettled(
      ['evt_ok1', 'evt_bad', 'evt_ok2'].map((id) => store.insertIfAbsent(event(id))),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.ok(await store.get('evt_ok1'));
    assert.ok(await store.get('evt_ok2'));
    assert.equal(await store.get('evt_bad'), null);
    database.close();
  });

  it('keeps the duplicate counts of a batch that rolled back, and writes them later', async () => {
    const database = new Database(file());
    try {
      const store = createSqliteStore({ database });
      await store.migrate();
      await store.insertIfAbsent(event('evt_counted'));
      await store.insertIfAbsent(event('evt_counted'));
      database.exec(`CREATE TRIGGER refuse BEFORE INSERT ON persona_webhook_events WHEN NEW.id = 'evt_bad'
        BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
      // The batch carrying the count rolls back (its inserts are then committed one by one, without counts).
      await Promise.allSettled(['evt_ok', 'evt_bad'].map((id) => store.insertIfAbsent(event(id))));
      const written = () => deliveriesInFile(database, 'evt_counted');
      assert.equal(written(), 1);
      assert.equal((await store.get('evt_counted'))?.deliveries, 2, 'still counted by the store');
      await store.close();
      assert.equal(written(), 2);
    } finally {
      // Closed even when an assertion fails: an open handle would hold up the multi-process tests below.
      database.close();
    }
  });

  it('rejects every insert of a batch with StoreUnavailableError (503) while another process holds the write lock', async () => {
    const path = file();
    const database = new Database(path);
    const store = createSqliteStore({ database, busyTimeoutMs: 50 });
    await store.migrate();
    const locker = new Database(path);
    locker.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([
      store.insertIfAbsent(event('evt_l1')),
      store.insertIfAbsent(event('evt_l2')),
    ]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof StoreUnavailableError);
      assert.equal(result.reason.status, 503);
      assert.equal(result.reason.code, 'store_unavailable');
    }
    locker.exec('COMMIT');
    assert.deepEqual(await store.insertIfAbsent(event('evt_l1')), { inserted: true, status: 'pending' });
    locker.close();
    database.close();
  });

  it('rejects with StoreUnavailableError once the database is closed', async () => {
    const database = new Database(file());
    const store = createSqliteStore({ database });
    await store.migrate();
    database.close();
    await assert.rejects(store.insertIfAbsent(event('evt_closed')), StoreUnavailableError);
    await assert.rejects(store.get('evt_closed'), StoreUnavailableError);
  });

  it('answers StoreUnavailableError with a hint when migrate() was never called', async () => {
    const database = new Database(':memory:');
    const store = createSqliteStore({ database });
    await assert.rejects(store.insertIfAbsent(event('evt_nomigrate')), (error: unknown) => {
      assert.ok(error instanceof StoreUnavailableError);
      assert.match(error.message, /migrate\(\)/);
      return true;
    });
    database.close();
  });

  it('keeps the status counts behind stats() exact through every transition', async () => {
    const database = new Database(file());
    const store = createSqliteStore({ database });
    await store.migrate();
    for (let i = 0; i < 12; i++)
      await store.insertIfAbsent({ ...event(`evt_c${i}`), receivedAt: new Date(Date.now() - 60_000) });
    await store.insertIfAbsent(event('evt_c0'));
    const claimed = await store.claim({ owner: 'w', leaseMs: 60_000, limit: 8 });
    const [a, b, c, d, e] = claimed.map((x) => x.id);
    await store.complete(a as string, 'w');
    await store.complete(b as string, 'w');
    await store.fail(c as string, 'w', { error: 'x', retryAt: null });
    await store.fail(d as string, 'w', { error: 'x', retryAt: new Date(Date.now() + 60_000) });
    await store.release(e as string, 'w');
    await store.requeue({ id: b as string });
    await store.prune({ recordsBefore: new Date() });
    const actual = { pending: 0, processing: 0, succeeded: 0, retrying: 0, dead: 0 };
    for (const row of database
      .prepare('SELECT status, COUNT(*) AS n FROM persona_webhook_events GROUP BY status')
      .all() as {
      status: keyof typeof actual;
      n: number;
    }[]) {
      actual[row.status] = row.n;
    }
    const stats = await store.stats();
    assert.deepEqual(stats.byStatus, actual);
    assert.equal(stats.total, 10);
    database.close();
  });

  it('rejects a table name that is not a plain identifier', () => {
    const database = new Database(':memory:');
    assert.throws(() => createSqliteStore({ database, table: 'events; DROP TABLE x' }), /plain identifier/);
    assert.throws(() => createSqliteStore({ database, synchronous: 'off' as 'full' }), /synchronous/);
    database.close();
  });

  it('accepts a schema created from the printed migration SQL and finds nothing left to migrate', async () => {
    const database = new Database(file());
    database.exec(migrationSql('sqlite'));
    // SQLite has no ADD COLUMN IF NOT EXISTS: a second run stops at migration 3, and rolling back leaves the
    // schema as the first run made it (`migrate` skips applied migrations; the script is for a first set-up).
    assert.throws(() => database.exec(migrationSql('sqlite')), /duplicate column name: source/);
    if (database.inTransaction) database.exec('ROLLBACK');
    const store = createSqliteStore({ database });
    await store.migrate();
    assert.equal(
      (database.prepare('SELECT COUNT(*) AS n FROM persona_webhook_events_migrations').get() as { n: number }).n,
      sqliteMigrations().length,
    );
    assert.equal((await store.insertIfAbsent(event('evt_dry'))).inserted, true);
    database.close();
  });

  const shell = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  it('runs the printed migration SQL in the sqlite3 shell, which may be older than the bundled SQLite', {
    skip: shell.status === 0 ? false : 'the sqlite3 shell is not installed',
  }, async () => {
    const path = file();
    const run = spawnSync('sqlite3', [path], { input: migrationSql('sqlite'), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const database = new Database(path);
    const store = createSqliteStore({ database });
    await store.migrate();
    assert.equal((await store.insertIfAbsent(event('evt_shell'))).inserted, true);
    assert.equal((await store.stats()).total, 1);
    database.close();
  });

  it('keeps an acknowledged event after its process is killed with SIGKILL', async () => {
    const path = file();
    const child = startStoreChild({ STORE: 'sqlite', FILE: path, JOB: 'stream', COUNT: '100000' });
    await startTogether([child]);
    await child.waitFor((line) => line === 'acked evt_stream_200');
    child.process.kill('SIGKILL');
    assert.equal(await child.exited, 'SIGKILL');
    const acked = child.lines.filter((l) => l.startsWith('acked ')).map((l) => l.slice('acked '.length));
    const database = new Database(path);
    const store = createSqliteStore({ database });
    await store.migrate();
    for (const id of acked) assert.ok(await store.get(id), `${id} was acknowledged but is missing`);
    database.close();
  });

  it('kills the other processes when one fails before it is ready, so that none waits for "go" forever', {
    timeout: 20_000,
  }, async () => {
    const path = file();
    const healthy = startStoreChild({ STORE: 'sqlite', FILE: path, JOB: 'race', IDS: '1', COPIES: '1' });
    const broken = startStoreChild({ STORE: 'sqlite', FILE: join(dir, 'missing-dir', 'events.db'), JOB: 'race' });
    await assert.rejects(startTogether([healthy, broken]), /exited/);
    const code = await healthy.exited;
    assert.ok(code !== 0, `the healthy child was stopped (exit ${String(code)}), not left waiting`);
  });

  it('stores each id once when two OS processes deliver the same events concurrently to one file', async () => {
    const path = file();
    const inserted = await raceInTwoProcesses({ STORE: 'sqlite', FILE: path, IDS: '20', COPIES: '50' });
    assert.equal(inserted.length, 20, 'exactly one insert per id across both processes');
    assert.equal(new Set(inserted).size, 20);
    const database = new Database(path, { readonly: true });
    const rows = database.prepare(DELIVERIES_IN_FILE).all() as {
      id: string;
      deliveries: number;
    }[];
    assert.equal(rows.length, 20);
    assert.ok(rows.every((row) => row.deliveries === 100));
    assert.equal(
      (database.prepare('SELECT COUNT(*) AS n FROM persona_webhook_events_migrations').get() as { n: number }).n,
      sqliteMigrations().length,
      'both processes migrated at start-up; each migration recorded once',
    );
    database.close();
  });

  it('never hands one event to both of two OS processes claiming from one file', async () => {
    const path = file();
    const database = new Database(path);
    const store = createSqliteStore({ database });
    await store.migrate();
    const events = claimJobEvents(300);
    await Promise.all(events.map((e) => store.insertIfAbsent(e)));
    database.close();
    const [a = [], b = []] = await claimInTwoProcesses({ STORE: 'sqlite', FILE: path });
    assert.equal(new Set([...a, ...b]).size, a.length + b.length, 'an event was claimed by both processes');
    assert.deepEqual([...a, ...b].sort(), events.map((e) => e.id).sort());
    assert.ok(a.length > 0 && b.length > 0, 'both processes took part');
  });
});
