import { PersonaWebhookError } from '../../errors.js';
import { numberOption } from '../../options.js';
import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';
import { createReadSampler } from '../read-sampler.js';
import { fromReconcileRunRow, RECONCILE_LOCK, type ReconcileRunRow, toReconcileRunRow } from '../reconcile-run-row.js';
import type {
  ActivityBucket,
  ActivityOptions,
  ClaimOptions,
  CompleteOptions,
  EventStatus,
  EventStore,
  FailOptions,
  InsertResult,
  ListFilter,
  ListOptions,
  ListPage,
  NewEvent,
  PruneOptions,
  PruneResult,
  ReconcileRun,
  ReleaseOptions,
  SetBodyOptions,
  StoredEvent,
  StoreStats,
  Tombstone,
} from '../store.js';
import {
  checkActivityOptions,
  checkClaimOptions,
  checkLeaseMs,
  checkListRequest,
  checkLockRequest,
  checkNewEvent,
  checkObjectIds,
  checkPruneOptions,
  checkReconcileRun,
  checkRequeueTarget,
  checkRetryAt,
  checkTombstones,
  compareByAge,
  emptyStatusCounts,
  mergeHandlers,
  normalizeFilter,
  reconcileRunsLimit,
  shortError,
  toActivityBuckets,
  toListPage,
} from '../store-common.js';
import { sqliteMigrations, sqliteMigrationsTable, sqliteMigrationsTableSql } from './migrations.js';
import { sqliteStoreError } from './sqlite-errors.js';
import { createGroupCommit } from './sqlite-group-commit.js';
import { SQLITE_AFTER_CURSOR, sqliteFilter, sqliteListIndex, sqliteStatements } from './sqlite-sql.js';

/** The part of a better-sqlite3 `Statement` the store calls. */
export interface SqliteStatementLike {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The part of a better-sqlite3 12.x `Database` the store calls. Typed by shape so that the library does
 * not depend on better-sqlite3; pass `new Database(file)`.
 */
export interface SqliteDatabaseLike {
  prepare(source: string): SqliteStatementLike;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly inTransaction: boolean;
}

/**
 * When a commit is durable. `'full'` (default): fsync of the WAL at every commit; a committed event survives
 * power loss. `'normal'`: in WAL mode no corruption, but the last commits before a power loss or OS crash
 * may be lost (not on a process crash) — and those events were already acknowledged to Persona, which will
 * not send them again. See docs/decisions/0003-sqlite-durability.md.
 */
export type SqliteSynchronous = 'full' | 'normal';

/** Beyond this many names a claim reads the due index (SQLite caps a compound SELECT at 500 terms). */
const MAX_NAMES_BY_INDEX = 64;

/** An insert waiting for its group commit; with `unlessTombstoned`, skipped when one of those ids is tombstoned. */
interface QueuedInsert {
  readonly event: NewEvent;
  readonly unlessTombstoned?: readonly string[] | undefined;
}

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** A better-sqlite3 `Database`. The store never closes it. */
  readonly database: SqliteDatabaseLike;
  /** Events table name (the migrations table is `<table>_migrations`). Default `persona_webhook_events`. */
  readonly table?: string;
  /** Default `'full'`: see {@link SqliteSynchronous}. */
  readonly synchronous?: SqliteSynchronous;
  /**
   * How long a write waits for another process's write lock before giving up with a 503. Default 2000 (well
   * under Persona's 5 s delivery timeout). After one such wait fails, writes wait only 50 ms until one gets
   * the lock again, so no acknowledgement waits much longer than this in all.
   */
  readonly busyTimeoutMs?: number;
  /**
   * Batch inserts that arrive in the same event-loop turn into one transaction (one fsync), each caller
   * resolving only after that commit. Default true.
   */
  readonly groupCommit?: boolean;
  /** Largest group commit. Default 512. */
  readonly maxBatchSize?: number;
  /** The clock used when a call passes no `now`. Default: `() => new Date()`. */
  readonly clock?: () => Date;
}

/** What {@link createSqliteStore} returns: an EventStore, plus the count of duplicates answered elsewhere. */
export interface SqliteStore extends EventStore {
  /**
   * Counts one more delivery of each of `ids`: stored events whose duplicate delivery was answered from another
   * connection's read ({@link createSqliteStatusReader}; serve answers duplicates on its main thread while the
   * store writes in a worker thread). Written like this store's own duplicate counts: with the next batch of
   * inserts, within a second, or at close(). An id that is not stored changes nothing.
   */
  countDeliveries(ids: readonly string[]): Promise<void>;
}

