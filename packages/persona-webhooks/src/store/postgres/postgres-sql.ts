// The SQL text of the PostgreSQL store, as pure functions of the (checked, quoted) names: easy to print and
// review. Parameters are `$n`; each statement says what it binds.
import {
  COLUMNS_WITHOUT_BODY,
  FINISHED_SQL,
  type NormalizedFilter,
  statusCondition,
  UNFINISHED_SQL,
} from '../store-common.js';
import type { PostgresQualifiedNames } from './migrations.js';

/** Which claimable events a claim statement takes: expired leases, or due pending/retrying events. */
export type PostgresClaimKind = 'expired' | 'due';

/**
 * Every statement of the PostgreSQL store for one schema and table.
 *
 * @example
 * ```ts
 * console.log(postgresStatements(postgresQualifiedNames()).insert)
 * ```
 */
export function postgresStatements(names: PostgresQualifiedNames) {
  const t = names.events;
  // Stored handlers plus the new ones in `param`, each once, in first-seen order.
  const mergeHandlers = (param: string) =>
    `ARRAY(SELECT h FROM unnest(completed_handlers || ${param}::text[]) WITH ORDINALITY AS u(h, n)
           GROUP BY h ORDER BY min(n))`;
  // Per-resource order: not while an older unfinished event about the same resource exists, nor while another
  // event about it runs under a live lease (an older one may arrive after a newer one was claimed).
  // `locked_until` is set only while processing; testing it without `status = 'processing'` keeps the planner
  // on the resource index: the leases index holds an entry for every recent claim until vacuum, and scanning
  // it made each claim cost grow with the claims of the last lease period.
  // A claim for some names waits only for older events of those names (one of a name nobody handles stays
  // pending for good, and would otherwise hold every later event about its object).
  const inOrder = `(e.resource_id IS NULL OR NOT EXISTS (
       SELECT 1 FROM ${t} o
       WHERE o.resource_id = e.resource_id AND o.id <> e.id
         AND ((o.status IN ${UNFINISHED_SQL} AND (o.created_at, o.id) < (e.created_at, e.id)
               AND ($2::text[] IS NULL OR o.name = ANY($2::text[])))
              OR o.locked_until > $1)))`;
  const claimable: Record<PostgresClaimKind, { where: string; order: string }> = {
    expired: { where: "e.status = 'processing' AND e.locked_until <= $1", order: 'e.locked_until' },
    due: { where: "e.status IN ('pending', 'retrying') AND e.run_at <= $1", order: 'e.run_at, e.created_at, e.id' },
  };
  return {
    /** Params: id, name, created_at, received_at (also run_at), resource_id, body, updated_at. */
    insert: `INSERT INTO ${t} (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at)
   VALUES ($1, $2, $3, $4, $5, 'pending', $4, $6, $7)
   ON CONFLICT (id) DO UPDATE SET deliveries = ${t}.deliveries + 1, updated_at = EXCLUDED.updated_at
   RETURNING status, deliveries`,
    /**
     * `rows` webhook inserts in one statement (group commit), each id once with its delivery count in this
     * batch. Params, 9 per row (8 without `checked`, the last one left out): id, name, created_at, received_at
     * (also run_at), resource_id, body, updated_at, count, and the object ids whose tombstone skips the row (`insertUnlessTombstoned`; null: no check; a
     * duplicate of a stored event is counted whatever the tombstones). A fresh row returns deliveries equal to
     * its count; a stored one, more; a skipped one, nothing. Plain VALUES
     * rather than unnest(arrays): array parameters would be escaped quote by quote on the way out, and bodies
     * are JSON.
     */
    insertMany: (rows: number, checked: boolean) => {
      const into = `INSERT INTO ${t} AS e (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at, deliveries)`;
      const upsert = `ON CONFLICT (id) DO UPDATE SET deliveries = e.deliveries + EXCLUDED.deliveries, updated_at = EXCLUDED.updated_at
   RETURNING e.id, e.status, e.deliveries`;
      const perRow = checked ? 9 : 8;
      const values = Array.from({ length: rows }, (_, r) => {
        const p = (k: number) => `$${r * perRow + k}`;
        return checked
          ? `(${p(1)}, ${p(2)}, ${p(3)}::timestamptz, ${p(4)}::timestamptz, ${p(5)}, ${p(6)}, ${p(7)}::timestamptz, ${p(8)}::integer, ${p(9)}::text[])`
          : `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 'pending', ${p(4)}, ${p(6)}, ${p(7)}, ${p(8)}::integer)`;
      });
      // No tombstone check in the batch: the plain statement.
      if (!checked) return `${into}\n   VALUES ${values.join(',\n     ')}\n   ${upsert}`;
      return `WITH input (id, name, created_at, received_at, resource_id, body, updated_at, n, unless_ids) AS (
     VALUES ${values.join(',\n       ')}
   )
   ${into}
   SELECT i.id, i.name, i.created_at, i.received_at, i.resource_id, 'pending', i.received_at, i.body, i.updated_at, i.n
   FROM input i
   WHERE i.unless_ids IS NULL
      OR NOT EXISTS (SELECT 1 FROM ${names.tombstones} g WHERE g.object_id = ANY(i.unless_ids))
   ${upsert}`;
    },
    /** Params: now, maxAttempts, names. */
    deadAfterMaxAttempts: `UPDATE ${t} SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = $1,
     last_error = 'lease expired after ' || attempts || ' started attempts (worker crashed or stalled)'
   WHERE status = 'processing' AND locked_until <= $1 AND attempts >= $2
     AND ($3::text[] IS NULL OR name = ANY($3::text[]))`,
    /**
     * One statement per kind of claimable event, each reading its own small partial index. SKIP LOCKED:
     * concurrent claims take different events; the row lock re-checks the status, so an event claimed
     * meanwhile is not taken twice. Params: now, names, limit, owner, locked_until, ids.
     */
    claim: (kind: PostgresClaimKind) => `WITH picked AS (
   SELECT e.id FROM ${t} e
   WHERE ${claimable[kind].where} AND ($2::text[] IS NULL OR e.name = ANY($2::text[]))
     AND ($6::text[] IS NULL OR e.id = ANY($6::text[])) AND ${inOrder}
   ORDER BY ${claimable[kind].order}
   LIMIT $3
   FOR UPDATE SKIP LOCKED
 )
 UPDATE ${t} AS ev SET status = 'processing', attempts = ev.attempts + 1, locked_by = $4,
   locked_until = $5, updated_at = $1
 FROM picked WHERE ev.id = picked.id
 RETURNING ev.*`,
    /** Params: locked_until, updated_at, id, owner. */
    extendLease: `UPDATE ${t} SET locked_until = $1, updated_at = $2
   WHERE id = $3 AND status = 'processing' AND locked_by = $4`,
    /** Params: completed handlers, updated_at, id, owner. */
    complete: `UPDATE ${t} SET status = 'succeeded', finished_attempts = finished_attempts + 1, locked_by = NULL,
     locked_until = NULL, completed_handlers = ${mergeHandlers('$1')}, updated_at = $2
   WHERE id = $3 AND status = 'processing' AND locked_by = $4`,
    /** Params: retryAt (null: dead), last_error, completed handlers, updated_at, id, owner. */
    fail: `UPDATE ${t} SET status = CASE WHEN $1::timestamptz IS NULL THEN 'dead' ELSE 'retrying' END,
     run_at = COALESCE($1::timestamptz, run_at), finished_attempts = finished_attempts + 1,
     locked_by = NULL, locked_until = NULL, last_error = $2, completed_handlers = ${mergeHandlers('$3')},
     updated_at = $4
   WHERE id = $5 AND status = 'processing' AND locked_by = $6`,
    /** Params: updated_at, id, owner, completed handlers. */
    release: `UPDATE ${t} SET status = 'pending', attempts = GREATEST(attempts - 1, 0), locked_by = NULL,
     locked_until = NULL, completed_handlers = ${mergeHandlers('$4')}, updated_at = $1
   WHERE id = $2 AND status = 'processing' AND locked_by = $3`,
    /** Params: id. */
    selectById: `SELECT * FROM ${t} WHERE id = $1`,
    /** Insert only (reconcile): a duplicate from the API is not a delivery. Params as insert; no row = duplicate. */
    insertFromApi: `INSERT INTO ${t} (id, name, created_at, received_at, resource_id, status, run_at, body, updated_at, source)
   VALUES ($1, $2, $3, $4, $5, 'pending', $4, $6, $7, 'api')
   ON CONFLICT (id) DO NOTHING
   RETURNING status`,
    /** Params: id. */
    selectStatus: `SELECT status FROM ${t} WHERE id = $1`,
    /** Params: the 17 columns of the runs table in {@link RECONCILE_RUN_COLUMNS} order. */
    saveRun: `INSERT INTO ${names.reconcileRuns} (${RECONCILE_RUN_COLUMNS.join(', ')})
   VALUES (${RECONCILE_RUN_COLUMNS.map((_, n) => `$${n + 1}`).join(', ')})
   ON CONFLICT (id) DO UPDATE SET ${RECONCILE_RUN_COLUMNS.filter((c) => c !== 'id' && c !== 'started_at')
     .map((c) => `${c} = EXCLUDED.${c}`)
     .join(', ')}`,
    /** Params: limit. */
    listRuns: `SELECT * FROM ${names.reconcileRuns} ORDER BY started_at DESC, id DESC LIMIT $1`,
    /** A newest-first page; `where` from {@link postgresFilter}, `limitParam` the `$n` of the row limit. */
    list: (where: readonly string[], withBody: boolean, limitParam: string) =>
      `SELECT ${withBody ? '*' : `${COLUMNS_WITHOUT_BODY}, NULL AS body`} FROM ${t}
   ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
   ORDER BY created_at DESC, id DESC LIMIT ${limitParam}`,
    /** How many events match; `where` from {@link postgresFilter}. */
    count: (where: readonly string[]) =>
      `SELECT COUNT(*)::bigint AS n FROM ${t}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`,
    /** Params: $1 since, $2 until, $3 bucket (ms). Read through the received_at index (migration 5). */
    activityReceived: `SELECT floor(extract(epoch FROM received_at - $1::timestamptz) * 1000 / $3)::int AS bucket,
     COUNT(*)::bigint AS n
   FROM ${t} WHERE received_at >= $1 AND received_at < $2 GROUP BY 1`,
    /** Params: $1 since, $2 until, $3 bucket (ms). Read through the partial outcome index (migration 5). */
    activityOutcomes: `SELECT floor(extract(epoch FROM updated_at - $1::timestamptz) * 1000 / $3)::int AS bucket,
     status, COUNT(*)::bigint AS n
   FROM ${t} WHERE status IN ('succeeded', 'retrying', 'dead') AND updated_at >= $1 AND updated_at < $2
   GROUP BY 1, 2`,
    /** Params: $1 = now (run_at and updated_at), then those of `where`. */
    requeue: (where: readonly string[]) =>
      `UPDATE ${t} SET status = 'pending', run_at = $1, completed_handlers = '{}', locked_by = NULL,
     locked_until = NULL, updated_at = $1 WHERE ${[...where, `status IN ${FINISHED_SQL}`].join(' AND ')}`,
    /** Params: received_at bound. */
    pruneRecords: `DELETE FROM ${t} WHERE status IN ${FINISHED_SQL} AND received_at < $1`,
    /** Params: received_at bound. */
    prunePayloads: `UPDATE ${t} SET body = NULL WHERE status IN ${FINISHED_SQL} AND received_at < $1 AND body IS NOT NULL`,
    /**
     * Counts kept by the triggers of migration 2, plus one row (status NULL) with the oldest waiting event;
     * each min() is one step down the (status, received_at) index.
     */
    stats: `SELECT status, SUM(n)::bigint AS n, NULL::timestamptz AS at FROM ${names.counts} GROUP BY status
   UNION ALL
   SELECT NULL, NULL, LEAST(
     (SELECT MIN(received_at) FROM ${t} WHERE status = 'pending'),
     (SELECT MIN(received_at) FROM ${t} WHERE status = 'retrying'))`,
    /** Params: body, updated_at, id. */
    setBody: `UPDATE ${t} SET body = $1, updated_at = $2 WHERE id = $3`,
    setBodyIf: `UPDATE ${t} SET body = $1, updated_at = $2 WHERE id = $3 AND body IS NOT DISTINCT FROM $4`,
    addTombstones: `INSERT INTO ${names.tombstones} (object_id, event_id, created_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT (object_id) DO NOTHING`,
    findTombstones: `SELECT object_id FROM ${names.tombstones} WHERE object_id = ANY($1::text[])`,
  };
}

