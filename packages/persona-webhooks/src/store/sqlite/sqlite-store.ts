import { PersonaWebhookError, StoreUnavailableError } from '../../errors.js';
import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';
import type {
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
  StoredEvent,
  StoreStats,
} from '../store.js';
import {
  checkClaimOptions,
  checkLeaseMs,
  checkNewEvent,
  checkPruneOptions,
  checkRequeueTarget,
  checkRetryAt,
  decodeCursor,
  emptyStatusCounts,
  encodeCursor,
  listLimit,
  mergeHandlers,
  type NormalizedFilter,
  normalizeFilter,
  shortError,
} from '../store-common.js';
import { sqliteMigrations, sqliteMigrationsTable, sqliteMigrationsTableSql } from './migrations.js';

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

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** A better-sqlite3 `Database`. The store never closes it. */
  readonly database: SqliteDatabaseLike;
  /** Events table name (the migrations table is `<table>_migrations`). Default `persona_webhook_events`. */
  readonly table?: string;
  /** Default `'full'`: see {@link SqliteSynchronous}. */
  readonly synchronous?: SqliteSynchronous;
  /** How long a write waits for another process's write lock before giving up with a 503. Default 2000 (well under Persona's 5 s delivery timeout). */
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
}

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|CORRUPT|NOTADB|NOMEM|INTERRUPT)/;

function toUnavailable(error: unknown): unknown {
  if (error instanceof PersonaWebhookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (/no such table/i.test(message)) {
    // 503, not 500: Persona keeps retrying until the schema exists, so nothing is lost meanwhile.
    return new StoreUnavailableError(
      'SQLite store: the events table does not exist: call store.migrate() (or apply migrationSql()) at start-up',
      { cause: error },
    );
  }
  if ((typeof code === 'string' && UNAVAILABLE_CODES.test(code)) || /database connection is not open/i.test(message)) {
    return new StoreUnavailableError(
      `SQLite store unavailable (${typeof code === 'string' ? code : 'closed'}): the event was not stored`,
      { cause: error },
    );
  }
  return error;
}

function parseHandlers(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function toStored(row: Row, withBody: boolean): StoredEvent {
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
    deliveries: row.deliveries,
    body: withBody ? row.body : null,
    updatedAt: new Date(row.updated_at),
  };
}

const COLUMNS_WITHOUT_BODY =
  'id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at, locked_by, ' +
  'locked_until, last_error, completed_handlers, deliveries, updated_at';
const UNFINISHED_SQL = "('pending', 'processing', 'retrying')";
const FINISHED_SQL = "('succeeded', 'dead')";

function filterSql(filter: NormalizedFilter, params: unknown[], alias = ''): string[] {
  const where: string[] = [];
  if (filter.statuses !== undefined) {
    where.push(`${alias}status IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.statuses));
  }
  if (filter.names !== undefined) {
    where.push(`${alias}name IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.names));
  }
  if (filter.resourceId !== undefined) {
    where.push(`${alias}resource_id = ?`);
    params.push(filter.resourceId);
  }
  if (filter.sinceMs !== undefined) {
    where.push(`${alias}created_at >= ?`);
    params.push(filter.sinceMs);
  }
  if (filter.untilMs !== undefined) {
    where.push(`${alias}created_at < ?`);
    params.push(filter.untilMs);
  }
  return where;
}

interface QueuedInsert {
  readonly event: NewEvent;
  readonly resolve: (result: InsertResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An EventStore on SQLite through better-sqlite3 12.x: WAL, a deliberate `synchronous` level (FULL by
 * default), group commit of concurrent inserts, and BEGIN IMMEDIATE around every read-modify-write so that
 * several processes can share one database file.
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
export function createSqliteStore(options: SqliteStoreOptions): EventStore {
  const db = options?.database;
  if (db === undefined || db === null || typeof db.prepare !== 'function') {
    throw new PersonaWebhookError(
      'invalid_options',
      'createSqliteStore: pass { database: new Database(file) } (a better-sqlite3 Database)',
    );
  }
  const table = checkIdentifier('table', options.table ?? DEFAULT_TABLE);
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new PersonaWebhookError('invalid_options', "createSqliteStore: synchronous must be 'full' or 'normal'");
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 2000;
  const maxBatchSize = options.maxBatchSize ?? 512;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new PersonaWebhookError('invalid_options', 'createSqliteStore: busyTimeoutMs must be an integer >= 0');
  }
  if (!Number.isInteger(maxBatchSize) || maxBatchSize <= 0) {
    throw new PersonaWebhookError('invalid_options', 'createSqliteStore: maxBatchSize must be a positive integer');
  }
  const groupCommit = options.groupCommit ?? true;
  const clock = options.clock ?? (() => new Date());
  const nowMs = (now?: Date): number => (now ?? clock()).getTime();

  let configured = false;
  const configure = () => {
    if (configured) return;
    // busy_timeout first: switching to WAL itself may need to wait for another process.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    configured = true;
  };

  const statements = new Map<string, SqliteStatementLike>();
  const stmt = (sql: string): SqliteStatementLike => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  /** Runs `fn` in BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, so no upgrade deadlock. */
  const immediate = <T>(fn: () => T): T => {
    configure();
    stmt('BEGIN IMMEDIATE').run();
    try {
      const result = fn();
      stmt('COMMIT').run();
      return result;
    } catch (error) {
      if (db.inTransaction) stmt('ROLLBACK').run();
      throw error;
    }
  };
  const guard = <T>(fn: () => T): Promise<T> => {
    try {
      configure();
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toUnavailable(error));
    }
  };

