import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { defineStoreSuite } from '../conformance/store-suite.js';

defineStoreSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'persona-sqlite-'));
  const database = new Database(join(dir, 'events.db'));
  const store = createSqliteStore({ database });
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
