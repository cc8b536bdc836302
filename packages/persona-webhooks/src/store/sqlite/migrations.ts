import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';

/** One numbered schema change. Applied in order, once, recorded in the migrations table. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Where the SQLite store keeps its data. */
export interface SqliteTableNames {
  readonly table?: string;
}

/** The table that records which migrations ran: `<table>_migrations`. */
export function sqliteMigrationsTable(names: SqliteTableNames = {}): string {
  return `${checkIdentifier('table', names.table ?? DEFAULT_TABLE)}_migrations`;
}

/**
 * The SQLite schema as numbered migrations. Times are integer milliseconds since the epoch.
 *
 * @example
 * ```ts
 * for (const m of sqliteMigrations()) console.log(`-- ${m.version} ${m.name}\n${m.sql}`)
 * ```
 */
export function sqliteMigrations(names: SqliteTableNames = {}): readonly Migration[] {
  const t = checkIdentifier('table', names.table ?? DEFAULT_TABLE);
  return [
    {
      version: 1,
      name: 'create events table',
      sql: `CREATE TABLE IF NOT EXISTS ${t} (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  resource_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'retrying', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  finished_attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  locked_by TEXT,
  locked_until INTEGER,
  last_error TEXT,
  completed_handlers TEXT NOT NULL DEFAULT '[]',
  deliveries INTEGER NOT NULL DEFAULT 1,
  body TEXT,
  updated_at INTEGER NOT NULL
);
-- Claim reads events due now in due order; finished events are not in these indexes, so their number
-- does not slow claiming down.
CREATE INDEX IF NOT EXISTS ${t}_due ON ${t} (run_at, created_at, id)
  WHERE status IN ('pending', 'retrying');
CREATE INDEX IF NOT EXISTS ${t}_leases ON ${t} (locked_until) WHERE status = 'processing';
-- Per-resource order check and list({ resourceId }).
CREATE INDEX IF NOT EXISTS ${t}_resource ON ${t} (resource_id, created_at, id) WHERE resource_id IS NOT NULL;
-- list() pages newest first.
CREATE INDEX IF NOT EXISTS ${t}_created ON ${t} (created_at, id);
-- stats() and prune().
CREATE INDEX IF NOT EXISTS ${t}_status_received ON ${t} (status, received_at);`,
    },
    {
      version: 2,
      name: 'count events by status',
      // stats() reads these counts instead of counting a million rows on every metrics scrape (which,
      // better-sqlite3 being synchronous, blocked the event loop for tens of milliseconds). SQLite
      // serializes writers anyway, so the counter rows cost no concurrency.
      sql: `CREATE TABLE IF NOT EXISTS ${t}_counts (status TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO ${t}_counts (status, n)
  VALUES ('pending', 0), ('processing', 0), ('succeeded', 0), ('retrying', 0), ('dead', 0);
UPDATE ${t}_counts SET n = (SELECT COUNT(*) FROM ${t} WHERE ${t}.status = ${t}_counts.status);
CREATE TRIGGER IF NOT EXISTS ${t}_count_insert AFTER INSERT ON ${t} BEGIN
  UPDATE ${t}_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER IF NOT EXISTS ${t}_count_update AFTER UPDATE OF status ON ${t} WHEN OLD.status <> NEW.status BEGIN
  UPDATE ${t}_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE ${t}_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER IF NOT EXISTS ${t}_count_delete AFTER DELETE ON ${t} BEGIN
  UPDATE ${t}_counts SET n = n - 1 WHERE status = OLD.status;
END;`,
    },
    {
      version: 3,
      name: 'event source and reconcile runs',
      // `source` tells events recovered from Persona's Events API (no `included`) from delivered ones. The runs
      // table is what reconcile resumes from; the locks table holds its one-process-at-a-time lease.
      sql: `ALTER TABLE ${t} ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'api'));
CREATE TABLE IF NOT EXISTS ${t}_reconcile_runs (
  id TEXT PRIMARY KEY NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  owner TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  window_from INTEGER NOT NULL,
  window_to INTEGER,
  top_event_id TEXT,
  cursor TEXT,
  seen INTEGER NOT NULL DEFAULT 0,
  already_stored INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  names TEXT,
  dry_run INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t}_reconcile_runs_started ON ${t}_reconcile_runs (started_at);
CREATE TABLE IF NOT EXISTS ${t}_locks (
  name TEXT PRIMARY KEY NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;`,
    },
    {
      version: 4,
      name: 'redaction tombstones',
      // Objects redacted (a *.redacted event) or erased on request: an event about or linking to one of them
      // is stored scrubbed, so replay and reconcile never bring the data back.
      sql: `CREATE TABLE IF NOT EXISTS ${t}_tombstones (
  object_id TEXT PRIMARY KEY NOT NULL,
  event_id TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;`,
    },
    {
      version: 5,
      name: 'dashboard indexes',
      // What the dashboard reads at a million events: a name filter newest first, the dead letters newest
      // first (also by name), and the last hour per minute. The partial indexes change only when an event enters or leaves
      // those statuses (claims and lease extensions of a running event do not touch them).
      sql: `CREATE INDEX IF NOT EXISTS ${t}_name_created ON ${t} (name, created_at, id);
CREATE INDEX IF NOT EXISTS ${t}_dead_created ON ${t} (created_at, id) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS ${t}_dead_name_created ON ${t} (name, created_at, id) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS ${t}_received ON ${t} (received_at);
CREATE INDEX IF NOT EXISTS ${t}_outcome_updated ON ${t} (updated_at)
  WHERE status IN ('succeeded', 'retrying', 'dead');`,
    },
    {
      version: 6,
      name: 'due events by name',
      // A worker whose handlers want only some names (serve with only the redaction handler, or a handlers
      // module for a few events) claims with a names filter; read through the due index, that filter skipped
      // every waiting event of the other names, which are never claimed and so pile up: measured, the ack p99
      // grew from 15 to 117 ms in two minutes at 2,800 events/s. Claimed per name through this index, its cost
      // no longer grows with the events nobody claims.
      sql: `CREATE INDEX IF NOT EXISTS ${t}_due_name ON ${t} (name, run_at, created_at, id)
  WHERE status IN ('pending', 'retrying');`,
    },
    {
      version: 7,
      name: 'duplicate deliveries counted apart',
      // A duplicate delivery's count, written into the event's row, rewrote the whole row with its payload:
      // measured, 8 KB of WAL and 40-85 µs per counted duplicate of an 8 KB event. Counted here, in a small row,
      // it is added to the event's own count when read; it goes with the event when the event is deleted.
      sql: `CREATE TABLE IF NOT EXISTS ${t}_deliveries (
  id TEXT PRIMARY KEY NOT NULL,
  n INTEGER NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS ${t}_deliveries_delete AFTER DELETE ON ${t} BEGIN
  DELETE FROM ${t}_deliveries WHERE id = OLD.id;
END;`,
    },
  ];
}

/** DDL of the migrations table itself. */
export function sqliteMigrationsTableSql(names: SqliteTableNames = {}): string {
  return `CREATE TABLE IF NOT EXISTS ${sqliteMigrationsTable(names)} (
  version INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);`;
}
