// The cheap tombstone check on the ack path: a text scan for `id` members instead of a parse, and one
// tombstone query shared by the deliveries of the same moment. The scan must never miss an id the parse
// finds (else an event about a redacted object would be stored in clear), so it is checked against the
// parse over every event name, key inflection and API version, with `included` objects, and with escapes.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_NAMES } from '../../src/events/names.js';
import { createProtectedStore } from '../../src/protection/protected-store.js';
import { candidateObjectIds, eventReferences, isScrubbed } from '../../src/protection/references.js';
import { createTombstoneLookups } from '../../src/protection/tombstone-lookups.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { EventStore, NewEvent } from '../../src/store/store.js';
import { createSampleEvent } from '../../src/testing/sample-event.js';

/** Every id the parse finds must be among the scan's candidates. */
function assertSuperset(text: string, what: string): void {
  const candidates = candidateObjectIds(text);
  assert.ok(candidates !== null, `${what}: the scan gave up on a plain envelope`);
  const scanned = new Set(candidates);
  for (const ref of eventReferences(JSON.parse(text)).all) {
    assert.ok(scanned.has(ref.id), `${what}: the scan missed ${ref.id}`);
  }
}

describe('candidateObjectIds', () => {
  it('finds every id the parse finds, for every event name, inflection and API version, with included objects', () => {
    let checked = 0;
    for (const apiVersion of ['2025-12-08', '2023-01-05'] as const) {
      for (const inflection of ['kebab', 'camel', 'snake'] as const) {
        for (const name of EVENT_NAMES) {
          const event = createSampleEvent(name, { apiVersion, inflection, included: true, seed: name });
          const text = JSON.stringify(event);
          assertSuperset(text, `${name} ${apiVersion} ${inflection}`);
          // Pretty-printed JSON (whitespace around the colon) reads the same.
          assertSuperset(JSON.stringify(event, null, 2), `${name} pretty`);
          checked++;
        }
      }
    }
    assert.equal(checked, EVENT_NAMES.length * 6);
  });

  it('decodes escaped id values, and gives up (so the caller parses) on a key spelled with escapes', () => {
    const escapedValue =
      '{"data":{"id":"evt_1","attributes":{"payload":{"data":{"type":"inquiry","id":"inq_\\u0041b\\"c"}}}}}';
    assert.deepEqual(candidateObjectIds(escapedValue), ['evt_1', 'inq_Ab"c']);
    assert.ok(eventReferences(JSON.parse(escapedValue)).all.some((r) => r.id === 'inq_Ab"c'));
    const escapedKey =
      '{"data":{"id":"evt_1","attributes":{"payload":{"data":{"type":"inquiry","\\u0069d":"inq_hidden"}}}}}';
    assert.equal(eventReferences(JSON.parse(escapedKey)).subject?.id, 'inq_hidden');
    assert.equal(candidateObjectIds(escapedKey), null);
    assert.equal(candidateObjectIds(escapedKey.replace('\\u0069d', 'i\\u0064')), null);
  });

  it('ignores values that are not strings, empty ids, and ids holding U+0000 (no tombstone can hold one)', () => {
    assert.deepEqual(candidateObjectIds('{"id":7,"x":{"id":""},"y":{"id":"inq_2"}}'), ['inq_2']);
    assert.deepEqual(candidateObjectIds('{"id":"inq_\\u0000x","y":{"id":"inq_3"}}'), ['inq_3']);
  });
});

describe('tombstone lookups', () => {
  it('answers the lookups of one moment with one query, each with its own answer', async () => {
    const calls: string[][] = [];
    const lookups = createTombstoneLookups(async (ids) => {
      calls.push([...ids]);
      return ids.filter((id) => id === 'inq_dead');
    });
    const answers = await Promise.all([
      lookups.any(['evt_1', 'inq_live']),
      lookups.any(['evt_2', 'inq_dead']),
      lookups.any(['evt_3', 'inq_live', 'act_1']),
    ]);
    assert.deepEqual(answers, [false, true, false]);
    assert.equal(calls.length, 1);
    assert.deepEqual(new Set(calls[0]), new Set(['evt_1', 'inq_live', 'evt_2', 'inq_dead', 'evt_3', 'act_1']));
    // A later moment is a new query.
    assert.equal(await lookups.any(['inq_dead']), true);
    assert.equal(calls.length, 2);
  });

  it('rejects every lookup of the moment when the query fails', async () => {
    const lookups = createTombstoneLookups(async () => {
      throw new Error('database down');
    });
    const results = await Promise.allSettled([lookups.any(['a']), lookups.any(['b'])]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
  });
});

describe('protected store insert with concurrent deliveries', () => {
  for (const variant of ['insertUnlessTombstoned', 'findTombstones, then insertIfAbsent'] as const) {
    it(`scrubs exactly the events that reach a tombstoned object (a store with ${variant})`, async () => {
      const memory = createMemoryStore();
      let queries = 0;
      const counted: EventStore = {
        ...memory,
        findTombstones: (ids) => {
          queries++;
          return memory.findTombstones(ids);
        },
      };
      // A store without the optional method: the protected store looks the tombstones up itself.
      if (variant !== 'insertUnlessTombstoned')
        delete (counted as { insertUnlessTombstoned?: unknown }).insertUnlessTombstoned;
      const store = createProtectedStore(counted);
      await store.migrate();
      await memory.addTombstones([{ objectId: 'inq_gone', eventId: null }]);
      const event = (id: string, inquiry: string): NewEvent => ({
        id,
        name: 'inquiry.approved',
        createdAt: new Date('2026-11-01T10:00:00Z'),
        resourceId: inquiry,
        body: JSON.stringify(createSampleEvent('inquiry.approved', { id, resourceId: inquiry, seed: id })),
      });
      const ids = Array.from({ length: 20 }, (_, i) => `evt_batch${i}`);
      await Promise.all(ids.map((id, i) => store.insertIfAbsent(event(id, i % 5 === 0 ? 'inq_gone' : `inq_live${i}`))));
      // The exact re-check of the 4 hits; without the optional method, also one shared lookup for all 20.
      assert.equal(queries, variant === 'insertUnlessTombstoned' ? 4 : 1 + 4);
      for (const [i, id] of ids.entries()) {
        const stored = await memory.get(id);
        assert.equal(isScrubbed(stored?.body ?? ''), i % 5 === 0, id);
      }
    });
  }
});
