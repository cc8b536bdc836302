// The typed-array memory of recent ids behind createSqliteStatusReader({ rememberIds }): checked against a plain
// model (a Map and a queue) over random operations, with capacities small enough that ids share table positions,
// probe runs wrap around the table's end, and removals move entries back.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRecentIds, MAX_ID_LENGTH } from '../../src/store/recent-ids.js';
import { EVENT_STATUSES, type EventStatus } from '../../src/store/store.js';

type Op =
  | { readonly kind: 'set'; readonly id: string; readonly status: EventStatus }
  | { readonly kind: 'get'; readonly id: string }
  | { readonly kind: 'clear' };

/** What the memory must answer: the newest `capacity` ids set, in the order first set, with their last status. */
function model(capacity: number) {
  const statuses = new Map<string, EventStatus>();
  const order: string[] = [];
  return {
    get: (id: string) => statuses.get(id),
    set(id: string, status: EventStatus) {
      if (capacity === 0) return;
      if (!statuses.has(id)) {
        if (order.length === capacity) statuses.delete(order.shift() as string);
        order.push(id);
      }
      statuses.set(id, status);
    },
    clear() {
      statuses.clear();
      order.length = 0;
    },
    get size() {
      return order.length;
    },
  };
}

const id = fc.stringMatching(/^evt_[a-c0-9]{1,3}$/);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), id, status: fc.constantFrom(...EVENT_STATUSES) }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('get' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('createRecentIds', () => {
  it('answers as a Map of the newest ids would, over random sets, gets and clears', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const memory = createRecentIds(capacity);
        const expected = model(capacity);
        for (const o of ops) {
          if (o.kind === 'set') {
            assert.equal(memory.set(o.id, o.status), capacity > 0);
            expected.set(o.id, o.status);
          } else if (o.kind === 'clear') {
            memory.clear();
            expected.clear();
          } else assert.equal(memory.get(o.id), expected.get(o.id), `get ${o.id}`);
          assert.equal(memory.size, expected.size);
        }
        // Every id of the alphabet at the end, not only those the operations asked for.
        for (const o of ops) if (o.kind !== 'clear') assert.equal(memory.get(o.id), expected.get(o.id));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the newest ids of a long stream, and pushes the oldest out first', () => {
    const memory = createRecentIds(1000);
    for (let i = 0; i < 5000; i++) memory.set(`evt_${i.toString(36).padStart(24, '0')}`, 'pending');
    assert.equal(memory.size, 1000);
    for (let i = 0; i < 5000; i++) {
      const expected = i >= 4000 ? 'pending' : undefined;
      assert.equal(memory.get(`evt_${i.toString(36).padStart(24, '0')}`), expected, `id ${i}`);
    }
  });

  it('does not keep an id it cannot store as bytes, and never answers for it', () => {
    const memory = createRecentIds(4);
    for (const bad of ['', 'x'.repeat(MAX_ID_LENGTH + 1), 'evt_é', 'evt_😀']) {
      assert.equal(memory.set(bad, 'succeeded'), false);
      assert.equal(memory.get(bad), undefined);
    }
    assert.equal(memory.size, 0);
    assert.equal(memory.set('x'.repeat(MAX_ID_LENGTH), 'dead'), true);
    assert.equal(memory.get('x'.repeat(MAX_ID_LENGTH)), 'dead');
    // Same length and hash neighbourhood, different bytes: no false answer.
    assert.equal(memory.get(`${'x'.repeat(MAX_ID_LENGTH - 1)}y`), undefined);
  });
});
