// The SQL text of the SQLite store, as pure functions of the (checked) table name: easy to print and review.
// Parameters are positional `?` unless named (`@now`); the store binds them in the order written here.
import {
  COLUMNS_WITHOUT_BODY,
  FINISHED_SQL,
  type NormalizedFilter,
  statusCondition,
  UNFINISHED_SQL,
} from '../store-common.js';

/** Which claimable events a claim query reads: expired leases, or due pending/retrying events. */
export type SqliteClaimKind = 'expired' | 'due';

/**
 * Every fixed statement of the SQLite store for one table.
 *
 * @example
 * ```ts
 * console.log(sqliteStatements('persona_webhook_events').insert)
 * ```
 */
export function sqliteStatements(table: string) {
  // Per-resource order: not while an older unfinished event about the same resource exists, nor while another
  // event about it runs under a live lease (an older one may arrive after a newer one was claimed). A claim for
  // some names waits only for older events of those names: one of a name nobody handles stays pending for good,
  // and would otherwise hold every later event about its object.
  const inOrder = `(e.resource_id IS NULL OR NOT EXISTS (
       SELECT 1 FROM ${table} o
       WHERE o.resource_id = e.resource_id AND o.id <> e.id
         AND o.status IN ${UNFINISHED_SQL}
         AND (((o.created_at < e.created_at OR (o.created_at = e.created_at AND o.id < e.id))
               AND (@names IS NULL OR o.name IN (SELECT value FROM json_each(@names))))
              OR (o.status = 'processing' AND o.locked_until > @now))))`;
  const nameFilter = '(@names IS NULL OR e.name IN (SELECT value FROM json_each(@names)))';
  // A due event, and the order due events are claimed in: one definition for both kinds of due claim.
  const isDue = "e.status IN ('pending', 'retrying') AND e.run_at <= @now";
  const dueOrder = 'e.run_at, e.created_at, e.id';
  // Each kind of claimable event is read through its own small partial index (INDEXED BY: the planner would
  // otherwise pick the status index and sort every unfinished event). With `ids` the primary key finds the
  // few candidates directly.
  const from = (index: string, byIds: boolean) =>
    byIds ? `${table} e WHERE e.id IN (SELECT value FROM json_each(@ids)) AND` : `${table} e INDEXED BY ${index} WHERE`;
  return {
    /**
     * Insert unless the id is stored: no change (0 rows) for a duplicate, which is never rewritten (its body
     * would be, with the whole row). Params: id, name, created_at, received_at, resource_id, run_at, body,
     * updated_at, source.
     */
    insert: `INSERT INTO ${table}
  (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at, source)
  VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
  ON CONFLICT (id) DO NOTHING`,
    selectStatus: `SELECT status FROM ${table} WHERE id = ?`,
    /** Named params: id, n (deliveries to add), at (ms). Counted apart from the event's row (migration 7), if stored. */
    addDeliveries: `INSERT INTO ${table}_deliveries (id, n, at)
  SELECT @id, @n, @at WHERE EXISTS (SELECT 1 FROM ${table} WHERE id = @id)
  ON CONFLICT (id) DO UPDATE SET n = n + excluded.n, at = max(at, excluded.at)`,
    /** Param: a JSON array of ids. The deliveries counted apart for those that have any. */
    laterDeliveries: `SELECT id, n, at FROM ${table}_deliveries WHERE id IN (SELECT value FROM json_each(?))`,
    selectById: `SELECT * FROM ${table} WHERE id = ?`,
    /** Named params: every column of the runs table. */
    saveRun: `INSERT INTO ${table}_reconcile_runs
  (id, status, owner, started_at, finished_at, window_from, window_to, top_event_id, cursor, seen, already_stored,
   inserted, failed, names, dry_run, error, updated_at)
  VALUES (@id, @status, @owner, @started_at, @finished_at, @window_from, @window_to, @top_event_id, @cursor, @seen,
   @already_stored, @inserted, @failed, @names, @dry_run, @error, @updated_at)
  ON CONFLICT (id) DO UPDATE SET status = excluded.status, owner = excluded.owner, finished_at = excluded.finished_at,
   window_from = excluded.window_from, window_to = excluded.window_to, top_event_id = excluded.top_event_id,
   cursor = excluded.cursor, seen = excluded.seen, already_stored = excluded.already_stored,
   inserted = excluded.inserted, failed = excluded.failed, names = excluded.names, dry_run = excluded.dry_run,
   error = excluded.error, updated_at = excluded.updated_at`,
    /** Params: limit. */
    listRuns: `SELECT * FROM ${table}_reconcile_runs ORDER BY started_at DESC, id DESC LIMIT ?`,
    /** Takes a free or expired lock, or renews one's own. Params: name, owner, expires_at, now. */
    acquireLock: `INSERT INTO ${table}_locks (name, owner, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
  WHERE ${table}_locks.owner = excluded.owner OR ${table}_locks.expires_at <= ?`,
    /** Params: name, owner. */
    releaseLock: `DELETE FROM ${table}_locks WHERE name = ? AND owner = ?`,
    /** Params: updated_at, now, maxAttempts, names, names. */
    deadAfterMaxAttempts: `UPDATE ${table} SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = ?,
     last_error = 'lease expired after ' || attempts || ' started attempts (worker crashed or stalled)'
   WHERE status = 'processing' AND locked_until <= ? AND attempts >= ?
     AND (? IS NULL OR name IN (SELECT value FROM json_each(?)))`,
    /** Named params: now, names, limit, and ids when `byIds`. */
    claimCandidates: (kind: SqliteClaimKind, byIds: boolean) =>
      kind === 'expired'
        ? `SELECT e.id FROM ${from(`${table}_leases`, byIds)} e.status = 'processing' AND e.locked_until <= @now
     AND ${nameFilter} AND ${inOrder}
   ORDER BY e.locked_until LIMIT @limit`
        : `SELECT e.id FROM ${from(`${table}_due`, byIds)} ${isDue}
     AND ${nameFilter} AND ${inOrder}
   ORDER BY ${dueOrder} LIMIT @limit`,
    /**
     * Due events of the given names, per name through the name index (migration 6), so that waiting events of
     * other names (which such a worker never claims) are not read at all. Named params: now, names (JSON, for the
     * order check), limit, n0 … n(count-1).
     */
    claimDueByName: (count: number) => {
      const arm = (
        k: number,
      ) => `SELECT * FROM (SELECT e.id, e.run_at, e.created_at FROM ${table} e INDEXED BY ${table}_due_name
     WHERE e.name = @n${k} AND ${isDue} AND ${inOrder}
     ORDER BY ${dueOrder} LIMIT @limit)`;
      return `SELECT id FROM (${Array.from({ length: count }, (_, k) => arm(k)).join('\n   UNION ALL ')})
   ORDER BY run_at, created_at, id LIMIT @limit`;
    },
    /** Params: owner, locked_until, updated_at, ids (JSON). */
    claim: `UPDATE ${table} SET status = 'processing', attempts = attempts + 1, locked_by = ?, locked_until = ?,
     updated_at = ?
   WHERE id IN (SELECT value FROM json_each(?))
   RETURNING *`,
    /** Params: locked_until, updated_at, id, owner. */
    extendLease: `UPDATE ${table} SET locked_until = ?, updated_at = ? WHERE id = ? AND status = 'processing' AND locked_by = ?`,
    /** Params: completed_handlers (JSON), updated_at, id. */
    complete: `UPDATE ${table} SET status = 'succeeded', finished_attempts = finished_attempts + 1, locked_by = NULL,
     locked_until = NULL, completed_handlers = ?, updated_at = ? WHERE id = ?`,
    /** Params: status, run_at, last_error, completed_handlers (JSON), updated_at, id. */
    fail: `UPDATE ${table} SET status = ?, run_at = ?, finished_attempts = finished_attempts + 1, locked_by = NULL,
     locked_until = NULL, last_error = ?, completed_handlers = ?, updated_at = ? WHERE id = ?`,
    /** Params: completed_handlers (JSON), updated_at, id, owner. */
    release: `UPDATE ${table} SET status = 'pending', attempts = MAX(attempts - 1, 0), locked_by = NULL,
     locked_until = NULL, completed_handlers = ?, updated_at = ? WHERE id = ? AND status = 'processing' AND locked_by = ?`,
    /** Params: received_at bound. */
    pruneRecords: `DELETE FROM ${table} WHERE status IN ${FINISHED_SQL} AND received_at < ?`,
    /** Params: received_at bound. */
    prunePayloads: `UPDATE ${table} SET body = NULL WHERE status IN ${FINISHED_SQL} AND received_at < ? AND body IS NOT NULL`,
    /** Kept by triggers (migration 2): no count over the whole table. */
    counts: `SELECT status, n FROM ${table}_counts`,
    // One index seek per status rather than a scan of every waiting event.
    oldestWaiting: `SELECT MIN(at) AS at FROM (
   SELECT MIN(received_at) AS at FROM ${table} WHERE status = 'pending'
   UNION ALL SELECT MIN(received_at) FROM ${table} WHERE status = 'retrying')`,
    /** Params: body, updated_at, id. */
    setBody: `UPDATE ${table} SET body = ?, updated_at = ? WHERE id = ?`,
    setBodyIf: `UPDATE ${table} SET body = ?, updated_at = ? WHERE id = ? AND body IS ?`,
    addTombstone: `INSERT INTO ${table}_tombstones (object_id, event_id, created_at) VALUES (?, ?, ?)
  ON CONFLICT (object_id) DO NOTHING`,
    findTombstones: `SELECT object_id FROM ${table}_tombstones WHERE object_id IN (SELECT value FROM json_each(?))`,
    /** A newest-first page; `where` from {@link sqliteFilter}, the last param is the row limit. */
    list: (where: readonly string[], withBody: boolean, index: string | null = null) =>
      `SELECT ${withBody ? '*' : `${COLUMNS_WITHOUT_BODY}, NULL AS body`} FROM ${table}${index === null ? '' : ` INDEXED BY ${index}`}
   ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
   ORDER BY created_at DESC, id DESC LIMIT ?`,
    /** How many events match; `where` from {@link sqliteFilter}. */
    count: (where: readonly string[]) =>
      `SELECT COUNT(*) AS n FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`,
    /** Named params: since, until, bucket (ms). Read through the received_at index (migration 5). */
    activityReceived: `SELECT CAST((received_at - @since) / @bucket AS INTEGER) AS bucket, COUNT(*) AS n FROM ${table}
   WHERE received_at >= @since AND received_at < @until GROUP BY 1`,
    /** Named params: since, until, bucket (ms). Read through the partial outcome index (migration 5). */
    activityOutcomes: `SELECT CAST((updated_at - @since) / @bucket AS INTEGER) AS bucket, status, COUNT(*) AS n FROM ${table}
   WHERE status IN ('succeeded', 'retrying', 'dead') AND updated_at >= @since AND updated_at < @until GROUP BY 1, 2`,
    /** Params: run_at, updated_at, then those of `where`. */
    requeue: (where: readonly string[]) =>
      `UPDATE ${table} SET status = 'pending', run_at = ?, completed_handlers = '[]', locked_by = NULL,
     locked_until = NULL, updated_at = ? WHERE ${[...where, `status IN ${FINISHED_SQL}`].join(' AND ')}`,
  };
}

