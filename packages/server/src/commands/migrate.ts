import { migrationSql } from 'persona-webhooks/sqlite';
import { type CommandSpec, flag } from '../cli/command.js';
import { EXIT_CODES } from '../cli/errors.js';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../service/database.js';
import { DATABASE_OPTIONS } from './serve.js';

/**
 * `persona-webhooks migrate`: applies the schema, or prints it.
 *
 * @example
 * ```sh
 * DATABASE_URL=postgres://app@db/app persona-webhooks migrate --dry-run > schema.sql
 * ```
 */
export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary: 'create or update the database schema (or print its SQL with --dry-run)',
  usage: 'persona-webhooks migrate [--dry-run] [--database-url URL]',
  description:
    'Applies the numbered migrations (serve also does this at start; it is idempotent and safe to run from\nseveral processes). --dry-run prints the whole script for teams that run their own DDL; it records the\nmigrations too, so serve finds nothing left to do.',
  options: {
    ...DATABASE_OPTIONS,
    'dry-run': { type: 'boolean', description: 'Print the SQL for the configured database kind; change nothing.' },
  },
  examples: [
    '$ persona-webhooks migrate',
    '$ DATABASE_URL=postgres://app@db/app persona-webhooks migrate --dry-run > persona-webhooks.sql',
    '$ persona-webhooks migrate --dry-run --database-url sqlite:./events.db',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'migrated (or SQL printed)'],
    [EXIT_CODES.config, 'invalid configuration'],
    [EXIT_CODES.database, 'the database is unreachable or the migration failed'],
  ],
  async run({ values, out, env, cwd }) {
    const config = loadConfig({ flags: values as never, env, cwd });
    if (flag(values, 'dry-run')) {
      const db = config.database;
      const sql = migrationSql(db.kind, db.kind === 'postgres' && db.schema ? { schema: db.schema } : {});
      out.data({ dialect: config.database.kind, sql });
      if (!out.json) process.stdout.write(sql);
      return EXIT_CODES.ok;
    }
    const db = await openDatabase(config.database, { sqliteThread: false });
    try {
      await migrateDatabase(db);
    } finally {
      await db.close().catch(() => undefined);
    }
    out.data({ migrated: true, database: db.description });
    out.line(`${out.green('migrated')} ${db.description}`);
    return EXIT_CODES.ok;
  },
};
