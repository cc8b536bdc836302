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
    const memory = createRecentIds(1500);
    for (let i = 0; i < 5000; i++) memory.set(`evt_${i.toString(36).padStart(24, '0')}`, 'pending');
    assert.equal(memory.size, 1500);
    for (let i = 0; i < 5000; i++) {
      const expected = i >= 3500 ? 'pending' : undefined;
      assert.equal(memory.get(`evt_${i.toString(36).padStart(24, '0')}`), expected, `id ${i}`);
    }
  });

  it('agrees with the model on ids of the longest kept length, control characters included', () => {
    const long = fc.stringMatching(new RegExp(`^[a\\u0000\\u001f]{${MAX_ID_LENGTH - 2},${MAX_ID_LENGTH}}$`));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), long), { maxLength: 200 }), (steps) => {
        const memory = createRecentIds(5);
        const expected = model(5);
        for (const [setting, text] of steps) {
          if (setting) {
            assert.equal(memory.set(text, 'succeeded'), true);
            expected.set(text, 'succeeded');
          } else assert.equal(memory.get(text), expected.get(text));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers an id for maxAgeMs after it was last set, then reads again', () => {
    let now = 1_000_000;
    const memory = createRecentIds(4, { maxAgeMs: 1000, now: () => now });
    memory.set('evt_a', 'pending');
    now += 1000;
    assert.equal(memory.get('evt_a'), 'pending');
    now += 1;
    assert.equal(memory.get('evt_a'), undefined, 'too old: the caller reads the store');
    memory.set('evt_a', 'succeeded'); // found again by a read: answered for another maxAgeMs
    now += 1000;
    assert.equal(memory.get('evt_a'), 'succeeded');
    assert.equal(memory.size, 1);
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
