import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../src/store/memory/index.js';

describe('memory store (smoke)', () => {
  it('stores an event once and leases it to one worker', async () => {
    const store = createMemoryStore();
    const event = { id: 'evt_1', name: 'inquiry.completed', createdAt: new Date(), resourceId: 'inq_1', body: '{}' };
    assert.deepEqual(await store.insertIfAbsent(event), { inserted: true, status: 'pending' });
    assert.deepEqual(await store.insertIfAbsent(event), { inserted: false, status: 'pending' });
    const [claimed] = await store.claim({ owner: 'w1', leaseMs: 1000, limit: 10 });
    assert.equal(claimed?.id, 'evt_1');
    assert.equal(claimed?.deliveries, 2);
    assert.equal(await store.complete('evt_1', 'w1'), true);
    assert.equal((await store.get('evt_1'))?.status, 'succeeded');
  });
});
