import { after, before, describe } from 'node:test';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { defineStoreSuite } from '../conformance/store-suite.js';
import { postgresForTests } from '../helpers/pg.js';

const pg = postgresForTests('store_conformance');

describe('postgres store', { skip: pg.skip }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());
  let n = 0;
  defineStoreSuite('postgres', async () => {
    // A fresh table per test, in this file's own schema.
    const table = `events_${++n}`;
    const store = createPostgresStore({ pool: pg.pool(), schema: pg.schema, table });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await pg.pool().query(`DROP TABLE IF EXISTS "${pg.schema}"."${table}", "${pg.schema}"."${table}_migrations"`);
      },
    };
  });
});
