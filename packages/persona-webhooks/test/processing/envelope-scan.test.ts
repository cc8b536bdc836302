// The ack path's validating scan must agree with JSON.parse + parseEvent, or step aside (undefined).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanEnvelope } from '../../src/events/envelope-scan.js';
import { factsViaParse, sampleBody } from './fixtures/events.js';

function agrees(text: string): void {
  const scanned = scanEnvelope(text);
  if (scanned === undefined) return;
  const parsed = factsViaParse(text);
  assert.ok(parsed !== undefined, `scan accepted what parseEvent rejects: ${text.slice(0, 120)}`);
  assert.deepEqual(scanned, parsed);
}

describe('scanEnvelope', () => {
  for (const inflection of ['kebab', 'camel', 'snake'] as const) {
    it(`reads the id, name, created-at and resource id of a ${inflection}-case 8 KB event`, () => {
      const text = sampleBody({
        id: 'evt_s',
        resourceId: 'inq_s',
        inflection,
        size: 8192,
        createdAt: '2026-05-06T07:08:09.123Z',
      });
      const facts = scanEnvelope(text);
      assert.deepEqual(facts, {
        id: 'evt_s',
        name: 'inquiry.approved',
        createdAt: new Date('2026-05-06T07:08:09.123Z'),
        resourceId: 'inq_s',
      });
      assert.deepEqual(facts, factsViaParse(text));
    });
  }

  it('gives a null resource id when payload.data is null or its id is not a string', () => {
    const base = JSON.parse(sampleBody({ id: 'evt_n' }));
    base.data.attributes.payload.data = null;
    assert.equal(scanEnvelope(JSON.stringify(base))?.resourceId, null);
    base.data.attributes.payload.data = { type: 'x', id: 42 };
    assert.equal(scanEnvelope(JSON.stringify(base))?.resourceId, null);
  });

  it('accepts whitespace between every token', () => {
    const text = JSON.stringify(JSON.parse(sampleBody({ id: 'evt_ws' })), null, '\t').replaceAll('\n', '\r\n');
    assert.equal(scanEnvelope(text)?.id, 'evt_ws');
  });

  const unusual: [string, (text: string) => string][] = [
    ['an escaped key that spells a field', (t) => t.replace('"data":{"type":"event"', '"d\\u0061ta":{"type":"event"')],
    ['a repeated id key', (t) => t.replace('"id":"evt_u"', '"id":"evt_u","id":"evt_other"')],
    ['an escape inside the event id', (t) => t.replace('"id":"evt_u"', '"id":"evt_\\u0075"')],
    ['a trailing comma', (t) => t.replace('"included":[]', '"included":[1,]')],
    ['a leading zero', (t) => t.replace('"included":[]', '"included":[01]')],
    ['a raw control character in a string', (t) => t.replace('Jane', 'Ja\u0001ne')],
    ['text after the object', (t) => `${t} x`],
    ['a byte-order mark', (t) => `\uFEFF${t}`],
    ['a data.type other than event', (t) => t.replace('"type":"event"', '"type":"inquiry"')],
    ['a created-at that is not a date', (t) => t.replaceAll('2026-11-26T10:00:00.000Z', 'yesterday')],
    ['a truncated body', (t) => t.slice(0, t.length - 2)],
    ['a number as the event name', (t) => t.replace('"name":"inquiry.approved"', '"name":7')],
  ];
  for (const [label, mutate] of unusual) {
    it(`steps aside for ${label}`, () => {
      assert.equal(scanEnvelope(mutate(sampleBody({ id: 'evt_u' }))), undefined);
    });
  }

  it('agrees with parseEvent on envelopes carrying arbitrary JSON payloads', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.constantFrom('kebab', 'camel', 'snake'),
        (extra, data, inflection) => {
          const envelope = JSON.parse(sampleBody({ id: 'evt_p', inflection }));
          envelope.data.attributes.payload.included = [extra];
          if (typeof data === 'object') envelope.data.attributes.payload.data = data;
          envelope.data.attributes.context = extra;
          const text = JSON.stringify(envelope);
          agrees(text);
          // The scan must accept what JSON.stringify writes, except escaped keys beside the fields it reads.
          const plainKeys = !JSON.stringify(data).includes('\\');
          if (plainKeys) assert.ok(scanEnvelope(text) !== undefined, text.slice(0, 300));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never accepts a body that JSON.parse rejects, whatever single character is changed', () => {
    const text = sampleBody({ id: 'evt_m', resourceId: 'inq_m' });
    fc.assert(
      fc.property(
        fc.nat({ max: text.length - 1 }),
        fc.constantFrom('', '"', '\\', ',', '{', '}', '[', ']', ':', ' ', '0', '-', 'e', '.', 'x', '\u0000', 'é'),
        fc.boolean(),
        (at, ch, insert) => {
          const mutated = text.slice(0, at) + ch + text.slice(insert ? at : at + 1);
          agrees(mutated);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
