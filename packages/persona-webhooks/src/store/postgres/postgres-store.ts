import { PersonaWebhookError, StoreUnavailableError } from '../../errors.js';
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
  type NormalizedFilter,
  normalizeFilter,
  shortError,
} from '../store-common.js';
import { postgresMigrations, postgresMigrationsTableSql, postgresQualifiedNames } from './migrations.js';

/** What a `pg` query resolves to, as far as the store reads it. */
export interface PgQueryResultLike {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

/** A client checked out of the pool (used only for the migration transaction). */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  release(error?: Error | boolean): void;
}

/** The part of a `pg` `Pool` the store calls. Typed by shape so that the library does not depend on `pg`. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  connect(): Promise<PgClientLike>;
}

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** A `pg` Pool. The store never ends it. */
  readonly pool: PgPoolLike;
  /** Default `public`. Created by `migrate()` when missing. */
  readonly schema?: string;
  /** Default `persona_webhook_events`. */
  readonly table?: string;
  /** The clock used when a call passes no `now`. Default: `() => new Date()`. */
  readonly clock?: () => Date;
}

interface Row {
  id: string;
  name: string;
  created_at: Date;
  received_at: Date;
  resource_id: string | null;
  status: EventStatus;
  attempts: number;
  finished_attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  completed_handlers: string[];
  deliveries: number;
  body: string | null;
  updated_at: Date;
}

function toStored(row: Row, withBody: boolean): StoredEvent {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    receivedAt: row.received_at,
    resourceId: row.resource_id,
    status: row.status,
    attempts: row.attempts,
    finishedAttempts: row.finished_attempts,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    completedHandlers: row.completed_handlers,
    deliveries: row.deliveries,
    body: withBody ? row.body : null,
    updatedAt: row.updated_at,
  };
}

// SQLSTATE classes that mean "the database is not there right now": connection exception (08),
// insufficient resources (53), operator intervention such as shutdown or statement timeout (57), system error (58).
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)/;
const NETWORK_MESSAGE =
  /connect|connection|terminated|timeout|timed out|socket|closed|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN/i;

function toUnavailable(error: unknown): unknown {
  if (error instanceof PersonaWebhookError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '42P01' || code === '3F000') {
    // 503, not 500: Persona keeps retrying until the schema exists, so nothing is lost meanwhile.
    return new StoreUnavailableError(
      'PostgreSQL store: the events table does not exist: call store.migrate() (or apply migrationSql()) at start-up',
      { cause: error },
    );
  }
  const isSqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  const unavailable = isSqlState
    ? UNAVAILABLE_SQLSTATE.test(code)
    : (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || NETWORK_MESSAGE.test(message);
  if (!unavailable) return error;
  return new StoreUnavailableError(
    `PostgreSQL store unavailable (${typeof code === 'string' ? code : 'no connection'}): nothing was stored`,
    { cause: error },
  );
}

const UNFINISHED_SQL = "('pending', 'processing', 'retrying')";
const FINISHED_SQL = "('succeeded', 'dead')";
const COLUMNS_WITHOUT_BODY =
  'id, name, created_at, received_at, resource_id, status, attempts, finished_attempts, run_at, locked_by, ' +
  'locked_until, last_error, completed_handlers, deliveries, updated_at';

function filterSql(filter: NormalizedFilter, params: unknown[], alias = ''): string[] {
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.statuses !== undefined) where.push(`${alias}status = ANY(${param(filter.statuses)}::text[])`);
  if (filter.names !== undefined) where.push(`${alias}name = ANY(${param(filter.names)}::text[])`);
  if (filter.resourceId !== undefined) where.push(`${alias}resource_id = ${param(filter.resourceId)}`);
  if (filter.sinceMs !== undefined) where.push(`${alias}created_at >= ${param(new Date(filter.sinceMs))}`);
  if (filter.untilMs !== undefined) where.push(`${alias}created_at < ${param(new Date(filter.untilMs))}`);
  return where;
}

