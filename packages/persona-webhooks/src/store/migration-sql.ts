import { PersonaWebhookError } from '../errors.js';
import { postgresMigrations, postgresMigrationsTableSql, postgresQualifiedNames } from './postgres/migrations.js';
import { sqliteMigrations, sqliteMigrationsTable, sqliteMigrationsTableSql } from './sqlite/migrations.js';

/** Where the tables go: the same options the stores take. */
export interface MigrationSqlOptions {
  /** Events table name. Default `persona_webhook_events`. */
  readonly table?: string;
  /** PostgreSQL schema. Default `public`. Ignored for SQLite. */
  readonly schema?: string;
}

/**
 * The whole schema as one SQL script, for teams that run their own DDL (`persona-webhooks migrate --dry-run`).
 * It creates the migrations table and records each migration, so that `store.migrate()` later finds
 * nothing left to do. The PostgreSQL script can be run again; the SQLite one is for a first set-up: SQLite has no
 * `ADD COLUMN IF NOT EXISTS`, so a second run stops at migration 3 (use `store.migrate()`, which skips applied
 * migrations, to upgrade).
 *
 * @example
 * ```ts
 * import { migrationSql } from 'persona-webhooks/postgres'
 * process.stdout.write(migrationSql('postgres', { schema: 'webhooks' }))
 * ```
 */
export function migrationSql(dialect: 'postgres' | 'sqlite', options: MigrationSqlOptions = {}): string {
  const table = options.table === undefined ? {} : { table: options.table };
  if (dialect === 'sqlite') {
    const migrations = sqliteMigrationsTable(table);
    // julianday() rather than unixepoch('subsec'): the script may run in an older sqlite3 shell (< 3.42).
    const parts = ['BEGIN IMMEDIATE;', sqliteMigrationsTableSql(table)];
    for (const m of sqliteMigrations(table)) {
      parts.push(`-- migration ${m.version}: ${m.name}`, m.sql);
      parts.push(
        `INSERT INTO ${migrations} (version, name, applied_at) VALUES (${m.version}, '${m.name}', ` +
          `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) ON CONFLICT (version) DO NOTHING;`,
      );
    }
    parts.push('COMMIT;');
    return `${parts.join('\n')}\n`;
  }
  if (dialect === 'postgres') {
    const names = postgresQualifiedNames({
      ...table,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    const parts = ['BEGIN;', `SELECT pg_advisory_xact_lock(${names.lockKey});`, postgresMigrationsTableSql(names)];
    for (const m of postgresMigrations(names)) {
      parts.push(`-- migration ${m.version}: ${m.name}`, m.sql);
      parts.push(
        `INSERT INTO ${names.migrations} (version, name) VALUES (${m.version}, '${m.name}') ON CONFLICT (version) DO NOTHING;`,
      );
    }
    parts.push('COMMIT;');
    return `${parts.join('\n')}\n`;
  }
  throw new PersonaWebhookError('invalid_options', "migrationSql: dialect must be 'postgres' or 'sqlite'");
}
