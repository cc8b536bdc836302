import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PersonaWebhookError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { pruneByRetention, retentionCutoffs } from '../../src/store/retention.js';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');

describe('retention', () => {
  it('keeps records 90 days and payloads 30 days by default', () => {
    const cutoffs = retentionCutoffs({ now });
    assert.equal(cutoffs.recordsBefore.getTime(), now.getTime() - 90 * DAY);
    assert.equal(cutoffs.payloadsBefore.getTime(), now.getTime() - 30 * DAY);
  });

  it('never keeps payloads longer than records', () => {
    assert.equal(
      retentionCutoffs({ now, recordDays: 10, payloadDays: 60 }).payloadsBefore.getTime(),
      now.getTime() - 10 * DAY,
    );
  });

  it('refuses a record retention inside Persona retry tail', () => {
    assert.throws(() => retentionCutoffs({ recordDays: 2 }), PersonaWebhookError);
    assert.throws(() => retentionCutoffs({ recordDays: Number.NaN }), PersonaWebhookError);
    assert.throws(() => retentionCutoffs({ payloadDays: -1 }), PersonaWebhookError);
  });

  it('prunes a store by the periods', async () => {
    const store = createMemoryStore({ clock: () => now });
    await store.insertIfAbsent({
      id: 'evt_old',
      name: 'inquiry.completed',
      createdAt: new Date(now.getTime() - 40 * DAY),
      receivedAt: new Date(now.getTime() - 40 * DAY),
      resourceId: null,
      body: '{}',
    });
    const [claimed] = await store.claim({ owner: 'w', leaseMs: 1000, limit: 1 });
    assert.ok(claimed);
    await store.complete(claimed.id, 'w');
    assert.deepEqual(await pruneByRetention(store, { now }), { payloadsCleared: 1, recordsDeleted: 0 });
    assert.deepEqual(await store.insertIfAbsent({ ...claimed, body: '{}' }), { inserted: false, status: 'succeeded' });
  });
});