/**
 * An EventStore on PostgreSQL through a `pg` Pool: any number of receiver and worker processes share one
 * database. Inserts are `INSERT … ON CONFLICT`, claims lock with `FOR UPDATE SKIP LOCKED` in one statement,
 * and per-resource order is checked in the same statement. Connection failures reject with
 * `StoreUnavailableError` (status 503) so that Persona retries the delivery.
 *
 * Lease times come from the caller's clock (`now` or `clock`): keep the clocks of worker hosts in sync (NTP).
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createPostgresStore } from 'persona-webhooks/postgres'
 *
 * // Bound every wait well under Persona's 5 s delivery timeout, so that a stuck database answers 503 in time.
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000, query_timeout: 3000 })
 * pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client lost')) // else a restart crashes the process
 * const store = createPostgresStore({ pool, schema: 'webhooks' })
 * await store.migrate()
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): EventStore {
  const pool = options?.pool;
  if (pool === undefined || pool === null || typeof pool.query !== 'function') {
    throw new PersonaWebhookError('invalid_options', 'createPostgresStore: pass { pool: new pg.Pool(...) }');
  }
  const names = postgresQualifiedNames({
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.table === undefined ? {} : { table: options.table }),
  });
  const t = names.events;
  const clock = options.clock ?? (() => new Date());
  const nowDate = (now?: Date): Date => now ?? clock();

  const query = async (text: string, values: unknown[] = []): Promise<PgQueryResultLike> => {
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw toUnavailable(error);
    }
  };
  const rejectBadInput = <T>(check: () => void, run: () => Promise<T>): Promise<T> => {
    try {
      check();
    } catch (error) {
      return Promise.reject(error);
    }
    return run();
  };

  const mergeSql = (param: string) =>
    `ARRAY(SELECT h FROM unnest(completed_handlers || ${param}::text[]) WITH ORDINALITY AS u(h, n)
           GROUP BY h ORDER BY min(n))`;

  const store: EventStore = {
    async migrate(): Promise<void> {
      let client: PgClientLike;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toUnavailable(error);
      }
      let failed: unknown;
      try {
        await client.query('BEGIN');
        // Two processes starting at once: the second waits here, then finds every migration applied.
        await client.query('SELECT pg_advisory_xact_lock($1)', [names.lockKey]);
        await client.query(postgresMigrationsTableSql(names));
        const applied = new Set(
          (await client.query(`SELECT version FROM ${names.migrations}`)).rows.map(
            (row) => (row as { version: number }).version,
          ),
        );
        for (const migration of postgresMigrations(names)) {
          if (applied.has(migration.version)) continue;
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
        }
        await client.query('COMMIT');
      } catch (error) {
        failed = error;
        await client.query('ROLLBACK').catch(() => {});
        throw toUnavailable(error);
      } finally {
        client.release(failed instanceof Error ? failed : undefined);
      }
    },

    insertIfAbsent(event: NewEvent): Promise<InsertResult> {
      return rejectBadInput(
        () => checkNewEvent(event),
        async () => {
          const now = clock();
          const receivedAt = event.receivedAt ?? now;
          const { rows } = await query(
            `INSERT INTO ${t} (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $4, $6, $7)
             ON CONFLICT (id) DO UPDATE SET deliveries = ${t}.deliveries + 1, updated_at = EXCLUDED.updated_at
             RETURNING status, deliveries`,
            [event.id, event.name, event.createdAt, receivedAt, event.resourceId, event.body, now],
          );
          const row = rows[0] as { status: EventStatus; deliveries: number };
          // A fresh row starts at 1 delivery; a duplicate was bumped to 2 or more by the same statement.
          return { inserted: row.deliveries === 1, status: row.status };
        },
      );
    },

    claim(claimOptions: ClaimOptions): Promise<StoredEvent[]> {
      return rejectBadInput(
        () => checkClaimOptions(claimOptions),
        async () => {
          const now = nowDate(claimOptions.now);
          const namesParam = claimOptions.names === undefined ? null : [...claimOptions.names];
          if (claimOptions.maxAttempts !== undefined) {
            await query(
              `UPDATE ${t} SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = $1,
                 last_error = 'lease expired after ' || attempts || ' started attempts (worker crashed or stalled)'
               WHERE status = 'processing' AND locked_until <= $1 AND attempts >= $2
                 AND ($3::text[] IS NULL OR name = ANY($3::text[]))`,
              [now, claimOptions.maxAttempts, namesParam],
            );
          }
          // Per-resource order: not while an older unfinished event about the same resource exists, nor while
          // another event about it runs under a live lease (an older one may arrive after a newer one was claimed).
          // `locked_until` is set only while processing; testing it without `status = 'processing'` keeps the
          // planner on the resource index: the leases index holds an entry for every recent claim until vacuum,
          // and scanning it made each claim cost grow with the claims of the last lease period.
          const inOrder = `(e.resource_id IS NULL OR NOT EXISTS (
                   SELECT 1 FROM ${t} o
                   WHERE o.resource_id = e.resource_id AND o.id <> e.id
                     AND ((o.status IN ${UNFINISHED_SQL} AND (o.created_at, o.id) < (e.created_at, e.id))
                          OR o.locked_until > $1)))`;
          // One statement per kind of claimable event, each reading its own small partial index:
          // abandoned leases first, then due events. SKIP LOCKED: concurrent claims take different events;
          // the row lock re-checks the status, so an event claimed meanwhile is not taken twice.
          const claimWhere = async (where: string, order: string, limit: number): Promise<Row[]> => {
            const { rows } = await query(
              `WITH picked AS (
                 SELECT e.id FROM ${t} e
                 WHERE ${where} AND ($2::text[] IS NULL OR e.name = ANY($2::text[]))
                   AND ($6::text[] IS NULL OR e.id = ANY($6::text[])) AND ${inOrder}
                 ORDER BY ${order}
                 LIMIT $3
                 FOR UPDATE SKIP LOCKED
               )
               UPDATE ${t} AS ev SET status = 'processing', attempts = ev.attempts + 1, locked_by = $4,
                 locked_until = $5, updated_at = $1
               FROM picked WHERE ev.id = picked.id
               RETURNING ev.*`,
              [
                now,
                namesParam,
                limit,
                claimOptions.owner,
                new Date(now.getTime() + claimOptions.leaseMs),
                claimOptions.ids === undefined ? null : [...claimOptions.ids],
              ],
            );
            return rows as Row[];
          };
          const claimed = await claimWhere(
            "e.status = 'processing' AND e.locked_until <= $1",
            'e.locked_until',
            claimOptions.limit,
          );
          if (claimed.length < claimOptions.limit) {
            claimed.push(
              ...(await claimWhere(
                "e.status IN ('pending', 'retrying') AND e.run_at <= $1",
                'e.run_at, e.created_at, e.id',
                claimOptions.limit - claimed.length,
              )),
            );
          }
          claimed.sort(
            (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
          );
          return claimed.map((row) => toStored(row, true));
        },
      );
    },

    extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
      return rejectBadInput(
        () => checkLeaseMs(leaseMs),
        async () => {
          const now = clock();
          const result = await query(
            `UPDATE ${t} SET locked_until = $1, updated_at = $2
             WHERE id = $3 AND status = 'processing' AND locked_by = $4`,
            [new Date(now.getTime() + leaseMs), now, id, owner],
          );
          return result.rowCount === 1;
        },
      );
    },

    async complete(id: string, owner: string, completeOptions: CompleteOptions = {}): Promise<boolean> {
      const result = await query(
        `UPDATE ${t} SET status = 'succeeded', finished_attempts = finished_attempts + 1, locked_by = NULL,
           locked_until = NULL, completed_handlers = ${mergeSql('$1')}, updated_at = $2
         WHERE id = $3 AND status = 'processing' AND locked_by = $4`,
        [[...(completeOptions.completedHandlers ?? [])], nowDate(completeOptions.now), id, owner],
      );
      return result.rowCount === 1;
    },

    fail(id: string, owner: string, failOptions: FailOptions): Promise<boolean> {
      return rejectBadInput(
        () => checkRetryAt(failOptions.retryAt),
        async () => {
          const result = await query(
            `UPDATE ${t} SET status = CASE WHEN $1::timestamptz IS NULL THEN 'dead' ELSE 'retrying' END,
               run_at = COALESCE($1::timestamptz, run_at), finished_attempts = finished_attempts + 1,
               locked_by = NULL, locked_until = NULL, last_error = $2, completed_handlers = ${mergeSql('$3')},
               updated_at = $4
             WHERE id = $5 AND status = 'processing' AND locked_by = $6`,
            [
              failOptions.retryAt,
              shortError(failOptions.error),
              [...(failOptions.completedHandlers ?? [])],
              nowDate(failOptions.now),
              id,
              owner,
            ],
          );
          return result.rowCount === 1;
        },
      );
    },

    async release(id: string, owner: string): Promise<boolean> {
      const now = clock();
      const result = await query(
        `UPDATE ${t} SET status = 'pending', attempts = GREATEST(attempts - 1, 0), locked_by = NULL,
           locked_until = NULL, updated_at = $1
         WHERE id = $2 AND status = 'processing' AND locked_by = $3`,
        [now, id, owner],
      );
      return result.rowCount === 1;
    },

    async get(id: string): Promise<StoredEvent | null> {
      const { rows } = await query(`SELECT * FROM ${t} WHERE id = $1`, [id]);
      const row = rows[0] as Row | undefined;
      return row === undefined ? null : toStored(row, true);
    },

    list(filter?: ListFilter, listOptions?: ListOptions): Promise<ListPage> {
      let limit = 0;
      let normalized: NormalizedFilter = normalizeFilter(undefined);
      let cursor: ReturnType<typeof decodeCursor> = null;
      return rejectBadInput(
        () => {
          limit = listLimit(listOptions);
          normalized = normalizeFilter(filter);
          cursor = decodeCursor(listOptions?.cursor);
        },
        async () => {
          const withBody = listOptions?.withBody === true;
          const params: unknown[] = [];
          const where = filterSql(normalized, params);
          if (cursor !== null) {
            params.push(new Date(cursor.createdAtMs), cursor.id);
            where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
          }
          params.push(limit + 1);
          const { rows } = await query(
            `SELECT ${withBody ? '*' : `${COLUMNS_WITHOUT_BODY}, NULL AS body`} FROM ${t}
             ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
             ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
            params,
          );
          const events = (rows as Row[]).slice(0, limit).map((row) => toStored(row, withBody));
          const last = events.at(-1);
          return {
            events,
            nextCursor:
              rows.length > limit && last !== undefined
                ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
                : null,
          };
        },
      );
    },

    requeue(target: { id: string } | { filter: ListFilter }): Promise<number> {
      let normalized: NormalizedFilter | undefined;
      return rejectBadInput(
        () => {
          checkRequeueTarget(target);
          if ('filter' in target) normalized = normalizeFilter(target.filter);
        },
        async () => {
          const params: unknown[] = [clock()];
          let where: string[];
          if ('id' in target) {
            params.push(target.id);
            where = ['id = $2'];
          } else {
            where = filterSql(normalized ?? normalizeFilter({}), params);
          }
          where.push(`status IN ${FINISHED_SQL}`);
          const result = await query(
            `UPDATE ${t} SET status = 'pending', run_at = $1, completed_handlers = '{}', locked_by = NULL,
               locked_until = NULL, updated_at = $1 WHERE ${where.join(' AND ')}`,
            params,
          );
          return result.rowCount ?? 0;
        },
      );
    },

    prune(pruneOptions: PruneOptions): Promise<PruneResult> {
      return rejectBadInput(
        () => checkPruneOptions(pruneOptions),
        async () => {
          let recordsDeleted = 0;
          let payloadsCleared = 0;
          if (pruneOptions.recordsBefore !== undefined) {
            const result = await query(`DELETE FROM ${t} WHERE status IN ${FINISHED_SQL} AND received_at < $1`, [
              pruneOptions.recordsBefore,
            ]);
            recordsDeleted = result.rowCount ?? 0;
          }
          if (pruneOptions.payloadsBefore !== undefined) {
            const result = await query(
              `UPDATE ${t} SET body = NULL WHERE status IN ${FINISHED_SQL} AND received_at < $1 AND body IS NOT NULL`,
              [pruneOptions.payloadsBefore],
            );
            payloadsCleared = result.rowCount ?? 0;
          }
          return { payloadsCleared, recordsDeleted };
        },
      );
    },

    async stats(): Promise<StoreStats> {
      const byStatus = emptyStatusCounts();
      let total = 0;
      // Counts kept by the triggers of migration 2; each min() is one step down the (status, received_at) index.
      const { rows } = await query(
        `SELECT status, SUM(n)::bigint AS n, NULL::timestamptz AS at FROM ${names.counts} GROUP BY status
         UNION ALL
         SELECT NULL, NULL, LEAST(
           (SELECT MIN(received_at) FROM ${t} WHERE status = 'pending'),
           (SELECT MIN(received_at) FROM ${t} WHERE status = 'retrying'))`,
      );
      let oldestRow: { at: Date | null } | undefined;
      for (const row of rows as { status: EventStatus | null; n: string | null; at: Date | null }[]) {
        if (row.status === null) {
          oldestRow = row;
          continue;
        }
        const n = Number(row.n);
        byStatus[row.status] = n;
        total += n;
      }
      const at = oldestRow?.at ?? null;
      return { byStatus, total, oldestPendingReceivedAt: at };
    },

    async setBody(id: string, body: string | null): Promise<boolean> {
      const result = await query(`UPDATE ${t} SET body = $1, updated_at = $2 WHERE id = $3`, [body, clock(), id]);
      return result.rowCount === 1;
    },

    async close(): Promise<void> {
      // The pool belongs to the caller.
    },
  };
  return store;
}
