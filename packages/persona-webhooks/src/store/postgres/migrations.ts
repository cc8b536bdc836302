import { checkIdentifier, DEFAULT_TABLE } from '../identifiers.js';

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
  /** Key of the transaction-level advisory lock that serializes concurrent `migrate()` calls. */
  readonly lockKey: number;
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
    lockKey: lockKeyOf(`persona-webhooks:${schema}.${table}`),
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
  ];
}