/** Conditions (and their params, appended to `params`) for a list filter. */
export function sqliteFilter(filter: NormalizedFilter, params: unknown[]): string[] {
  const where: string[] = [];
  // Statuses are literals (normalizeFilter checked them against the known five), and one status or name is an
  // equality: only then can SQLite use a partial index (the dead letters') or read an index in date order.
  if (filter.statuses !== undefined) where.push(statusCondition(filter.statuses));
  if (filter.names !== undefined) {
    if (filter.names.length === 1) where.push('name = ?');
    else where.push('name IN (SELECT value FROM json_each(?))');
    params.push(filter.names.length === 1 ? filter.names[0] : JSON.stringify(filter.names));
  }
  if (filter.resourceId !== undefined) {
    where.push('resource_id = ?');
    params.push(filter.resourceId);
  }
  if (filter.source !== undefined) {
    where.push('source = ?');
    params.push(filter.source);
  }
  if (filter.sinceMs !== undefined) {
    where.push('created_at >= ?');
    params.push(filter.sinceMs);
  }
  if (filter.untilMs !== undefined) {
    where.push('created_at < ?');
    params.push(filter.untilMs);
  }
  return where;
}

/**
 * The index a newest-first page must read, where SQLite's planner picks worse: for the dead letters it prefers
 * the status index and sorts every dead event (100+ ms at 20,000 of them) over the partial index already in
 * date order (< 1 ms). Null: let the planner choose.
 *
 * @example
 * ```ts
 * sqliteListIndex('persona_webhook_events', normalizeFilter({ status: 'dead' })) // 'persona_webhook_events_dead_created'
 * ```
 */
export function sqliteListIndex(table: string, filter: NormalizedFilter): string | null {
  const deadOnly = filter.statuses?.length === 1 && filter.statuses[0] === 'dead';
  if (!deadOnly || filter.resourceId !== undefined || filter.source !== undefined) return null;
  if (filter.names === undefined) return `${table}_dead_created`;
  return filter.names.length === 1 ? `${table}_dead_name_created` : null;
}

/** The cursor condition of a newest-first page (params: createdAt, createdAt, id). */
export const SQLITE_AFTER_CURSOR = '(created_at < ? OR (created_at = ? AND id < ?))';
