import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';

/**
 * Counter rows per status in the counts table: stats() sums them.
 *
 * @example
 * ```ts
 * COUNT_SLOTS // 16
 * ```
 */
export const COUNT_SLOTS = 16;

/** One numbered schema change. Applied in order, once, recorded in the migrations table. */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Where the PostgreSQL store keeps its data. */
export interface PostgresTableNames {
  /** Default `public`. */
  readonly schema?: string;
  /** Default `persona_webhook_events`; the migrations table is `<table>_migrations`. */
  readonly table?: string;
}

/** Checked, quoted names derived from {@link PostgresTableNames}. */
export interface PostgresQualifiedNames {
  readonly schema: string;
  readonly table: string;
  /** `"schema"."table"` */
  readonly events: string;
  /** `"schema"."table_migrations"` */
  readonly migrations: string;
  /** `"schema"."table_counts"`: events per status, in {@link COUNT_SLOTS} rows per status (migration 2). */
  readonly counts: string;
  /** `"schema"."table_tombstones"`: redacted or erased Persona objects (migration 4). */
  readonly tombstones: string;
  /** Key of the transaction-level advisory lock that serializes concurrent `migrate()` calls. */
  readonly lockKey: number;
  /** `"schema"."table_reconcile_runs"` (migration 3). */
  readonly reconcileRuns: string;
  /** Key of the session advisory lock held by the one process reconciling. */
  readonly reconcileLockKey: number;
  /** Key of the transaction-level advisory lock that serializes claims (see the store's `claim`). */
  readonly claimLockKey: number;
}

/** 31-bit FNV-1a: a stable advisory lock key per schema and table. */
function lockKeyOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}

/**
 * Checks and quotes the schema and table names.
 *
 * @example
 * ```ts
 * postgresQualifiedNames({ schema: 'webhooks' }).events // '"webhooks"."persona_webhook_events"'
 * ```
 */
export function postgresQualifiedNames(names: PostgresTableNames = {}): PostgresQualifiedNames {
  const schema = checkIdentifier('schema', names.schema ?? 'public');
  const table = checkIdentifier('table', names.table ?? DEFAULT_TABLE);
  return {
    schema,
    table,
    events: `"${schema}"."${table}"`,
    migrations: `"${schema}"."${table}_migrations"`,
    counts: `"${schema}"."${table}_counts"`,
    tombstones: `"${schema}"."${table}_tombstones"`,
    lockKey: lockKeyOf(`persona-webhooks:${schema}.${table}`),
    reconcileRuns: `"${schema}"."${table}_reconcile_runs"`,
    reconcileLockKey: lockKeyOf(`persona-webhooks:reconcile:${schema}.${table}`),
    claimLockKey: lockKeyOf(`persona-webhooks:claim:${schema}.${table}`),
  };
}

/** DDL of the migrations table (and of the schema, when it is not `public`). */
export function postgresMigrationsTableSql(names: PostgresQualifiedNames): string {
  const schema = names.schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS "${names.schema}";\n`;
  return `${schema}CREATE TABLE IF NOT EXISTS ${names.migrations} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;
}

/**
 * The PostgreSQL schema as numbered migrations.
 *
 * @example
 * ```ts
 * for (const m of postgresMigrations(postgresQualifiedNames())) console.log(m.sql)
 * ```
 */
