// PostgreSQL: claims from workers that take different names (one with handlers for inquiry.approved only, one
// for every name) run at the same moment; per-object order must still hold: never two events about one object
// processing at once. Each claim statement reads the others' leases in its own snapshot, so without the claims'
// advisory lock two of them can each take an event about the same object.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { postgresForTests } from '../helpers/pg.js';

const pg = postgresForTests('claim_order');

describe('PostgreSQL claims with different names at once', { skip: pg.skip, timeout: 120_000 }, () => {
  before(() => pg.setUp());
  after(() => pg.tearDown());

  it('never leases two events about one object together', async () => {
    const pool = pg.newPool({ connectionString: pg.url, max: 12 });
    try {
      const store = createPostgresStore({ pool, schema: pg.schema, table: 'events_order' });
      await store.migrate();
      const objects = 300;
      const base = Date.parse('2026-12-01T00:00:00Z');
      for (let i = 0; i < objects; i++) {
        const resourceId = `inq_order${i}`;
        await store.insertIfAbsent({
          id: `evt_created${i}`,
          name: 'inquiry.created',
          createdAt: new Date(base + i * 1000),
          resourceId,
          body: '{}',
        });
        await store.insertIfAbsent({
          id: `evt_approved${i}`,
          name: 'inquiry.approved',
          createdAt: new Date(base + i * 1000 + 500),
          resourceId,
          body: '{}',
        });
      }
      // 24 claims at once, half for inquiry.approved only, half for every name, each up to 40 events.
      const claims = await Promise.all(
        Array.from({ length: 24 }, (_, k) =>
          store.claim({
            owner: `w${k}`,
            leaseMs: 60_000,
            limit: 40,
            ...(k % 2 === 0 ? { names: ['inquiry.approved'] } : {}),
          }),
        ),
      );
      const byObject = new Map<string, string[]>();
      for (const event of claims.flat()) {
        byObject.set(event.resourceId ?? '', [...(byObject.get(event.resourceId ?? '') ?? []), event.id]);
      }
      const together = [...byObject].filter(([, ids]) => ids.length > 1);
      assert.deepEqual(together, [], 'two events about one object leased at once');
      assert.ok(claims.flat().length > 0);
    } finally {
      await pool.end();
    }
  });
});
