// The ack path's scan against JSON.parse + parseEvent on every event name of the testing kit and on random
// mutations of real envelopes: it may step aside (undefined) but never disagree, and never accept what
// JSON.parse rejects. Compact (plain) and pretty or escaped (general) bodies are both covered.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanEnvelope, takeScannedIds } from '../../src/events/envelope-scan.js';
import { EVENT_NAMES } from '../../src/events/names.js';
import { candidateObjectIds } from '../../src/protection/references.js';
import { createSampleEvent } from '../../src/testing/index.js';
import { factsViaParse } from './fixtures/events.js';

const INFLECTIONS = ['kebab', 'camel', 'snake'] as const;

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ids a successful plain scan keeps for the redaction check are the ones the regular-expression pass of
 * candidateObjectIds finds in the same text (the scan's list may repeat an id; the pass names each once).
 */
function sameIdsAsThePass(text: string): void {
  const fromScan = takeScannedIds(text);
  if (fromScan === undefined) return;
  const fromPass = candidateObjectIds(text); // the scan's ids are taken: this is the regular-expression pass
  assert.deepEqual([...new Set(fromScan)], fromPass, `ids differ for ${JSON.stringify(text.slice(0, 200))}`);
}

function agrees(text: string): void {
  const scanned = scanEnvelope(text);
  sameIdsAsThePass(text);
  if (scanned === undefined) return;
  assert.ok(parses(text), `scan accepted what JSON.parse rejects: ${JSON.stringify(text.slice(0, 200))}`);
  const parsed = factsViaParse(text);
  assert.ok(parsed !== undefined, `scan accepted what parseEvent rejects: ${JSON.stringify(text.slice(0, 200))}`);
  assert.deepEqual(scanned, parsed);
}

const bodies = INFLECTIONS.map((inflection) =>
  JSON.stringify(createSampleEvent('inquiry.approved', { inflection, seed: 3, payloadSize: 2048 })),
);
const reportBody = JSON.stringify(createSampleEvent('report/watchlist.matched', { inflection: 'kebab', seed: 4 }));
const allBodies = [...bodies, reportBody];

// Tokens that stress the scanner: every number form, broken numbers and literals, escapes, quotes, brackets.
const TOKENS = [
  '0',
  '-0',
  '1',
  '-12',
  '1.5',
  '-0.25',
  '1e5',
  '1E+5',
  '2e-7',
  '-3.5E-2',
  '01',
  '-',
  '1.',
  '.5',
  '1e',
  '1e+',
  '+1',
  '0x1',
  'Infinity',
  'NaN',
  'true',
  'false',
  'null',
  'tru',
  'nul',
  'fals',
  'True',
  'nulll',
  'undefined',
  '"',
  '""',
  '"\\u0041"',
  '"\\ud83d\\ude00"',
  '"\\x41"',
  '"\\u12"',
  '"a\\"b"',
  '"\\\\"',
  '"\\/"',
  '"é"',
  '"\u2028"',
  '"\ud800"',
  '\\',
  '\\"',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u001f',
  '\u00a0',
  '\ufeff',
  '{}',
  '[]',
  '[1,]',
  '{"a":1,}',
  '{"a"}',
  '{"a":}',
  '{,}',
  '[,1]',
];

const token = fc.constantFrom(...TOKENS);
const body = fc.constantFrom(...allBodies);

describe('scanEnvelope agreement with JSON.parse + parseEvent', () => {
  it('reads every event name of the testing kit in kebab, camel and snake case', () => {
    let checked = 0;
    for (const name of EVENT_NAMES) {
      for (const inflection of INFLECTIONS) {
        const text = JSON.stringify(createSampleEvent(name, { inflection, seed: name }));
        const scanned = scanEnvelope(text);
        assert.ok(scanned !== undefined, `${name} (${inflection}) was not read`);
        assert.deepEqual(scanned, factsViaParse(text));
        assert.equal(scanned.name, name);
        checked++;
      }
    }
    assert.equal(checked, EVENT_NAMES.length * 3);
  });

  it('keeps, for the redaction check, the ids the regular-expression pass finds, and only for the text it read', () => {
    let kept = 0;
    for (const name of EVENT_NAMES) {
      const text = JSON.stringify(createSampleEvent(name, { seed: name, payloadSize: 1024 }));
      assert.ok(scanEnvelope(text) !== undefined);
      const fromScan = takeScannedIds(text);
      assert.ok(fromScan !== undefined && fromScan.length > 0, `${name}: no ids kept`);
      assert.equal(takeScannedIds(text), undefined, 'kept ids are answered once');
      assert.deepEqual([...new Set(fromScan)], candidateObjectIds(text));
      kept++;
    }
    assert.equal(kept, EVENT_NAMES.length);
    // Values that are no id member's string: numbers, objects, empty strings, array items after an id member.
    const tricky =
      '{"data":{"type":"event","id":"evt_1","attributes":{"name":"a.b","created-at":"2026-01-01T00:00:00Z",' +
      '"payload":{"data":{"id":"inq_1"},"x":[{"id":5},"not_an_id"],"id":["arr_item"],"y":{"id":{"id":"z_1"}},' +
      '"z":{"id":""},"w":{"id":null,"k":"v"},"v":[{"id":"a_1"},{"id":"a_1"}]}}}}';
    assert.ok(scanEnvelope(tricky) !== undefined);
    assert.deepEqual(takeScannedIds(tricky), ['evt_1', 'inq_1', 'z_1', 'a_1', 'a_1']);
    assert.deepEqual(candidateObjectIds(tricky), ['evt_1', 'inq_1', 'z_1', 'a_1']);
    // Many ids (more than the scan first has room for), each kept in order.
    const many = Array.from({ length: 300 }, (_, i) => `doc_${i}`);
    const included = many.map((id) => `{"type":"document","id":"${id}"}`).join(',');
    const big =
      '{"data":{"type":"event","id":"evt_2","attributes":{"name":"a.b","created-at":"2026-01-01T00:00:00Z",' +
      `"payload":{"data":{"id":"inq_2"},"included":[${included}]}}}}`;
    assert.ok(scanEnvelope(big) !== undefined);
    assert.deepEqual(takeScannedIds(big), ['evt_2', 'inq_2', ...many]);
    // Another text, even after its own scan failed, never gets the ids of an earlier one.
    const first = JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1 }));
    assert.ok(scanEnvelope(first) !== undefined);
    assert.equal(scanEnvelope('{"data":'), undefined);
    assert.equal(takeScannedIds(first), undefined);
    const pretty = JSON.stringify(JSON.parse(first), null, 1); // the general scan keeps nothing
    assert.ok(scanEnvelope(first) !== undefined && scanEnvelope(pretty) !== undefined);
    assert.equal(takeScannedIds(first), undefined);
    assert.equal(takeScannedIds(pretty), undefined);
  });

  it('reads pretty-printed and escaped envelopes as JSON.parse does', () => {
    for (const text of allBodies) {
      const pretty = JSON.stringify(JSON.parse(text), null, 2);
      assert.deepEqual(scanEnvelope(pretty), factsViaParse(pretty));
      // Escapes outside the fields the scan reads (here payload.data.attributes.status) are fine.
      const escaped = text.replace(/"status":"approved"/, '"st\\u0061tus":"appr\\"oved"');
      if (escaped !== text) {
        assert.ok(scanEnvelope(escaped) !== undefined);
        assert.deepEqual(scanEnvelope(escaped), factsViaParse(escaped));
      }
    }
  });

  it('never accepts a truncated envelope', () => {
    fc.assert(
      fc.property(body, fc.nat(), (text, cut) => {
        const truncated = text.slice(0, cut % text.length);
        assert.equal(scanEnvelope(truncated), undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees after inserting or replacing any token anywhere', () => {
    fc.assert(
      fc.property(body, fc.nat(), token, fc.nat({ max: 3 }), (text, at, inserted, removed) => {
        const position = at % (text.length + 1);
        agrees(text.slice(0, position) + inserted + text.slice(position + removed));
      }),
      { numRuns: 4000 },
    );
  });

  it('never accepts a bracket swapped for the other kind or a structural character dropped', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.boolean(), (text, pick, drop) => {
        const positions: number[] = [];
        let inString = false;
        for (let k = 0; k < text.length; k++) {
          const ch = text[k];
          if (ch === '"') inString = !inString;
          else if (!inString && (ch === '{' || ch === '}' || ch === '[' || ch === ']' || ch === ':' || ch === ','))
            positions.push(k);
        }
        const at = positions[pick % positions.length] as number;
        const ch = text[at] as string;
        const swapped = ({ '{': '[', '[': '{', '}': ']', ']': '}', ':': ',', ',': ':' } as Record<string, string>)[ch];
        const mutated = text.slice(0, at) + (drop ? '' : swapped) + text.slice(at + 1);
        assert.equal(parses(mutated), false);
        assert.equal(scanEnvelope(mutated), undefined);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees after several random byte edits', () => {
    const edit = fc.tuple(fc.nat(), fc.oneof(token, fc.string({ maxLength: 3 })), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(body, fc.array(edit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        let mutated = text;
        for (const [at, inserted, removed] of edits) {
          const position = at % (mutated.length + 1);
          mutated = mutated.slice(0, position) + inserted + mutated.slice(position + removed);
        }
        agrees(mutated);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on keys and values with escapes, including escaped field names and repeated keys', () => {
    const fieldKey = fc.constantFrom(
      'id',
      'type',
      'data',
      'name',
      'payload',
      'attributes',
      'created-at',
      'createdAt',
      'created_at',
    );
    const escapeKey = (k: string) => k.replace(/[a-z]/, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`);
    fc.assert(
      fc.property(
        body,
        fieldKey,
        fc.constantFrom('"data":{', '"attributes":{', '"payload":{', '"id":'),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string()),
        fc.boolean(),
        (text, key, anchor, value, escapeKeyName) => {
          const at = text.indexOf(anchor);
          if (at === -1) return;
          const insertAt = anchor.endsWith('{') ? at + anchor.length : at;
          const member = `"${escapeKeyName ? escapeKey(key) : key}":${JSON.stringify(value)}`;
          const mutated = `${text.slice(0, insertAt)}${member},${text.slice(insertAt)}`;
          agrees(mutated);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('agrees on field values of every JSON type and on escaped field values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INFLECTIONS),
        fc.constantFrom('id', 'type', 'name', 'createdAt', 'resourceId', 'payload', 'payloadData', 'attributes'),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.string({ unit: 'binary', maxLength: 8 })),
        (inflection, field, value) => {
          const envelope = JSON.parse(JSON.stringify(createSampleEvent('inquiry.approved', { inflection, seed: 1 })));
          const attributes = envelope.data.attributes;
          const created = inflection === 'kebab' ? 'created-at' : inflection === 'camel' ? 'createdAt' : 'created_at';
          if (field === 'id' || field === 'type') envelope.data[field] = value;
          else if (field === 'name') attributes.name = value;
          else if (field === 'createdAt') attributes[created] = value;
          else if (field === 'resourceId') attributes.payload.data.id = value;
          else if (field === 'payload') attributes.payload = value;
          else if (field === 'payloadData') attributes.payload.data = value;
          else envelope.data.attributes = value;
          const text = JSON.stringify(envelope);
          agrees(text);
          agrees(JSON.stringify(envelope, null, 1));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('agrees on deep nesting, up to and beyond its depth limit', () => {
    fc.assert(
      fc.property(
        body,
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom('[', '{"k":'),
        fc.boolean(),
        (text, depth, open, balanced) => {
          const close = open === '[' ? ']' : '}';
          const nested = open.repeat(depth) + '1' + close.repeat(balanced ? depth : depth - 1);
          agrees(text.replace('"included":[', `"included":[${nested},`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts what JSON.stringify writes for arbitrary payloads beside the fields', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INFLECTIONS), fc.jsonValue(), fc.double(), (inflection, extra, number) => {
        const envelope = JSON.parse(JSON.stringify(createSampleEvent('inquiry.approved', { inflection, seed: 2 })));
        envelope.data.attributes.payload.included = [extra, number, -number];
        envelope.data.attributes.context = { extra };
        const text = JSON.stringify(envelope);
        const scanned = scanEnvelope(text);
        agrees(text);
        // Escaped keys inside payload.data could spell its id: the scan steps aside there, nowhere else.
        assert.ok(scanned !== undefined, text.slice(0, 300));
      }),
      { numRuns: 500 },
    );
  });
});
