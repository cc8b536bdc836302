import { PersonaWebhookError } from '../../errors.js';
import { numberOption } from '../../options.js';
import { fromReconcileRunRow, type ReconcileRunRow, toReconcileRunRow } from '../reconcile-run-row.js';
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
  normalizeFilter,
  reconcileRunsLimit,
  shortError,
  toActivityBuckets,
  toListPage,
} from '../store-common.js';
import { postgresMigrations, postgresMigrationsTableSql, postgresQualifiedNames } from './migrations.js';
import { postgresStoreError } from './postgres-errors.js';
import { createPostgresGroupCommit, type PendingInsert } from './postgres-group-commit.js';
import { postgresFilter, postgresStatements, RECONCILE_RUN_COLUMNS } from './postgres-sql.js';

/** What a `pg` query resolves to, as far as the store reads it. */
export interface PgQueryResultLike {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

/** A client checked out of the pool (used only for the migration transaction). */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
  release(error?: Error | boolean): void;
  /** `pg`'s client is an EventEmitter: a connection lost while it is checked out is emitted as `error`. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
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
  /**
   * Send the webhook inserts that arrive in the same event-loop turn as one statement (one round trip, one
   * commit), each caller resolving only after that commit. Default true.
   */
  readonly groupCommit?: boolean;
  /** Largest group commit. Default 512, at most 7,281 (PostgreSQL's 65,535 parameters per statement). */
  readonly maxBatchSize?: number;
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
  source: 'webhook' | 'api';
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
    source: row.source,
  };
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
 * // Else a restart crashes the process. The code only: a driver's message can quote a row's values.
 * pool.on('error', (err) => log.warn({ code: (err as { code?: string }).code }, 'idle PostgreSQL client lost'))
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
  const sql = postgresStatements(names);
  const clock = options.clock ?? (() => new Date());
  const nowDate = (now?: Date): Date => now ?? clock();

  const query = async (text: string, values: unknown[] = []): Promise<PgQueryResultLike> => {
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw postgresStoreError(error);
    }
  };

  const lockClients = new Map<string, PgClientLike>();

  /**
   * Runs `work` in a transaction on a client of its own, after taking the transaction-level advisory lock `lockKey`
   * (released at COMMIT or ROLLBACK); any failure rolls back and is thrown as the store's error.
   */
  const inLockedTransaction = async <T>(lockKey: number, work: (client: PgClientLike) => Promise<T>): Promise<T> => {
    let client: PgClientLike;
    try {
      client = await pool.connect();
    } catch (error) {
      throw postgresStoreError(error);
    }
    // A connection cut while checked out is also emitted as `error`: unheard, it would crash the process; the
    // query that was running rejects with it anyway.
    const ignore = () => {};
    client.on?.('error', ignore);
    let failed: unknown;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(() => {});
      throw postgresStoreError(error);
    } finally {
      client.removeListener?.('error', ignore);
      client.release(failed instanceof Error ? failed : undefined);
    }
  };

  const insertOne = async ({ event, receivedAt, now }: PendingInsert): Promise<InsertResult> => {
    const params = [event.id, event.name, event.createdAt, receivedAt, event.resourceId, event.body, now];
    const row = (await query(sql.insert, params)).rows[0] as { status: EventStatus; deliveries: number };
    // A fresh row starts at 1 delivery; a duplicate was bumped to 2 or more by the same statement.
    return { inserted: row.deliveries === 1, status: row.status };
  };
  // A statement carries at most 65,535 parameters (9 per row when the tombstone check rides along).
  const maxBatchSize = numberOption('createPostgresStore', 'maxBatchSize', options.maxBatchSize, 512, {
    integer: true,
    min: 1,
    max: Math.floor(65_535 / 9),
  });
  const insertManyText = new Map<number, string>();
  const useGroupCommit = options.groupCommit !== false;
  const inserts = createPostgresGroupCommit({
    maxBatchSize,
    insertMany: (rows, checked, params) => {
      const key = checked ? -rows : rows;
      let text = insertManyText.get(key);
      if (text === undefined) {
        text = sql.insertMany(rows, checked);
        if (insertManyText.size >= 64) insertManyText.clear();
        insertManyText.set(key, text);
      }
      return pool.query(text, params);
    },
    insertOne,
    mapError: postgresStoreError,
  });

  const store: EventStore = {
    async migrate(): Promise<void> {
      // Two processes starting at once: the second waits for the lock, then finds every migration applied.
      await inLockedTransaction(names.lockKey, async (client) => {
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
      });
    },

    async insertIfAbsent(event: NewEvent): Promise<InsertResult> {
      checkNewEvent(event);
      const now = clock();
      const receivedAt = event.receivedAt ?? now;
      if (event.source === 'api') {
        const params = [event.id, event.name, event.createdAt, receivedAt, event.resourceId, event.body, now];
        const fresh = (await query(sql.insertFromApi, params)).rows[0] as { status: EventStatus } | undefined;
        if (fresh !== undefined) return { inserted: true, status: fresh.status };
        const stored = (await query(sql.selectStatus, [event.id])).rows[0] as { status: EventStatus };
        return { inserted: false, status: stored.status };
      }
      const insert = { event, receivedAt, now };
      return useGroupCommit ? ((await inserts.add(insert)) as InsertResult) : insertOne(insert);
    },

    async insertUnlessTombstoned(event: NewEvent, objectIds: readonly string[]): Promise<InsertResult | null> {
      checkNewEvent(event);
      checkObjectIds(objectIds);
      if (objectIds.length === 0 || event.source === 'api') {
        // Reconcile's inserts are few: a lookup, then the insert.
        if (objectIds.length > 0 && (await store.findTombstones(objectIds)).length > 0) return null;
        return store.insertIfAbsent(event);
      }
      const now = clock();
      const insert = { event, receivedAt: event.receivedAt ?? now, now, unlessTombstoned: objectIds };
      return useGroupCommit ? inserts.add(insert) : inserts.commitAlone(insert);
    },

    async claim(claimOptions: ClaimOptions): Promise<StoredEvent[]> {
      checkClaimOptions(claimOptions);
      const now = nowDate(claimOptions.now);
      const namesParam = claimOptions.names === undefined ? null : [...claimOptions.names];
      if (claimOptions.maxAttempts !== undefined) {
        await query(sql.deadAfterMaxAttempts, [now, claimOptions.maxAttempts, namesParam]);
      }
      const lockedUntil = new Date(now.getTime() + claimOptions.leaseMs);
      const ids = claimOptions.ids === undefined ? null : [...claimOptions.ids];
      // Claims are serialized by a transaction-level advisory lock. The per-object order check reads the other
      // events' leases in the statement's snapshot: two claims at once (workers claiming different names) would
      // not see each other's uncommitted leases and could start two events about one object together. Taken after
      // the lock, each claim's snapshot holds every earlier claim's leases.
      const claimed = await inLockedTransaction(names.claimLockKey, async (client) => {
        const claimKind = async (kind: 'expired' | 'due', limit: number): Promise<Row[]> =>
          (await client.query(sql.claim(kind), [now, namesParam, limit, claimOptions.owner, lockedUntil, ids]))
            .rows as Row[];
        // Abandoned leases first, then due events.
        const rows = await claimKind('expired', claimOptions.limit);
        if (rows.length < claimOptions.limit) rows.push(...(await claimKind('due', claimOptions.limit - rows.length)));
        return rows;
      });
      return claimed.map((row) => toStored(row, true)).sort(compareByAge);
    },

    async extendLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
      checkLeaseMs(leaseMs);
      const now = clock();
      const result = await query(sql.extendLease, [new Date(now.getTime() + leaseMs), now, id, owner]);
      return result.rowCount === 1;
    },

    async complete(id: string, owner: string, completeOptions: CompleteOptions = {}): Promise<boolean> {
      const handlers = [...(completeOptions.completedHandlers ?? [])];
      const result = await query(sql.complete, [handlers, nowDate(completeOptions.now), id, owner]);
      return result.rowCount === 1;
    },

    async fail(id: string, owner: string, failOptions: FailOptions): Promise<boolean> {
      checkRetryAt(failOptions.retryAt);
      const result = await query(sql.fail, [
        failOptions.retryAt,
        shortError(failOptions.error),
        [...(failOptions.completedHandlers ?? [])],
        nowDate(failOptions.now),
        id,
        owner,
      ]);
      return result.rowCount === 1;
    },

    async release(id: string, owner: string, releaseOptions: ReleaseOptions = {}): Promise<boolean> {
      const result = await query(sql.release, [clock(), id, owner, [...(releaseOptions.completedHandlers ?? [])]]);
      return result.rowCount === 1;
    },

    async get(id: string): Promise<StoredEvent | null> {
      const { rows } = await query(sql.selectById, [id]);
      const row = rows[0] as Row | undefined;
      return row === undefined ? null : toStored(row, true);
    },

    async list(filter?: ListFilter, listOptions?: ListOptions): Promise<ListPage> {
      const request = checkListRequest(filter, listOptions);
      const params: unknown[] = [];
      const where = postgresFilter(request.filter, params);
      if (request.cursor !== null) {
        params.push(new Date(request.cursor.createdAtMs), request.cursor.id);
        where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
      }
      params.push(request.limit + 1);
      const { rows } = await query(sql.list(where, request.withBody, `$${params.length}`), params);
      return toListPage(
        (rows as Row[]).map((row) => toStored(row, request.withBody)),
        request.limit,
      );
    },

    async requeue(target: { id: string } | { filter: ListFilter }): Promise<number> {
      checkRequeueTarget(target);
      const params: unknown[] = [clock()];
      let where: string[];
      if ('id' in target) {
        params.push(target.id);
        where = ['id = $2'];
      } else {
        where = postgresFilter(normalizeFilter(target.filter), params);
      }
      const result = await query(sql.requeue(where), params);
      return result.rowCount ?? 0;
    },

    async prune(pruneOptions: PruneOptions): Promise<PruneResult> {
      checkPruneOptions(pruneOptions);
      let recordsDeleted = 0;
      let payloadsCleared = 0;
      if (pruneOptions.recordsBefore !== undefined) {
        recordsDeleted = (await query(sql.pruneRecords, [pruneOptions.recordsBefore])).rowCount ?? 0;
      }
      if (pruneOptions.payloadsBefore !== undefined) {
        payloadsCleared = (await query(sql.prunePayloads, [pruneOptions.payloadsBefore])).rowCount ?? 0;
      }
      return { payloadsCleared, recordsDeleted };
    },

    async count(filter?: ListFilter): Promise<number> {
      const normalized = normalizeFilter(filter);
      const params: unknown[] = [];
      const { rows } = await query(sql.count(postgresFilter(normalized, params)), params);
      return Number((rows[0] as { n: string }).n);
    },

    async activity(activityOptions: ActivityOptions): Promise<ActivityBucket[]> {
      const request = checkActivityOptions(activityOptions, clock());
      const params = [new Date(request.sinceMs), new Date(request.untilMs), request.bucketMs];
      const [received, outcomes] = await Promise.all([
        query(sql.activityReceived, params),
        query(sql.activityOutcomes, params),
      ]);
      return toActivityBuckets(request, [
        ...(received.rows as { bucket: number; n: string }[]).map((r) => ({
          bucket: r.bucket,
          kind: 'received' as const,
          n: Number(r.n),
        })),
        ...(outcomes.rows as { bucket: number; status: EventStatus; n: string }[]).map((r) => ({
          bucket: r.bucket,
          kind: r.status === 'succeeded' ? ('succeeded' as const) : ('failed' as const),
          n: Number(r.n),
        })),
      ]);
    },

    async stats(): Promise<StoreStats> {
      const byStatus = emptyStatusCounts();
      let total = 0;
      let oldest: Date | null = null;
      const { rows } = await query(sql.stats);
      for (const row of rows as { status: EventStatus | null; n: string | null; at: Date | null }[]) {
        if (row.status === null) {
          oldest = row.at;
          continue;
        }
        const n = Number(row.n);
        byStatus[row.status] = n;
        total += n;
      }
      return { byStatus, total, oldestPendingReceivedAt: oldest };
    },

    async setBody(id: string, body: string | null, options?: SetBodyOptions): Promise<boolean> {
      const result =
        options?.expected !== undefined
          ? await query(sql.setBodyIf, [body, clock(), id, options.expected])
          : await query(sql.setBody, [body, clock(), id]);
      return result.rowCount === 1;
    },

    async saveReconcileRun(run: ReconcileRun): Promise<void> {
      checkReconcileRun(run);
      const row = toReconcileRunRow(
        run,
        (d) => d,
        (b) => b,
      );
      await query(
        sql.saveRun,
        RECONCILE_RUN_COLUMNS.map((c) => row[c]),
      );
    },

    async listReconcileRuns(listOptions?: { limit?: number }): Promise<ReconcileRun[]> {
      const limit = reconcileRunsLimit(listOptions);
      const { rows } = await query(sql.listRuns, [limit]);
      return (rows as ReconcileRunRow[]).map(fromReconcileRunRow);
    },

    async acquireReconcileLock(owner: string, ttlMs: number): Promise<boolean> {
      checkLockRequest(owner, ttlMs);
      // A session advisory lock on a connection of its own: held until released, or until this process (or
      // its connection) dies, so a crashed reconciler never blocks the next one. ttlMs is not needed here.
      const held = lockClients.get(owner);
      if (held !== undefined) {
        try {
          await held.query('SELECT 1');
          return true;
        } catch (error) {
          lockClients.delete(owner);
          held.release(error instanceof Error ? error : true);
          throw postgresStoreError(error);
        }
      }
      let client: PgClientLike;
      try {
        client = await pool.connect();
      } catch (error) {
        throw postgresStoreError(error);
      }
      try {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [names.reconcileLockKey]);
        if ((rows[0] as { ok: boolean }).ok) {
          lockClients.set(owner, client);
          return true;
        }
        client.release();
        return false;
      } catch (error) {
        client.release(error instanceof Error ? error : true);
        throw postgresStoreError(error);
      }
    },

    async releaseReconcileLock(owner: string): Promise<void> {
      checkLockRequest(owner);
      const client = lockClients.get(owner);
      if (client === undefined) return;
      lockClients.delete(owner);
      try {
        await client.query('SELECT pg_advisory_unlock($1)', [names.reconcileLockKey]);
        client.release();
      } catch (error) {
        // Destroying the connection ends the session, which releases the lock too.
        client.release(error instanceof Error ? error : true);
      }
    },

    async addTombstones(list: readonly Tombstone[]): Promise<void> {
      checkTombstones(list);
      if (list.length === 0) return;
      const now = clock();
      await query(sql.addTombstones, [
        list.map((t) => t.objectId),
        list.map((t) => t.eventId),
        list.map((t) => t.createdAt ?? now),
      ]);
    },

    async findTombstones(objectIds: readonly string[]): Promise<string[]> {
      if (objectIds.length === 0) return [];
      const { rows } = await query(sql.findTombstones, [[...objectIds]]);
      return (rows as { object_id: string }[]).map((r) => r.object_id);
    },

    async close(): Promise<void> {
      await inserts.idle();
      for (const owner of [...lockClients.keys()]) await store.releaseReconcileLock(owner);
      // The pool belongs to the caller.
    },
  };
  return store;
}