interface Row {
  id: string;
  name: string;
  created_at: number;
  received_at: number;
  resource_id: string | null;
  status: EventStatus;
  attempts: number;
  finished_attempts: number;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  completed_handlers: string;
  deliveries: number;
  body: string | null;
  updated_at: number;
  source: 'webhook' | 'api';
}

/** Longest a duplicate delivery's count waits to be written when no insert comes to carry it. */
const DELIVERY_FLUSH_MS = 1000;

/** Pause between tries to switch a new file to WAL while another process does (see switchToWal). */
const WAL_RETRY_MS = 10;
let walRetrySleep: Int32Array | undefined;

/** How long a write waits for the lock while another connection is known to hold it. */
const CONTENDED_PROBE_MS = 50;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function parseHandlers(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Deliveries of an event counted apart from its row (migration 7), and when the last one came. */
interface LaterDeliveries {
  readonly n: number;
  readonly at: number;
}

function toStored(row: Row, withBody: boolean, uncounted = 0, later?: LaterDeliveries): StoredEvent {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at),
    receivedAt: new Date(row.received_at),
    resourceId: row.resource_id,
    status: row.status,
    attempts: row.attempts,
    finishedAttempts: row.finished_attempts,
    runAt: new Date(row.run_at),
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until === null ? null : new Date(row.locked_until),
    lastError: row.last_error,
    completedHandlers: parseHandlers(row.completed_handlers),
    deliveries: row.deliveries + uncounted + (later?.n ?? 0),
    body: withBody ? row.body : null,
    updatedAt: new Date(later === undefined ? row.updated_at : Math.max(row.updated_at, later.at)),
    source: row.source,
  };
}

/**
 * The `database` option of a SQLite store or status reader; throws `invalid_options` naming `owner` unless it is
 * a better-sqlite3 Database (or has its shape).
 */
export function sqliteDatabaseOption(
  owner: string,
  options: { readonly database?: SqliteDatabaseLike } | undefined,
): SqliteDatabaseLike {
  const db = options?.database;
  if (db === undefined || db === null || typeof db.prepare !== 'function') {
    throw new PersonaWebhookError(
      'invalid_options',
      `${owner}: pass { database: new Database(file) } (a better-sqlite3 Database)`,
    );
  }
  return db;
}