/** The runs table's columns, in the order `saveRun` binds them. */
export const RECONCILE_RUN_COLUMNS = [
  'id',
  'status',
  'owner',
  'started_at',
  'finished_at',
  'window_from',
  'window_to',
  'top_event_id',
  'cursor',
  'seen',
  'already_stored',
  'inserted',
  'failed',
  'names',
  'dry_run',
  'error',
  'updated_at',
] as const;

/** Conditions for a list filter; their values are appended to `params` and referenced as `$n`. */
export function postgresFilter(filter: NormalizedFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Statuses as literals (checked by normalizeFilter) and one name as an equality: `= ANY(array)` cannot read an
  // index in date order nor prove a partial index's condition, and a LIMIT then made the planner scan every row.
  if (filter.statuses !== undefined) where.push(statusCondition(filter.statuses));
  if (filter.names !== undefined) {
    where.push(
      filter.names.length === 1 ? `name = ${param(filter.names[0])}` : `name = ANY(${param(filter.names)}::text[])`,
    );
  }
  if (filter.resourceId !== undefined) where.push(`resource_id = ${param(filter.resourceId)}`);
  if (filter.source !== undefined) where.push(`source = ${param(filter.source)}`);
  if (filter.sinceMs !== undefined) where.push(`created_at >= ${param(new Date(filter.sinceMs))}`);
  if (filter.untilMs !== undefined) where.push(`created_at < ${param(new Date(filter.untilMs))}`);
  return where;
}
