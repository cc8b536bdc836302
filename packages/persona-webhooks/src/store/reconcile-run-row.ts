// A reconcile run as a row of the runs table (migration 3), the same columns in SQLite and PostgreSQL:
// SQLite keeps times as epoch milliseconds, PostgreSQL as timestamptz.
import type { ReconcileRun, ReconcileRunStatus } from './store.js';

/** The runs table's columns, snake_case. */
export interface ReconcileRunRow {
  id: string;
  status: ReconcileRunStatus;
  owner: string;
  started_at: Date | number;
  finished_at: Date | number | null;
  window_from: Date | number;
  window_to: Date | number | null;
  top_event_id: string | null;
  cursor: string | null;
  seen: number | string;
  already_stored: number | string;
  inserted: number | string;
  failed: number | string;
  names: string | null;
  dry_run: boolean | number;
  error: string | null;
  updated_at: Date | number;
}

const date = (v: Date | number): Date => (v instanceof Date ? v : new Date(Number(v)));
const maybeDate = (v: Date | number | null): Date | null => (v === null ? null : date(v));

/**
 * A row of the runs table, with times as `toTime` makes them (ms for SQLite, Date for PostgreSQL).
 * @internal
 * @example
 * ```ts
 * db.prepare(sql.saveRun).run(toReconcileRunRow(run, (d) => d.getTime()))
 * ```
 */
export function toReconcileRunRow<T>(
  run: ReconcileRun,
  toTime: (d: Date) => T,
  toBool: (b: boolean) => boolean | number,
): Record<string, unknown> {
  return {
    id: run.id,
    status: run.status,
    owner: run.owner,
    started_at: toTime(run.startedAt),
    finished_at: run.finishedAt === null ? null : toTime(run.finishedAt),
    window_from: toTime(run.windowFrom),
    window_to: run.windowTo === null ? null : toTime(run.windowTo),
    top_event_id: run.topEventId,
    cursor: run.cursor,
    seen: run.seen,
    already_stored: run.alreadyStored,
    inserted: run.inserted,
    failed: run.failed,
    names: run.names === null ? null : JSON.stringify(run.names),
    dry_run: toBool(run.dryRun),
    error: run.error,
    updated_at: toTime(run.updatedAt),
  };
}

/**
 * A run from a row of the runs table.
 * @internal
 * @example
 * ```ts
 * const runs = rows.map(fromReconcileRunRow)
 * ```
 */
export function fromReconcileRunRow(row: ReconcileRunRow): ReconcileRun {
  return {
    id: row.id,
    status: row.status,
    owner: row.owner,
    startedAt: date(row.started_at),
    finishedAt: maybeDate(row.finished_at),
    windowFrom: date(row.window_from),
    windowTo: maybeDate(row.window_to),
    topEventId: row.top_event_id,
    cursor: row.cursor,
    seen: Number(row.seen),
    alreadyStored: Number(row.already_stored),
    inserted: Number(row.inserted),
    failed: Number(row.failed),
    names: row.names === null ? null : (JSON.parse(row.names) as string[]),
    dryRun: row.dry_run === true || row.dry_run === 1,
    error: row.error,
    updatedAt: date(row.updated_at),
  };
}

/** The name of the reconcile lock in the locks table. @internal */
export const RECONCILE_LOCK = 'reconcile';