/**
 * An EventStore on SQLite through better-sqlite3 12.x: WAL, a deliberate `synchronous` level (FULL by
 * default), group commit of concurrent inserts, and BEGIN IMMEDIATE around every read-modify-write so that
 * several processes can share one database file. On the connection it is given it sets `journal_mode = WAL`,
 * `synchronous`, `busy_timeout`, `secure_delete = ON` and `temp_store = MEMORY` (at its first call), and
 * `temp_store = FILE` while it prunes, requeues by filter or migrates: changing `temp_store` drops the
 * connection's TEMP tables, so keep your own on another connection.
 *
 * better-sqlite3 is synchronous: a write that waits for another process's lock blocks this process's event
 * loop for up to `busyTimeoutMs`.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { createSqliteStore } from 'persona-webhooks/sqlite'
 *
 * const store = createSqliteStore({ database: new Database('webhooks.db') })
 * await store.migrate()
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = sqliteDatabaseOption('createSqliteStore', options);
  const table = checkIdentifier('table', options.table ?? DEFAULT_TABLE);
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new PersonaWebhookError('invalid_options', "createSqliteStore: synchronous must be 'full' or 'normal'");
  }
  const busyTimeoutMs = numberOption('createSqliteStore', 'busyTimeoutMs', options.busyTimeoutMs, 2000, {
    integer: true,
    min: 0,
    unit: 'ms',
  });
  const maxBatchSize = numberOption('createSqliteStore', 'maxBatchSize', options.maxBatchSize, 512, {
    integer: true,
    min: 1,
  });
  const useGroupCommit = options.groupCommit ?? true;
  const clock = options.clock ?? (() => new Date());
  const nowMs = (now?: Date): number => (now ?? clock()).getTime();
  const sql = sqliteStatements(table);

  // When two processes open a new file at once, both switch it to WAL; SQLite answers one of them BUSY at once,
  // without its busy handler (waiting could deadlock: each holds a lock the other needs). Once the other's
  // switch is done the file is in WAL mode and the pragma is a no-op, so try again, within the busy timeout.
  const switchToWal = () => {
    const until = Date.now() + busyTimeoutMs;
    for (;;) {
      try {
        db.pragma('journal_mode = WAL');
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= until) throw error;
        walRetrySleep ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(walRetrySleep, 0, 0, WAL_RETRY_MS); // synchronous, like better-sqlite3's own waits
      }
    }
  };

  let configured = false;
  const configure = () => {
    if (configured) return;
    // busy_timeout first: switching to WAL itself may need to wait for another process.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    switchToWal();
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    // Cleared and scrubbed bodies are overwritten with zeros in the file, not left in free pages.
    db.pragma('secure_delete = ON');
    // Statement journals in memory. Every statement of a batched transaction that touches several b-trees (an
    // insert: the table, its indexes, the count trigger) keeps the pages it changes in a statement journal, which
    // past 64 KB SQLite spills to a temporary file: measured on 8 KB events in batches of 32, 16 of an insert's
    // 24 pwrite calls and 12 of its 44 µs of CPU. In memory the journal holds one statement's pages, and no copy
    // of a payload's pages is written to a temporary file. The statements that change many rows at once run with
    // temporary storage on disk instead (onDisk, below). Sorts are held in memory too: the store's queries read
    // through indexes, and sort only small sets (reconcile runs, activity buckets).
    db.pragma('temp_store = MEMORY');
    configured = true;
  };

  const statements = new Map<string, SqliteStatementLike>();
  const stmt = (text: string): SqliteStatementLike => {
    let statement = statements.get(text);
    if (statement === undefined) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };

  // better-sqlite3 waits for a lock synchronously, blocking every other request of this process. Once one
  // write has waited the whole busy timeout in vain, the lock is held elsewhere: later writes only probe
  // (CONTENDED_PROBE_MS) until one gets the lock, so that acknowledgements queued behind the first wait
  // fail fast (503, Persona retries) instead of each waiting a full timeout after the other (2, 4, 8 s…).
  let waitMs = busyTimeoutMs;
  const setWait = (ms: number) => {
    if (ms === waitMs) return;
    db.pragma(`busy_timeout = ${ms}`);
    waitMs = ms;
  };
  const begin = () => {
    try {
      stmt('BEGIN IMMEDIATE').run();
    } catch (error) {
      if (isBusy(error)) setWait(Math.min(busyTimeoutMs, CONTENDED_PROBE_MS));
      throw error;
    }
    setWait(busyTimeoutMs);
  };

  /**
   * Runs `fn` with temporary storage on disk: for statements that change many rows at once (prune, requeue by
   * filter, migrations), whose statement journal would otherwise hold every page they change in memory (measured:
   * +165–173 MB of RSS for a prune of 20,000 8 KB events; +1 MB on disk). Changing it drops the connection's TEMP
   * tables.
   */
  const onDisk = <T>(fn: () => T): T => {
    db.pragma('temp_store = FILE');
    try {
      return fn();
    } finally {
      db.pragma('temp_store = MEMORY');
    }
  };

  /** Runs `fn` in BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, so no upgrade deadlock. */
  const immediate = <T>(fn: () => T): T => {
    configure();
    begin();
    try {
      const result = fn();
      stmt('COMMIT').run();
      return result;
    } catch (error) {
      if (db.inTransaction) stmt('ROLLBACK').run();
      throw error;
    }
  };
  /** Runs a synchronous database step, mapping driver failures to the store's errors. */
  const run = <T>(fn: () => T): T => {
    try {
      configure();
      return fn();
    } catch (error) {
      throw sqliteStoreError(error);
    }
  };

  /** Inserts one event, inside the caller's transaction. A duplicate is read, and counted unless from the API. */
  const insertOne = (event: NewEvent): InsertResult => {
    const now = clock().getTime();
    const receivedAt = event.receivedAt?.getTime() ?? now;
    const source = event.source === 'api' ? 'api' : 'webhook';
    const params = [event.id, event.name, event.createdAt.getTime(), receivedAt, event.resourceId, receivedAt];
    if (stmt(sql.insert).run(...params, event.body, now, source).changes === 1)
      return { inserted: true, status: 'pending' };
    // Stored already (two deliveries of one event in one batch, or one the read before the insert skipped).
    if (source === 'webhook') stmt(sql.addDeliveries).run({ id: event.id, n: 1, at: now });
    return { inserted: false, status: (stmt(sql.selectStatus).get(event.id) as { status: EventStatus }).status };
  };
  // A duplicate delivery the read before the insert finds (duplicate(), below) is answered from that read, not a
  // write: its delivery is counted here and written (in a small row of its own, not the event's: migration 7)
  // with the next batch of inserts, or within DELIVERY_FLUSH_MS, or at close(). Reads of this store add the
  // counts not yet written; another process sees them once written. Lost on a crash (a count, not an event).
  const uncounted = new Map<string, number>();
  let uncountedAt = 0;
  let countTimer: ReturnType<typeof setTimeout> | undefined;
  const pendingOf = (id: string) => uncounted.get(id) ?? 0;
  /** Writes the counts inside the caller's transaction; forget them (countsWritten) only once it committed. */
  const writeCounts = () => {
    const addDeliveries = stmt(sql.addDeliveries);
    for (const [id, n] of uncounted) addDeliveries.run({ id, n, at: uncountedAt });
  };
  /** Rows as events, with every delivery counted: in the row, apart (written), and in memory (not yet). */
  const storedAll = (rows: readonly Row[], withBody: boolean): StoredEvent[] => {
    if (rows.length === 0) return [];
    const later = new Map(
      (
        stmt(sql.laterDeliveries).all(JSON.stringify(rows.map((r) => r.id))) as (LaterDeliveries & { id: string })[]
      ).map((r) => [r.id, r]),
    );
    return rows.map((row) => toStored(row, withBody, pendingOf(row.id), later.get(row.id)));
  };
  const countsWritten = () => {
    uncounted.clear();
    if (countTimer !== undefined) clearTimeout(countTimer);
    countTimer = undefined;
  };
  const flushCounts = () => {
    countTimer = undefined;
    if (uncounted.size === 0) return;
    try {
      immediate(writeCounts);
      countsWritten();
    } catch {
      // The database is busy or down: keep the counts and try again later.
      scheduleCounts();
    }
  };
  const scheduleCounts = () => {
    if (countTimer !== undefined) return;
    countTimer = setTimeout(flushCounts, DELIVERY_FLUSH_MS);
    (countTimer as { unref?: () => void }).unref?.();
  };
  const countDelivery = (id: string, at: number) => {
    uncounted.set(id, pendingOf(id) + 1);
    uncountedAt = Math.max(uncountedAt, at);
    scheduleCounts();
  };
  /** The tombstoned ones among `objectIds` (one query, however many ids). */
  const tombstonedOf = (objectIds: readonly string[]): Set<string> =>
    new Set(
      (stmt(sql.findTombstones).all(JSON.stringify(objectIds)) as { object_id: string }[]).map((r) => r.object_id),
    );
  /**
   * Inserts of one transaction; those with `unlessTombstoned` are skipped (null) when a tombstone matches, unless
   * the event is stored already: then it is a duplicate (counted), as when the read before the insert finds it.
   */
  const insertAll = (items: readonly QueuedInsert[]): (InsertResult | null)[] => {
    const asked = new Set<string>();
    for (const item of items) for (const id of item.unlessTombstoned ?? []) asked.add(id);
    const tombstoned = asked.size === 0 ? null : tombstonedOf([...asked]);
    const skipped = (item: QueuedInsert) =>
      tombstoned !== null &&
      item.unlessTombstoned?.some((id) => tombstoned.has(id)) === true &&
      stmt(sql.selectStatus).get(item.event.id) === undefined;
    return items.map((item) => (skipped(item) ? null : insertOne(item.event)));
  };
  /** One insert in its own transaction. */
  const commitAlone = (item: QueuedInsert) => immediate(() => insertAll([item])[0] as InsertResult | null);
  const inserts = createGroupCommit<QueuedInsert, InsertResult | null>({
    maxBatchSize,
    commitBatch: (items) => {
      // The counts ride along with the inserts; a batch that rolls back keeps them for the next write.
      const carried = uncounted.size > 0;
      const results = immediate(() => {
        if (carried) writeCounts();
        return insertAll(items);
      });
      if (carried) countsWritten();
      return results;
    },
    commitOne: commitAlone,
    mapError: sqliteStoreError,
  });
  /**
   * A duplicate is a read: no transaction, no fsync (its delivery is counted in the next write). Read while reads
   * find duplicates, else one call in 64 (read-sampler.ts); an event not read goes to the insert, which answers a
   * duplicate too.
   */
  const readsFirst = createReadSampler();
  const duplicate = (event: NewEvent): InsertResult | undefined => {
    const status = readsFirst.read(() => storedStatus(event.id));
    if (status === undefined) return undefined;
    if (event.source !== 'api') countDelivery(event.id, clock().getTime());
    return { inserted: false, status };
  };
  /** Everything that arrives in this event-loop turn shares one transaction and one fsync. */
  const insert = (item: QueuedInsert): Promise<InsertResult | null> =>
    useGroupCommit ? inserts.add(item) : Promise.resolve(run(() => commitAlone(item)));
  /** The stored status of an event already in the table, from a read (no transaction, no lock). */
  const storedStatus = (id: string): EventStatus | undefined =>
    (run(() => stmt(sql.selectStatus).get(id)) as { status: EventStatus } | undefined)?.status;

  const heldBy = (id: string, owner: string): Row | undefined => {
    const row = stmt(sql.selectById).get(id) as Row | undefined;
    return row !== undefined && row.status === 'processing' && row.locked_by === owner ? row : undefined;
  };

  return {
    async migrate(): Promise<void> {
      run(() => {
        const migrationsTable = sqliteMigrationsTable({ table });
        // An index built on a large table sorts every row: on disk, not in memory.
        onDisk(() =>
          immediate(() => {
            db.exec(sqliteMigrationsTableSql({ table }));
            const applied = new Set(
              (stmt(`SELECT version FROM ${migrationsTable}`).all() as { version: number }[]).map((r) => r.version),
            );
            for (const migration of sqliteMigrations({ table })) {
              if (applied.has(migration.version)) continue;
              db.exec(migration.sql);
              db.prepare(`INSERT INTO ${migrationsTable} (version, name, applied_at) VALUES (?, ?, ?)`).run(
                migration.version,
                migration.name,
                Date.now(),
              );
            }
          }),
        );
        // DDL may have changed the schema the cached statements were compiled against.
        statements.clear();
      });
    },

    async insertIfAbsent(event: NewEvent): Promise<InsertResult> {
      checkNewEvent(event);
      return duplicate(event) ?? ((await insert({ event })) as InsertResult);
    },

    async insertUnlessTombstoned(event: NewEvent, objectIds: readonly string[]): Promise<InsertResult | null> {
      checkNewEvent(event);
      checkObjectIds(objectIds);
      return duplicate(event) ?? insert({ event, unlessTombstoned: objectIds.length > 0 ? objectIds : undefined });
    },

    async claim(claimOptions: ClaimOptions): Promise<StoredEvent[]> {
      checkClaimOptions(claimOptions);
      const now = nowMs(claimOptions.now);
      const names = claimOptions.names === undefined ? null : JSON.stringify(claimOptions.names);
      const byIds = claimOptions.ids !== undefined;
      const params = { now, names, ...(byIds ? { ids: JSON.stringify(claimOptions.ids) } : {}) };
      return run(() =>
        immediate(() => {
          if (claimOptions.maxAttempts !== undefined) {
            stmt(sql.deadAfterMaxAttempts).run(now, now, claimOptions.maxAttempts, names, names);
          }
          // Abandoned leases first, then due events.
          const ids = stmt(sql.claimCandidates('expired', byIds)).all({ ...params, limit: claimOptions.limit }) as {
            id: string;
          }[];
          if (ids.length < claimOptions.limit) {
            const limit = claimOptions.limit - ids.length;
            const wanted = claimOptions.names === undefined ? [] : [...new Set(claimOptions.names)];
            // By name when a names filter is given (and no ids), each name read through its own index range.
            const due = (
              !byIds && claimOptions.names !== undefined && wanted.length <= MAX_NAMES_BY_INDEX
                ? wanted.length === 0
                  ? []
                  : stmt(sql.claimDueByName(wanted.length)).all({
                      now,
                      names,
                      limit,
                      ...Object.fromEntries(wanted.map((name, k) => [`n${k}`, name])),
                    })
                : stmt(sql.claimCandidates('due', byIds)).all({ ...params, limit })
            ) as { id: string }[];
            ids.push(...due);
          }
          if (ids.length === 0) return [];
          const rows = stmt(sql.claim).all(
            claimOptions.owner,
            now + claimOptions.leaseMs,
            now,
            JSON.stringify(ids.map((r) => r.id)),
          ) as Row[];
          return storedAll(rows, true).sort(compareByAge);
        }),
      );
    },

    async extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
      checkLeaseMs(leaseMs);
      const now = clock().getTime();
      return run(() => stmt(sql.extendLease).run(now + leaseMs, now, id, owner).changes === 1);
    },

    async complete(id: string, owner: string, completeOptions: CompleteOptions = {}): Promise<boolean> {
      return run(() =>
        immediate(() => {
          const row = heldBy(id, owner);
          if (row === undefined) return false;
          const handlers = mergeHandlers(parseHandlers(row.completed_handlers), completeOptions.completedHandlers);
          stmt(sql.complete).run(JSON.stringify(handlers), nowMs(completeOptions.now), id);
          return true;
        }),
      );
    },

    async fail(id: string, owner: string, failOptions: FailOptions): Promise<boolean> {
      checkRetryAt(failOptions.retryAt);
      return run(() =>
        immediate(() => {
          const row = heldBy(id, owner);
          if (row === undefined) return false;
          const handlers = mergeHandlers(parseHandlers(row.completed_handlers), failOptions.completedHandlers);
          const retryAt = failOptions.retryAt;
          stmt(sql.fail).run(
            retryAt === null ? 'dead' : 'retrying',
            retryAt === null ? row.run_at : retryAt.getTime(),
            shortError(failOptions.error),
            JSON.stringify(handlers),
            nowMs(failOptions.now),
            id,
          );
          return true;
        }),
      );
    },

    async release(id: string, owner: string, releaseOptions: ReleaseOptions = {}): Promise<boolean> {
      const now = clock().getTime();
      return run(() =>
        immediate(() => {
          const row = heldBy(id, owner);
          if (row === undefined) return false;
          const handlers = mergeHandlers(parseHandlers(row.completed_handlers), releaseOptions.completedHandlers);
          return stmt(sql.release).run(JSON.stringify(handlers), now, id, owner).changes === 1;
        }),
      );
    },

    async get(id: string): Promise<StoredEvent | null> {
      return run(() => {
        const row = stmt(sql.selectById).get(id) as Row | undefined;
        return row === undefined ? null : (storedAll([row], true)[0] as StoredEvent);
      });
    },

    async list(filter?: ListFilter, listOptions?: ListOptions): Promise<ListPage> {
      const request = checkListRequest(filter, listOptions);
      return run(() => {
        const params: unknown[] = [];
        const where = sqliteFilter(request.filter, params);
        if (request.cursor !== null) {
          where.push(SQLITE_AFTER_CURSOR);
          params.push(request.cursor.createdAtMs, request.cursor.createdAtMs, request.cursor.id);
        }
        const rows = stmt(sql.list(where, request.withBody, sqliteListIndex(table, request.filter))).all(
          ...params,
          request.limit + 1,
        ) as Row[];
        return toListPage(storedAll(rows, request.withBody), request.limit);
      });
    },

    async requeue(target: { id: string } | { filter: ListFilter }): Promise<number> {
      checkRequeueTarget(target);
      const now = clock().getTime();
      const params: unknown[] = [now, now];
      let where: string[];
      if ('id' in target) {
        where = ['id = ?'];
        params.push(target.id);
      } else {
        where = sqliteFilter(normalizeFilter(target.filter), params);
      }
      const requeue = () => immediate(() => stmt(sql.requeue(where)).run(...params).changes);
      return run(() => ('id' in target ? requeue() : onDisk(requeue)));
    },

    async prune(pruneOptions: PruneOptions): Promise<PruneResult> {
      checkPruneOptions(pruneOptions);
      return run(() =>
        onDisk(() =>
          immediate(() => {
            const { recordsBefore, payloadsBefore } = pruneOptions;
            const recordsDeleted =
              recordsBefore === undefined ? 0 : stmt(sql.pruneRecords).run(recordsBefore.getTime()).changes;
            const payloadsCleared =
              payloadsBefore === undefined ? 0 : stmt(sql.prunePayloads).run(payloadsBefore.getTime()).changes;
            return { payloadsCleared, recordsDeleted };
          }),
        ),
      );
    },

    async count(filter?: ListFilter): Promise<number> {
      const normalized = normalizeFilter(filter);
      return run(() => {
        const params: unknown[] = [];
        const row = stmt(sql.count(sqliteFilter(normalized, params))).get(...params) as { n: number };
        return row.n;
      });
    },

    async activity(activityOptions: ActivityOptions): Promise<ActivityBucket[]> {
      const request = checkActivityOptions(activityOptions, clock());
      return run(() => {
        const named = { since: request.sinceMs, until: request.untilMs, bucket: request.bucketMs };
        const received = stmt(sql.activityReceived).all(named) as { bucket: number; n: number }[];
        const outcomes = stmt(sql.activityOutcomes).all(named) as { bucket: number; status: EventStatus; n: number }[];
        return toActivityBuckets(request, [
          ...received.map((r) => ({ bucket: r.bucket, kind: 'received' as const, n: r.n })),
          ...outcomes.map((r) => ({
            bucket: r.bucket,
            kind: r.status === 'succeeded' ? ('succeeded' as const) : ('failed' as const),
            n: r.n,
          })),
        ]);
      });
    },

    async stats(): Promise<StoreStats> {
      return run(() => {
        const byStatus = emptyStatusCounts();
        let total = 0;
        for (const row of stmt(sql.counts).all() as { status: EventStatus; n: number }[]) {
          byStatus[row.status] = row.n;
          total += row.n;
        }
        const oldest = stmt(sql.oldestWaiting).get() as { at: number | null };
        return { byStatus, total, oldestPendingReceivedAt: oldest.at === null ? null : new Date(oldest.at) };
      });
    },

    async setBody(id: string, body: string | null, options?: SetBodyOptions): Promise<boolean> {
      const now = clock().getTime();
      if (options?.expected !== undefined) {
        return run(() => stmt(sql.setBodyIf).run(body, now, id, options.expected).changes === 1);
      }
      return run(() => stmt(sql.setBody).run(body, now, id).changes === 1);
    },

    async saveReconcileRun(reconcileRun: ReconcileRun): Promise<void> {
      checkReconcileRun(reconcileRun);
      run(() => {
        stmt(sql.saveRun).run(
          toReconcileRunRow(
            reconcileRun,
            (d) => d.getTime(),
            (b) => (b ? 1 : 0),
          ),
        );
      });
    },

    async listReconcileRuns(listOptions?: { limit?: number }): Promise<ReconcileRun[]> {
      const limit = reconcileRunsLimit(listOptions);
      return run(() => (stmt(sql.listRuns).all(limit) as ReconcileRunRow[]).map(fromReconcileRunRow));
    },

    async acquireReconcileLock(owner: string, ttlMs: number): Promise<boolean> {
      checkLockRequest(owner, ttlMs);
      const now = clock().getTime();
      return run(() => stmt(sql.acquireLock).run(RECONCILE_LOCK, owner, now + ttlMs, now).changes === 1);
    },

    async releaseReconcileLock(owner: string): Promise<void> {
      checkLockRequest(owner);
      run(() => stmt(sql.releaseLock).run(RECONCILE_LOCK, owner));
    },

    async addTombstones(list: readonly Tombstone[]): Promise<void> {
      checkTombstones(list);
      if (list.length === 0) return;
      const now = clock().getTime();
      run(() =>
        immediate(() => {
          for (const t of list) stmt(sql.addTombstone).run(t.objectId, t.eventId, t.createdAt?.getTime() ?? now);
        }),
      );
    },

    async findTombstones(objectIds: readonly string[]): Promise<string[]> {
      if (objectIds.length === 0) return [];
      const rows = run(() => stmt(sql.findTombstones).all(JSON.stringify(objectIds))) as { object_id: string }[];
      return rows.map((r) => r.object_id);
    },

    async countDeliveries(ids: readonly string[]): Promise<void> {
      const at = clock().getTime();
      for (const id of ids) countDelivery(id, at);
    },

    async close(): Promise<void> {
      // Commit what is queued; the database itself belongs to the caller.
      inserts.flush();
      flushCounts();
      if (countTimer !== undefined) clearTimeout(countTimer);
      countTimer = undefined;
      statements.clear();
    },
  };
}
