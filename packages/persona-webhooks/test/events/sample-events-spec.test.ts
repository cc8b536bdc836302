// createSampleEvent against Persona's spec: every sample validates against its event's JSON Schema (2020-12,
// ajv), and the samples of the 130 events with an official example have exactly that example's key paths.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSIONS } from '../../src/events/api-versions.js';
import { EVENT_NAMES } from '../../src/events/names.js';
import { createSampleEvent } from '../../src/testing/index.js';
import { eventValidator, keyPaths, officialExamples } from '../helpers/persona-openapi.js';

const INCLUDED = 'data.attributes.payload.included';

function withoutIncluded(paths: Set<string>): string[] {
  return [...paths].filter((path) => path !== INCLUDED && !path.startsWith(`${INCLUDED}[]`)).sort();
}

for (const version of API_VERSIONS) {
  describe(`createSampleEvent at API version ${version}`, () => {
    const validate = eventValidator(version);

    it('gives each of the 250 known names a body valid against its schema, with and without included objects', () => {
      const invalid: string[] = [];
      for (const name of EVENT_NAMES) {
        for (const included of [false, true]) {
          const sample = createSampleEvent(name, { apiVersion: version, seed: name, included });
          const errors = validate(name, sample);
          if (errors != null) invalid.push(`${name} (included: ${included}): ${JSON.stringify(errors.slice(0, 2))}`);
        }
      }
      assert.deepEqual(invalid, []);
    });

    it("reproduces the key paths of Persona's example for each of the 130 events that have one", () => {
      const examples = officialExamples(version);
      const first = new Map<string, unknown>();
      for (const example of examples) if (!first.has(example.name)) first.set(example.name, example.body);
      assert.equal(first.size, 130);
      const exact: string[] = [];
      const mismatched: string[] = [];
      for (const [name, body] of first) {
        const expected = keyPaths(body);
        const full = keyPaths(createSampleEvent(name, { apiVersion: version, seed: 9, included: true }));
        const bare = keyPaths(createSampleEvent(name, { apiVersion: version, seed: 9 }));
        const sameFull = JSON.stringify([...full].sort()) === JSON.stringify([...expected].sort());
        // By default `included` is empty (as for a webhook without an included allowlist): all else is the same.
        const sameBare = JSON.stringify(withoutIncluded(bare)) === JSON.stringify(withoutIncluded(expected));
        if (sameFull && sameBare) exact.push(name);
        else mismatched.push(name);
      }
      assert.deepEqual(mismatched, []);
      assert.equal(exact.length, 130);
    });

    it("leaves none of the example's ids, and moves its timestamps to the sample's time", () => {
      for (const { name, body } of officialExamples(version)) {
        const text = JSON.stringify(body);
        const ids = new Set(text.match(/"[a-z]+_[A-Za-z0-9]{16,}"/g) ?? []);
        const sample = JSON.stringify(
          createSampleEvent(name, { apiVersion: version, seed: 4, included: true, createdAt: '2026-05-01T00:00:00Z' }),
        );
        for (const id of ids) assert.ok(!sample.includes(id), `${name}: ${id} kept`);
        assert.ok(sample.includes('"created-at":"2026-05-01T00:00:00.000Z"'), name);
      }
    });

    it('is reproducible from a seed, with `included` empty unless asked for (absent where the schema has none)', () => {
      let absent = 0;
      for (const name of EVENT_NAMES) {
        const a = createSampleEvent(name, { apiVersion: version, seed: 'x' });
        assert.equal(JSON.stringify(createSampleEvent(name, { apiVersion: version, seed: 'x' })), JSON.stringify(a));
        const included = (a.data.attributes.payload as unknown as { included?: unknown[] }).included;
        if (included === undefined) absent++;
        else assert.deepEqual(included, [], name);
      }
      // graph-query.* (5) and transaction-type.deleted-field: Persona's schema gives their payload no `included`.
      assert.equal(absent, 6);
    });
  });
}
