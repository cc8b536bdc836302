// Migration 6 on a real PostgreSQL server: payloads are compressed with lz4 where the server has it.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { createSampleEvent } from '../../src/testing/index.js';
import { postgresForTests } from '../helpers/pg.js';

const pg = postgresForTests('store_compression');

describe('postgres store payload compression', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());

  it('stores new payloads with lz4 on a server built with it, and migrates twice without error', async () => {
    const store = createPostgresStore({ pool: pg.pool(), schema: pg.schema, table: 'lz' });
    await store.migrate();
    await store.migrate();
    const table = `"${pg.schema}"."lz"`;
    const version = Number((await pg.pool().query('SHOW server_version_num')).rows[0].server_version_num);
    const lz4 = await pg
      .pool()
      .query("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)");
    if (version < 140000 || lz4.rowCount === 0) {
      // The migration is a no-op there; the store must still work.
      assert.equal(
        (await store.insertIfAbsent({ id: 'evt_a', name: 'x', createdAt: new Date(), resourceId: null, body: '{}' }))
          .inserted,
        true,
      );
      return;
    }
    const column = await pg
      .pool()
      .query(`SELECT attcompression FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attname = 'body'`);
    assert.equal(column.rows[0].attcompression, 'l');
    const body = JSON.stringify(createSampleEvent('inquiry.approved', { payloadSize: 8192, seed: 'lz4' }));
    await store.insertIfAbsent({
      id: 'evt_big',
      name: 'inquiry.approved',
      createdAt: new Date(),
      resourceId: null,
      body,
    });
    const stored = await pg
      .pool()
      .query(`SELECT pg_column_compression(body) AS method, body FROM ${table} WHERE id = 'evt_big'`);
    assert.equal(stored.rows[0].method, 'lz4');
    assert.equal(stored.rows[0].body, body, 'the body reads back byte for byte');
  });
});
