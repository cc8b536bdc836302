// The store a child process opens in the multi-process tests, named by its environment:
// STORE=sqlite FILE=… | STORE=postgres URL=… SCHEMA=… TABLE=… (the parent test creates and migrates it).
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { EventStore } from '../../src/store/store.js';

/** A required environment variable of a child process. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

/**
 * Opens the store the environment names, with `close()` ending the store and then its driver.
 *
 * @example
 * ```ts
 * const { store, close } = openChildStore({ poolSize: 8 });
 * await store.migrate();
 * await close();
 * ```
 */
export function openChildStore(options: { poolSize: number }): { store: EventStore; close(): Promise<void> } {
  if (requiredEnv('STORE') === 'sqlite') {
    const database = new Database(requiredEnv('FILE'));
    const store = createSqliteStore({ database, busyTimeoutMs: 20_000 });
    return {
      store,
      async close() {
        await store.close();
        database.close();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: requiredEnv('URL'), max: options.poolSize });
  // A child may be SIGKILLed mid-query by its test; an idle client's error must not crash the others.
  pool.on('error', () => {});
  const store = createPostgresStore({ pool, schema: requiredEnv('SCHEMA'), table: requiredEnv('TABLE') });
  return {
    store,
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