  const upsertSql = `INSERT INTO ${table}
  (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at)
  VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET deliveries = deliveries + 1, updated_at = excluded.updated_at
  RETURNING status, deliveries`;
  const upsert = (event: NewEvent): InsertResult => {
    const now = clock().getTime();
    const receivedAt = event.receivedAt?.getTime() ?? now;
    const row = stmt(upsertSql).get(
      event.id,
      event.name,
      event.createdAt.getTime(),
      receivedAt,
      event.resourceId,
      receivedAt,
      event.body,
      now,
    ) as { status: EventStatus; deliveries: number };
    // A fresh row starts at 1 delivery; a duplicate was bumped to 2 or more in the same statement.
    return { inserted: row.deliveries === 1, status: row.status };
  };

  let queue: QueuedInsert[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatchSize);
      queue = queue.slice(maxBatchSize);
      try {
        const results = immediate(() => batch.map((item) => upsert(item.event)));
        // Resolve only now: the commit (and its fsync) is done.
        for (const [i, item] of batch.entries()) item.resolve(results[i] as InsertResult);
      } catch (error) {
        const mapped = toUnavailable(error);
        if (mapped instanceof StoreUnavailableError || batch.length === 1) {
          for (const item of batch) item.reject(mapped);
          continue;
        }
        // One event the database refused must not fail the others: commit them one by one.
        for (const item of batch) {
          try {
            item.resolve(immediate(() => upsert(item.event)));
          } catch (single) {
            item.reject(toUnavailable(single));
          }
        }
      }
    }
  };

  const heldBy = (id: string, owner: string): Row | undefined => {
    const row = stmt(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Row | undefined;
    return row !== undefined && row.status === 'processing' && row.locked_by === owner ? row : undefined;
  };

  const store: EventStore = {
    migrate: () =>
      guard(() => {
        immediate(() => {
          db.exec(sqliteMigrationsTableSql({ table }));
          const applied = new Set(
            (stmt(`SELECT version FROM ${sqliteMigrationsTable({ table })}`).all() as { version: number }[]).map(
              (r) => r.version,
            ),
          );
          for (const migration of sqliteMigrations({ table })) {
            if (applied.has(migration.version)) continue;
            db.exec(migration.sql);
            db.prepare(
              `INSERT INTO ${sqliteMigrationsTable({ table })} (version, name, applied_at) VALUES (?, ?, ?)`,
            ).run(migration.version, migration.name, Date.now());
          }
        });
        // DDL may have changed the schema the cached statements were compiled against.
        statements.clear();
      }),

    insertIfAbsent(event: NewEvent): Promise<InsertResult> {
      try {
        checkNewEvent(event);
      } catch (error) {
        return Promise.reject(error);
      }
      if (!groupCommit) return guard(() => immediate(() => upsert(event)));
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          // Everything that arrives in this event-loop turn shares one transaction and one fsync.
          setImmediate(flush);
        }
      });
    },

    claim(claimOptions: ClaimOptions): Promise<StoredEvent[]> {
      try {
        checkClaimOptions(claimOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      const now = nowMs(claimOptions.now);
      const names = claimOptions.names === undefined ? null : JSON.stringify(claimOptions.names);
      return guard(() =>
        immediate(() => {
          if (claimOptions.maxAttempts !== undefined) {
            stmt(
              `UPDATE ${table} SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = ?,
                 last_error = 'lease expired after ' || attempts || ' started attempts (worker crashed or stalled)'
               WHERE status = 'processing' AND locked_until <= ? AND attempts >= ?
                 AND (? IS NULL OR name IN (SELECT value FROM json_each(?)))`,
            ).run(now, now, claimOptions.maxAttempts, names, names);
          }
          // Per-resource order: not while an older unfinished event about the same resource exists, nor
          // while another event about it runs under a live lease (an older one may arrive after a newer one
          // was claimed).
          const inOrder = `(e.resource_id IS NULL OR NOT EXISTS (
                 SELECT 1 FROM ${table} o
                 WHERE o.resource_id = e.resource_id AND o.id <> e.id
                   AND o.status IN ${UNFINISHED_SQL}
                   AND ((o.created_at < e.created_at OR (o.created_at = e.created_at AND o.id < e.id))
                        OR (o.status = 'processing' AND o.locked_until > @now))))`;
          const nameFilter = '(@names IS NULL OR e.name IN (SELECT value FROM json_each(@names)))';
          // Abandoned leases first, then due events; each read through its own small partial index
          // (INDEXED BY: the planner would otherwise pick the status index and sort every unfinished event).
          // With `ids` the primary key finds the few candidates directly.
          const from = (index: string) =>
            claimOptions.ids !== undefined
              ? `${table} e WHERE e.id IN (SELECT value FROM json_each(@ids)) AND`
              : `${table} e INDEXED BY ${index} WHERE`;
          const params = {
            now,
            names,
            ...(claimOptions.ids === undefined ? {} : { ids: JSON.stringify(claimOptions.ids) }),
          };
          const ids = stmt(
            `SELECT e.id FROM ${from(`${table}_leases`)} e.status = 'processing' AND e.locked_until <= @now
               AND ${nameFilter} AND ${inOrder}
             ORDER BY e.locked_until LIMIT @limit`,
          ).all({ ...params, limit: claimOptions.limit }) as { id: string }[];
          if (ids.length < claimOptions.limit) {
            ids.push(
              ...(stmt(
                `SELECT e.id FROM ${from(`${table}_due`)} e.status IN ('pending', 'retrying') AND e.run_at <= @now
                   AND ${nameFilter} AND ${inOrder}
                 ORDER BY e.run_at, e.created_at, e.id LIMIT @limit`,
              ).all({ ...params, limit: claimOptions.limit - ids.length }) as { id: string }[]),
            );
          }
          if (ids.length === 0) return [];
          const claimed = stmt(
            `UPDATE ${table} SET status = 'processing', attempts = attempts + 1, locked_by = ?, locked_until = ?,
               updated_at = ?
             WHERE id IN (SELECT value FROM json_each(?))
             RETURNING *`,
          ).all(claimOptions.owner, now + claimOptions.leaseMs, now, JSON.stringify(ids.map((r) => r.id))) as Row[];
          claimed.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
          return claimed.map((row) => toStored(row, true));
        }),
      );
    },

    extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
      try {
        checkLeaseMs(leaseMs);
      } catch (error) {
        return Promise.reject(error);
      }
      const now = clock().getTime();
      return guard(
        () =>
          stmt(
            `UPDATE ${table} SET locked_until = ?, updated_at = ? WHERE id = ? AND status = 'processing' AND locked_by = ?`,
          ).run(now + leaseMs, now, id, owner).changes === 1,
      );
    },

    complete(id: string, owner: string, completeOptions: CompleteOptions = {}): Promise<boolean> {
      return guard(() =>
        immediate(() => {
          const row = heldBy(id, owner);
          if (row === undefined) return false;
          const handlers = mergeHandlers(parseHandlers(row.completed_handlers), completeOptions.completedHandlers);
          stmt(
            `UPDATE ${table} SET status = 'succeeded', finished_attempts = finished_attempts + 1, locked_by = NULL,
               locked_until = NULL, completed_handlers = ?, updated_at = ? WHERE id = ?`,
          ).run(JSON.stringify(handlers), nowMs(completeOptions.now), id);
          return true;
        }),
      );
    },

    fail(id: string, owner: string, failOptions: FailOptions): Promise<boolean> {
      try {
        checkRetryAt(failOptions.retryAt);
      } catch (error) {
        return Promise.reject(error);
      }
      return guard(() =>
        immediate(() => {
          const row = heldBy(id, owner);
          if (row === undefined) return false;
          const handlers = mergeHandlers(parseHandlers(row.completed_handlers), failOptions.completedHandlers);
          const retryAt = failOptions.retryAt;
          stmt(
            `UPDATE ${table} SET status = ?, run_at = ?, finished_attempts = finished_attempts + 1, locked_by = NULL,
               locked_until = NULL, last_error = ?, completed_handlers = ?, updated_at = ? WHERE id = ?`,
          ).run(
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

    release(id: string, owner: string): Promise<boolean> {
      const now = clock().getTime();
      return guard(
        () =>
          stmt(
            `UPDATE ${table} SET status = 'pending', attempts = MAX(attempts - 1, 0), locked_by = NULL,
               locked_until = NULL, updated_at = ? WHERE id = ? AND status = 'processing' AND locked_by = ?`,
          ).run(now, id, owner).changes === 1,
      );
    },

    get(id: string): Promise<StoredEvent | null> {
      return guard(() => {
        const row = stmt(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Row | undefined;
        return row === undefined ? null : toStored(row, true);
      });
    },

    list(filter?: ListFilter, listOptions?: ListOptions): Promise<ListPage> {
      let limit: number;
      let normalized: NormalizedFilter;
      let cursor: ReturnType<typeof decodeCursor>;
      try {
        limit = listLimit(listOptions);
        normalized = normalizeFilter(filter);
        cursor = decodeCursor(listOptions?.cursor);
      } catch (error) {
        return Promise.reject(error);
      }
      const withBody = listOptions?.withBody === true;
      return guard(() => {
        const params: unknown[] = [];
        const where = filterSql(normalized, params);
        if (cursor !== null) {
          where.push('(created_at < ? OR (created_at = ? AND id < ?))');
          params.push(cursor.createdAtMs, cursor.createdAtMs, cursor.id);
        }
        const columns = withBody ? '*' : `${COLUMNS_WITHOUT_BODY}, NULL AS body`;
        const sql = `SELECT ${columns} FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC LIMIT ?`;
        const rows = stmt(sql).all(...params, limit + 1) as Row[];
        const events = rows.slice(0, limit).map((row) => toStored(row, withBody));
        const last = events.at(-1);
        return {
          events,
          nextCursor:
            rows.length > limit && last !== undefined
              ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
              : null,
        };
      });
    },

    requeue(target: { id: string } | { filter: ListFilter }): Promise<number> {
      let normalized: NormalizedFilter | undefined;
      try {
        checkRequeueTarget(target);
        if ('filter' in target) normalized = normalizeFilter(target.filter);
      } catch (error) {
        return Promise.reject(error);
      }
      const now = clock().getTime();
      return guard(() => {
        const params: unknown[] = [now, now];
        let where: string[];
        if ('id' in target) {
          where = ['id = ?'];
          params.push(target.id);
        } else {
          where = filterSql(normalized ?? normalizeFilter({}), params);
        }
        where.push(`status IN ${FINISHED_SQL}`);
        return immediate(
          () =>
            stmt(
              `UPDATE ${table} SET status = 'pending', run_at = ?, completed_handlers = '[]', locked_by = NULL,
                 locked_until = NULL, updated_at = ? WHERE ${where.join(' AND ')}`,
            ).run(...params).changes,
        );
      });
    },

    prune(pruneOptions: PruneOptions): Promise<PruneResult> {
      try {
        checkPruneOptions(pruneOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      return guard(() =>
        immediate(() => {
          let recordsDeleted = 0;
          let payloadsCleared = 0;
          if (pruneOptions.recordsBefore !== undefined) {
            recordsDeleted = stmt(`DELETE FROM ${table} WHERE status IN ${FINISHED_SQL} AND received_at < ?`).run(
              pruneOptions.recordsBefore.getTime(),
            ).changes;
          }
          if (pruneOptions.payloadsBefore !== undefined) {
            payloadsCleared = stmt(
              `UPDATE ${table} SET body = NULL WHERE status IN ${FINISHED_SQL} AND received_at < ? AND body IS NOT NULL`,
            ).run(pruneOptions.payloadsBefore.getTime()).changes;
          }
          return { payloadsCleared, recordsDeleted };
        }),
      );
    },

    stats(): Promise<StoreStats> {
      return guard(() => {
        const byStatus = emptyStatusCounts();
        let total = 0;
        // Kept by triggers (migration 2): no count over the whole table.
        for (const row of stmt(`SELECT status, n FROM ${table}_counts`).all() as { status: EventStatus; n: number }[]) {
          byStatus[row.status] = row.n;
          total += row.n;
        }
        // One index seek per status rather than a scan of every waiting event.
        const oldest = stmt(
          `SELECT MIN(at) AS at FROM (
             SELECT MIN(received_at) AS at FROM ${table} WHERE status = 'pending'
             UNION ALL SELECT MIN(received_at) FROM ${table} WHERE status = 'retrying')`,
        ).get() as { at: number | null };
        return { byStatus, total, oldestPendingReceivedAt: oldest.at === null ? null : new Date(oldest.at) };
      });
    },

    setBody(id: string, body: string | null): Promise<boolean> {
      const now = clock().getTime();
      return guard(
        () => stmt(`UPDATE ${table} SET body = ?, updated_at = ? WHERE id = ?`).run(body, now, id).changes === 1,
      );
    },

    async close(): Promise<void> {
      // Commit what is queued; the database itself belongs to the caller.
      if (queue.length > 0) flush();
      statements.clear();
    },
  };
  return store;
}
