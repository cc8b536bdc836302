// Type test: the real drivers fit the structural types the stores declare. `npx tsc -p tsconfig.json` fails
// if a better-sqlite3 or pg upgrade breaks the fit; the runtime part only shows the objects are accepted.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, type PgClientLike, type PgPoolLike } from '../../src/store/postgres/index.js';
import { createSqliteStore, type SqliteDatabaseLike } from '../../src/store/sqlite/index.js';

describe('driver types', () => {
  it('accept a real better-sqlite3 Database as SqliteDatabaseLike', async () => {
    const database = new Database(':memory:');
    const like: SqliteDatabaseLike = database;
    const store = createSqliteStore({ database: like });
    await store.migrate();
    assert.equal((await store.stats()).total, 0);
    database.close();
  });

  it('accept a real pg Pool as PgPoolLike and its client as PgClientLike', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1 });
    const like: PgPoolLike = pool;
    const connect: () => Promise<PgClientLike> = () => pool.connect();
    assert.equal(typeof connect, 'function');
    assert.ok(createPostgresStore({ pool: like }));
    await pool.end();
  });
});
