// Opens the configured store: SQLite (default, one file) or PostgreSQL (DATABASE_URL=postgres://…).
// Drivers are created here, in the service, and handed to the library's stores.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import {
  createKeyring,
  createProtectedStore,
  type EncryptionKey,
  type EventStore,
  type InsertResult,
  type NewEvent,
  type ProtectedStore,
} from 'persona-webhooks';
import { createPostgresStore } from 'persona-webhooks/postgres';
import { createSqliteStore } from 'persona-webhooks/sqlite';
import pg from 'pg';
import { CliError, firstLine } from '../cli/errors.js';
import { type DatabaseConfig, describeDatabase } from '../config.js';
import { loadSqliteDriver } from './sqlite-driver.js';
import { createThreadedSqliteStore } from './threaded-store.js';

/** An open store and what the service needs around it. */
export interface OpenDatabase {
  /** The store, wrapped: payloads encrypted when keys are configured, redaction tombstones applied. */
  readonly store: ProtectedStore;
  readonly dialect: 'sqlite' | 'postgres';
  /** Human description without credentials. */
  readonly description: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Closes the store, then the driver. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Postgres connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Run SQLite in a worker thread so commits and fsyncs do not stall HTTP (default false here: the CLI's
   * commands other than serve need no thread; serve turns it on unless --no-sqlite-thread, see
   * bench/results/server.md).
   */
  readonly sqliteThread?: boolean;
  /** Encryption keys (oldest first) and whether tombstones apply; default: no encryption, redaction on. */
  readonly protection?: { readonly encryptionKeys?: readonly EncryptionKey[]; readonly redaction?: boolean };
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const first = firstLine(error);
    return code && !first.includes(code) ? `${code} ${first}`.trim() : first || (code ?? 'unknown error');
  }
  return String(error);
}

/** An open store before the protection wrapper. */
type InnerDatabase = Omit<OpenDatabase, 'store'> & {
  readonly store: EventStore;
  /** Answers a duplicate of a stored event without the store (serve's SQLite thread: a read on this thread). */
  readonly answerDuplicate?: (event: NewEvent) => InsertResult | undefined;
};

/**
 * The store with duplicates answered first, outside the protection layer: a duplicate stores nothing, so its
 * body needs no redaction scan and no encryption (measured in bench/results/server-notes.md).
 */
function duplicatesFirst(
  store: ProtectedStore,
  answerDuplicate: (event: NewEvent) => InsertResult | undefined,
): ProtectedStore {
  return {
    ...store,
    insertIfAbsent(event) {
      const answer = answerDuplicate(event);
      return answer === undefined ? store.insertIfAbsent(event) : Promise.resolve(answer);
    },
  };
}

async function openSqlite(file: string, description: string, options: OpenDatabaseOptions): Promise<InnerDatabase> {
  // better-sqlite3 is an optional peer dependency, loaded only here; checked first for the thread too.
  const SqliteDatabase = await loadSqliteDriver();
  if (options.sqliteThread === true) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const threaded = await createThreadedSqliteStore(file, SqliteDatabase);
      return {
        store: threaded.store,
        answerDuplicate: threaded.answerDuplicate,
        ping: threaded.ping,
        close: threaded.close,
        dialect: 'sqlite',
        description,
      };
    } catch (error) {
      throw new CliError('database', `cannot open ${description}: ${reason(error)}`);
    }
  }
  let db: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new SqliteDatabase(file);
  } catch (error) {
    throw new CliError('database', `cannot open ${description}: ${reason(error)}`);
  }
  const store = createSqliteStore({ database: db });
  return {
    store,
    dialect: 'sqlite',
    description,
    async ping() {
      db.prepare('select 1').get();
    },
    async close() {
      await store.close();
      db.close();
    },
  };
}

/**
 * Opens the database, checks that it answers, and builds the store on it. Does not migrate.
 * An unreachable database throws `CliError('database')`: one clear line, exit code 4.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ kind: 'sqlite', file: './.data/persona-webhooks.db' })
 * await db.store.migrate()
 * ```
 */
export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const keys = options.protection?.encryptionKeys ?? [];
  const protect = (inner: EventStore): ProtectedStore =>
    createProtectedStore(inner, {
      ...(keys.length > 0 ? { keyring: createKeyring(keys) } : {}),
      redaction: options.protection?.redaction ?? true,
    });
  const { answerDuplicate, ...opened } = await openInner(config, options);
  const store = protect(opened.store);
  return { ...opened, store: answerDuplicate === undefined ? store : duplicatesFirst(store, answerDuplicate) };
}

async function openInner(config: DatabaseConfig, options: OpenDatabaseOptions): Promise<InnerDatabase> {
  const description = describeDatabase(config);
  if (config.kind === 'sqlite') return openSqlite(config.file, description, options);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: 'persona-webhooks',
  });
  // An idle client's error (the server restarted) must not crash the process: the next query reports it.
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new CliError('database', `cannot reach ${description}: ${reason(error)}`);
  }
  const store = createPostgresStore({ pool, ...(config.schema ? { schema: config.schema } : {}) });
  return {
    store,
    dialect: 'postgres',
    description,
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/**
 * Runs the store's migrations, turning a failure into one clear line (exit code 4).
 *
 * @example
 * ```ts
 * await migrateDatabase(db)
 * ```
 */
export async function migrateDatabase(db: OpenDatabase): Promise<void> {
  try {
    await db.store.migrate();
  } catch (error) {
    throw new CliError('database', `cannot migrate ${db.description}: ${reason(error)}`);
  }
}
