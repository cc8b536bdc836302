// maskPersonalData is default-deny: every key of Persona's generated schemas, in every inflection, is masked
// unless it is one of the few that are never about a person; and no string of Persona's official examples that is
// not on that short list survives.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { API_VERSIONS } from '../../src/events/api-versions.js';
import { maskPersonalData } from '../../src/protection/mask.js';
import { inflectKeys } from '../../src/testing/index.js';
import { officialExamples } from '../helpers/persona-openapi.js';

const GENERATED = join(import.meta.dirname, '../../src/events/generated');

/** Every property name the generated types of `version` declare. */
function schemaKeys(version: string): string[] {
  const text = readFileSync(join(GENERATED, `v${version}.ts`), 'utf8');
  return [...new Set([...text.matchAll(/readonly '?([A-Za-z0-9_-]+)'?\??:/g)].map((m) => m[1] as string))];
}

/** The strings left in a masked value, with the key each sits under. */
function strings(value: unknown, key = '', out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([key, value]);
  else if (Array.isArray(value)) for (const item of value) strings(item, key, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) strings(v, k, out);
  }
  return out;
}

describe('maskPersonalData', () => {
  for (const version of API_VERSIONS) {
    it(`masks a person's value under every key of the ${version} schemas, in every inflection`, () => {
      const keys = schemaKeys(version);
      assert.ok(keys.length > 500, `read ${keys.length} keys`);
      // Values of each kind a person's data could take, some shaped like what the mask lets through (a lowercase
      // token, a look-alike id, a time with text after it, a dotted name), under every key, at depth and in arrays.
      const values = [
        'Jane Doe 1990-01-02 https://files.example/x?token=abc',
        'jane',
        'jane.doe',
        'usr_JaneDoe1987abcdefgh',
        '2024-01-01T00:00:00Z Jane Doe, 12 Main St',
      ];
      const leaf = (key: string) => ({
        [key]: values,
        nested: { [key]: 4_111_111_111 },
        list: [{ [key]: values.map((v) => ({ [key]: v })) }],
        checks: [{ name: 'x', metadata: { [key]: values } }],
      });
      const tokenKey = (key: string) =>
        ['type', 'status', 'requirement'].includes(key.replace(/[-_]/g, '').toLowerCase());
      for (const inflection of ['kebab', 'camel', 'snake'] as const) {
        const payload = inflectKeys({ data: { type: 'event', attributes: { payload: keys.map(leaf) } } }, inflection);
        const left = strings(maskPersonalData(payload)).filter(([, v]) => v !== '•••' && v !== 'event');
        // Only a lowercase token under type, status or requirement, and the envelope's type `event`, may stay.
        const leaks = left.filter(([key, v]) => !(tokenKey(key) && /^[a-z.]+$/.test(v)));
        assert.deepEqual(leaks, [], `${inflection}: values left unmasked`);
      }
    });
  }

  it('keeps what is never about a person: event name, types, statuses, ids, times, check names, booleans', () => {
    const envelope = {
      data: {
        type: 'event',
        id: 'evt_2CVZ4HyVg7qaboXz8ps8Lm5b',
        attributes: {
          name: 'inquiry.approved',
          'created-at': '2026-12-01T10:00:00.000Z',
          payload: {
            data: {
              type: 'inquiry',
              id: 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b',
              attributes: {
                status: 'approved',
                name: 'Jane Doe',
                'completed-at': '2026-12-01T09:59:00.000Z',
                birthdate: '1990-01-02',
                'reference-id': 'jane@example.com',
                'account-id': 'act_ABCDEFGHIJ1234567890',
                'facebook-id': '1234567890',
                'is-tor': false,
                checks: [{ name: 'id_barcode_detection', status: 'passed', requirement: 'required', reasons: [] }],
                fields: { 'name-first': { type: 'string', value: 'Jane' } },
              },
            },
          },
        },
      },
    };
    const masked = maskPersonalData(envelope) as typeof envelope;
    const a = masked.data.attributes.payload.data.attributes;
    assert.equal(masked.data.attributes.name, 'inquiry.approved');
    assert.equal(masked.data.id, 'evt_2CVZ4HyVg7qaboXz8ps8Lm5b');
    assert.equal(masked.data.attributes['created-at'], '2026-12-01T10:00:00.000Z');
    assert.equal(masked.data.attributes.payload.data.type, 'inquiry');
    assert.equal(a.status, 'approved');
    assert.equal(a['completed-at'], '2026-12-01T09:59:00.000Z');
    assert.equal(a['account-id'], 'act_ABCDEFGHIJ1234567890');
    assert.equal(a['is-tor'], false);
    assert.deepEqual(a.checks, [
      { name: 'id_barcode_detection', status: 'passed', requirement: 'required', reasons: [] },
    ]);
    assert.deepEqual(a.fields, { 'name-first': { type: 'string', value: '•••' } });
    // A name outside the event's own `name`, a date without a time, an id that is not Persona's: masked.
    assert.equal(a.name, '•••');
    assert.equal(a.birthdate, '•••');
    assert.equal(a['reference-id'], '•••');
    assert.equal(a['facebook-id'], '•••');
  });

  it('masks what only looks like what it keeps', () => {
    const masked = maskPersonalData({
      data: {
        type: 'event',
        attributes: {
          name: 'Jane Doe',
          payload: {
            data: {
              type: 'inquiry',
              attributes: {
                'completed-at': '2024-01-01T00:00 Jane Doe, 12 Main St',
                'reference-id': 'inq_JaneDoe1987abcdefgh',
                'linkedin-id': 'jane_doe1234567890',
                'account-id': 'usr_JaneDoe1987abcdefgh',
                checks: [{ name: 'jane', metadata: { name: 'smith' } }],
              },
            },
          },
        },
      },
    });
    const text = JSON.stringify(masked);
    for (const personal of ['Jane', 'jane', 'smith', 'Main St'])
      assert.ok(!text.includes(personal), `${personal} in ${text}`);
    // Not an event envelope (a Persona API object of the same shape): its data.attributes.name is masked.
    const document = maskPersonalData({ data: { type: 'document', attributes: { name: 'jane-passport.jpg' } } });
    assert.deepEqual(document, { data: { type: 'document', attributes: { name: '•••' } } });
  });

  it('leaves no personal value of Persona’s official examples, and takes another mask', () => {
    for (const version of API_VERSIONS) {
      for (const example of officialExamples(version)) {
        const left = strings(maskPersonalData(example.body, { mask: '[hidden]' })).filter(([, v]) => v !== '[hidden]');
        for (const [key, value] of left) {
          const plain = /^(type|status|requirement|name|id|[a-z-]*-id|[a-z-]*-at)$/.test(key);
          assert.ok(plain, `${version} ${example.name}: ${key} = ${value}`);
          assert.doesNotMatch(value, /\s|@/, `${version} ${example.name}: ${key} = ${value}`);
        }
      }
    }
  });
});