export function postgresMigrations(names: PostgresQualifiedNames): readonly PostgresMigration[] {
  const t = names.events;
  const i = (suffix: string) => `"${names.table}_${suffix}"`;
  const fn = `"${names.schema}"."${names.table}_count_changes"()`;
  return [
    {
      version: 1,
      name: 'create events table',
      sql: `CREATE TABLE IF NOT EXISTS ${t} (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  resource_id text,
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'retrying', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  finished_attempts integer NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  completed_handlers text[] NOT NULL DEFAULT '{}',
  deliveries integer NOT NULL DEFAULT 1,
  body text,
  updated_at timestamptz NOT NULL
);
-- Claim reads events due now in due order; finished events are not in these indexes, so their number
-- does not slow claiming down.
CREATE INDEX IF NOT EXISTS ${i('due')} ON ${t} (run_at, created_at, id)
  WHERE status IN ('pending', 'retrying');
CREATE INDEX IF NOT EXISTS ${i('leases')} ON ${t} (locked_until) WHERE status = 'processing';
-- Per-resource order check and list({ resourceId }).
CREATE INDEX IF NOT EXISTS ${i('resource')} ON ${t} (resource_id, created_at, id) WHERE resource_id IS NOT NULL;
-- list() pages newest first.
CREATE INDEX IF NOT EXISTS ${i('created')} ON ${t} (created_at, id);
-- stats() and prune().
CREATE INDEX IF NOT EXISTS ${i('status_received')} ON ${t} (status, received_at);`,
    },
    {
      version: 2,
      name: 'count events by status',
      // stats() reads these counts instead of counting every row on each metrics scrape (~170 ms at 1M rows).
      // Each status has COUNT_SLOTS rows and a statement adds to the slot of its backend: concurrent inserts
      // from different connections then seldom wait on the same counter row lock until commit.
      // Statement-level triggers rather than row-level ones: one claim, requeue or prune touching many events
      // updates each counter row once, in status order, so two concurrent statements cannot deadlock on the
      // counter rows (row-level triggers would lock them in row order). Transition tables cannot be combined
      // with `UPDATE OF status`, so the update trigger nets old against new and skips statuses with no change
      // (extendLease, setBody and duplicate deliveries write no counter row).
      // The LOCK makes writers wait until this migration commits, so the initial counts are exact.
      sql: `LOCK TABLE ${t} IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE IF NOT EXISTS ${names.counts} (
  status text COLLATE "C" NOT NULL,
  slot smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (status, slot)
);
INSERT INTO ${names.counts} (status, slot, n)
  SELECT s, g, 0 FROM unnest(ARRAY['pending', 'processing', 'succeeded', 'retrying', 'dead']) s,
    generate_series(0, ${COUNT_SLOTS - 1}) g
  ON CONFLICT (status, slot) DO NOTHING;
UPDATE ${names.counts} SET n = 0 WHERE n <> 0;
UPDATE ${names.counts} c SET n = x.n FROM (SELECT status, count(*) AS n FROM ${t} GROUP BY status) x
  WHERE c.status = x.status AND c.slot = 0;
CREATE OR REPLACE FUNCTION ${fn} RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  my_slot smallint := pg_backend_pid() % ${COUNT_SLOTS};
  d record;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE ${names.counts} SET n = 0 WHERE n <> 0;
    RETURN NULL;
  END IF;
  -- A transition table exists only in the triggers that declare it, hence one query per operation.
  IF TG_OP = 'INSERT' THEN
    FOR d IN SELECT status, count(*) AS n FROM new_rows GROUP BY status ORDER BY status LOOP
      UPDATE ${names.counts} c SET n = c.n + d.n WHERE c.status = d.status AND c.slot = my_slot;
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR d IN SELECT status, -count(*) AS n FROM old_rows GROUP BY status ORDER BY status LOOP
      UPDATE ${names.counts} c SET n = c.n + d.n WHERE c.status = d.status AND c.slot = my_slot;
    END LOOP;
  ELSE
    FOR d IN
      SELECT x.status, sum(x.n) AS n
      FROM (SELECT status, 1 AS n FROM new_rows UNION ALL SELECT status, -1 AS n FROM old_rows) x
      GROUP BY x.status HAVING sum(x.n) <> 0 ORDER BY x.status
    LOOP
      UPDATE ${names.counts} c SET n = c.n + d.n WHERE c.status = d.status AND c.slot = my_slot;
    END LOOP;
  END IF;
  RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS ${i('count_insert')} ON ${t};
DROP TRIGGER IF EXISTS ${i('count_update')} ON ${t};
DROP TRIGGER IF EXISTS ${i('count_delete')} ON ${t};
DROP TRIGGER IF EXISTS ${i('count_truncate')} ON ${t};
CREATE TRIGGER ${i('count_insert')} AFTER INSERT ON ${t}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn};
CREATE TRIGGER ${i('count_update')} AFTER UPDATE ON ${t}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn};
CREATE TRIGGER ${i('count_delete')} AFTER DELETE ON ${t}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn};
CREATE TRIGGER ${i('count_truncate')} AFTER TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${fn};`,
    },
    {
      version: 3,
      name: 'event source and reconcile runs',
      // A constant default: PostgreSQL 11+ adds the column without rewriting the table.
      sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'webhook'
  CHECK (source IN ('webhook', 'api'));
CREATE TABLE IF NOT EXISTS ${names.reconcileRuns} (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  owner text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  window_from timestamptz NOT NULL,
  window_to timestamptz,
  top_event_id text,
  cursor text,
  seen integer NOT NULL DEFAULT 0,
  already_stored integer NOT NULL DEFAULT 0,
  inserted integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  names text,
  dry_run boolean NOT NULL DEFAULT false,
  error text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${i('reconcile_runs_started')} ON ${names.reconcileRuns} (started_at);`,
    },
    {
      version: 4,
      name: 'redaction tombstones',
      // Objects redacted (a *.redacted event) or erased on request: an event about or linking to one of them
      // is stored scrubbed, so replay and reconcile never bring the data back.
      sql: `CREATE TABLE IF NOT EXISTS ${names.tombstones} (
  object_id text COLLATE "C" PRIMARY KEY,
  event_id text,
  created_at timestamptz NOT NULL
);`,
    },
    {
      version: 5,
      name: 'dashboard indexes',
      // What the dashboard reads at a million events: a name filter newest first, the dead letters newest
      // first (also by name), and the last hour per minute. The partial indexes change only when an event enters or leaves
      // those statuses (claims and lease extensions of a running event do not touch them).
      sql: `CREATE INDEX IF NOT EXISTS ${i('name_created')} ON ${t} (name, created_at, id);
CREATE INDEX IF NOT EXISTS ${i('dead_created')} ON ${t} (created_at, id) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS ${i('dead_name_created')} ON ${t} (name, created_at, id) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS ${i('received')} ON ${t} (received_at);
CREATE INDEX IF NOT EXISTS ${i('outcome_updated')} ON ${t} (updated_at)
  WHERE status IN ('succeeded', 'retrying', 'dead');`,
    },
    {
      version: 6,
      name: 'lz4 for payloads',
      // An 8 KB body is compressed into TOAST on every insert; lz4 does that in about half the CPU of the
      // default pglz (measured: 91 → 50 µs of PostgreSQL CPU per event, 1.5× the inserts per second, 7% more
      // disk). Only new rows are affected; nothing is rewritten. Servers before 14, or built without lz4, keep
      // pglz.
      sql: `DO $$
BEGIN
  IF current_setting('server_version_num')::integer >= 140000 THEN
    EXECUTE 'ALTER TABLE ${t} ALTER COLUMN body SET COMPRESSION lz4';
  END IF;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;`,
    },
    {
      version: 7,
      name: 'due events by name',
      // A worker that wants only some names claims with a names filter; through the due index alone that
      // filter read every waiting event of the other names, which such a worker never claims, so they pile up
      // (measured on SQLite: the ack p99 grew from 15 to 117 ms in two minutes). With this index the planner
      // reads only the wanted names' due events.
      sql: `CREATE INDEX IF NOT EXISTS ${i('due_name')} ON ${t} (name, run_at, created_at, id)
  WHERE status IN ('pending', 'retrying');`,
    },
  ];
}
