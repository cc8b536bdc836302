// Properties of the testing kit over generated names, seeds, sizes and secrets (fast-check).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EVENT_NAMES } from '../../src/events/names.js';
import { type KeyInflection, parseEvent } from '../../src/events/parse.js';
import { createSampleEvent, createSignedDelivery } from '../../src/testing/index.js';
import { verifySignature } from '../../src/webhook-signature.js';

const inflection = fc.constantFrom<KeyInflection>('kebab', 'camel', 'snake');
const knownName = fc.constantFrom(...EVENT_NAMES);
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,2}$/);
// Names Persona may add later: new families, new report kinds, new actions.
const futureName = fc
  .tuple(fc.boolean(), word, fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/))
  .map(([report, family, action]) => `${report ? 'report/' : ''}${family}.${action}`);
const seed = fc.oneof(fc.integer(), fc.string({ maxLength: 12 }));

describe('createSampleEvent properties', () => {
  it('parses back to the same name, inflection and id for any name, known or not', () => {
    fc.assert(
      fc.property(fc.oneof(knownName, futureName), inflection, seed, (name, inf, s) => {
        const envelope = createSampleEvent(name, { inflection: inf, seed: s });
        const event = parseEvent(JSON.stringify(envelope));
        assert.equal(event.name, name);
        assert.equal(event.inflection, inf);
        assert.equal(event.id, envelope.data.id);
        const family = name.slice(0, name.indexOf('.'));
        if (family.startsWith('report/')) assert.equal(event.payload.data.type, family);
      }),
      { numRuns: 300 },
    );
  });

  it('is a pure function of the seed and the options', () => {
    fc.assert(
      fc.property(knownName, inflection, seed, (name, inf, s) => {
        const a = JSON.stringify(createSampleEvent(name, { inflection: inf, seed: s }));
        const b = JSON.stringify(createSampleEvent(name, { inflection: inf, seed: s }));
        assert.equal(a, b);
      }),
      { numRuns: 200 },
    );
  });

  it('hits any requested size exactly once it exceeds the bare event by a comment', () => {
    fc.assert(
      fc.property(knownName, inflection, fc.integer({ min: 7_000, max: 120_000 }), (name, inf, size) => {
        const body = JSON.stringify(createSampleEvent(name, { inflection: inf, seed: 1, payloadSize: size }));
        assert.equal(new TextEncoder().encode(body).length, size);
        assert.equal(parseEvent(body).name, name);
      }),
      { numRuns: 60 },
    );
  });
});

describe('createSignedDelivery properties', () => {
  it('verifies with every secret it was signed with, at its own timestamp', async () => {
    const secret = fc.stringMatching(/^wbhsec_[A-Za-z0-9-]{1,40}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(secret, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1_500_000_000, max: 2_500_000_000 }),
        knownName,
        async (secrets, timestamp, name) => {
          const { body, headers } = await createSignedDelivery({ event: name, secret: secrets, timestamp });
          for (const s of secrets) {
            const result = await verifySignature({
              body,
              header: headers['persona-signature'],
              secret: s,
              now: timestamp * 1000,
            });
            assert.equal(result.timestamp, timestamp);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
