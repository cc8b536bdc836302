// createSampleEvent: a body shaped like Persona's own, for every known name, API version and key inflection.
// (Validity against the spec's schemas and the examples' key paths: test/events/sample-events-spec.test.ts.)
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PersonaWebhookError } from '../../src/errors.js';
import { API_VERSIONS, type KeyInflection } from '../../src/events/api-versions.js';
import { EVENT_NAMES } from '../../src/events/names.js';
import { parseEvent } from '../../src/events/parse.js';
import { relationTargetOf } from '../../src/events/relation.js';
import { createSampleEvent, inflectKey, inflectKeys } from '../../src/testing/index.js';

const INFLECTIONS: readonly KeyInflection[] = ['kebab', 'camel', 'snake'];
const BASE58_ID = /^[a-z]+_[1-9A-HJ-NP-Za-km-z]{10,}$/;

/** Every key of a JSON value, except those inside `fields` when `skipFields` (kept verbatim from 2025-10-27). */
function keysOf(value: unknown, skipFields: boolean, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, skipFields, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      if (!(skipFields && k === 'fields')) keysOf(v, skipFields, out);
    }
  return out;
}

function dataOf(envelope: unknown) {
  return parseEvent(JSON.stringify(envelope)).payload.data as {
    type: string;
    id: string;
    attributes: Record<string, unknown>;
    relationships?: Record<string, unknown>;
  };
}

describe('createSampleEvent for every event name', () => {
  for (const apiVersion of API_VERSIONS) {
    for (const inflection of INFLECTIONS) {
      it(`${apiVersion} ${inflection}: parseEvent reads the name, inflection, ids and time of all 250`, () => {
        for (const name of EVENT_NAMES) {
          const createdAt = '2026-02-03T04:05:06.789Z';
          const event = parseEvent(
            JSON.stringify(createSampleEvent(name, { apiVersion, inflection, seed: name, createdAt })),
          );
          assert.equal(event.name, name);
          assert.equal(event.inflection, inflection, name);
          assert.match(event.id, /^evt_[1-9A-HJ-NP-Za-km-z]+$/, name);
          assert.equal(event.createdAt.toISOString(), createdAt, name);
          assert.match(event.payload.data.id, BASE58_ID, name);
          assert.deepEqual(event.payload.included, [], name);
        }
      });
    }

    it(`${apiVersion}: spells every key in the chosen inflection (fields aside from 2025-10-27 on)`, () => {
      const verbatim = apiVersion !== '2023-01-05';
      for (const name of EVENT_NAMES) {
        const options = { apiVersion, seed: 3, included: true } as const;
        const kebab = keysOf(createSampleEvent(name, options), verbatim);
        const camel = keysOf(createSampleEvent(name, { ...options, inflection: 'camel' }), verbatim);
        const snake = keysOf(createSampleEvent(name, { ...options, inflection: 'snake' }), verbatim);
        assert.deepEqual(
          camel.filter((k) => /[-_]/.test(k)),
          [],
          `${name} camel`,
        );
        assert.deepEqual(
          snake.filter((k) => /[-A-Z]/.test(k)),
          [],
          `${name} snake`,
        );
        assert.deepEqual(
          snake,
          kebab.map((k) => k.replace(/-/g, '_')),
          name,
        );
      }
    });
  }

  it('gives unknown names a generic object of their family that still parses', () => {
    const event = parseEvent(JSON.stringify(createSampleEvent('widget.exploded', { inflection: 'camel' })));
    assert.equal(event.payload.data.type, 'widget');
    assert.match(event.payload.data.id, BASE58_ID);
  });
});

describe("createSampleEvent follows Persona's spec", () => {
  it('puts personal data only in `fields` from 2025-10-27 on, and also top-level in 2023-01-05', () => {
    const current = dataOf(createSampleEvent('inquiry.approved', { seed: 1 })).attributes;
    assert.equal(current['name-first'], undefined);
    assert.equal(current.birthdate, undefined);
    const fields = current.fields as Record<string, { value: unknown }>;
    assert.equal(typeof fields['name-first']?.value, 'string');
    const old = dataOf(createSampleEvent('inquiry.approved', { seed: 1, apiVersion: '2023-01-05' })).attributes;
    assert.equal(typeof old['name-first'], 'string');
    assert.equal(old['name-first'], (old.fields as Record<string, { value: unknown }>)['name-first']?.value);
  });

  it('nests account fields as hashes with snake_case keys, not re-cased in a camel webhook (2025-12-08)', () => {
    const attributes = dataOf(createSampleEvent('account.created', { seed: 2, inflection: 'camel' })).attributes;
    const fields = attributes.fields as { address: { type: string; value: Record<string, { value: unknown }> } };
    assert.equal(fields.address.type, 'hash');
    assert.equal(typeof fields.address.value.street_1?.value, 'string');
    assert.equal(typeof attributes.referenceId, 'string');
  });

  it('uses the statuses Persona sends', () => {
    const status = (name: string) => dataOf(createSampleEvent(name, { seed: 5 })).attributes.status;
    assert.equal(status('verification.tentatively-passed'), 'tentatively_passed');
    assert.equal(status('verification.tentatively-failed'), 'tentatively_failed');
    assert.equal(status('workflow-run.created'), 'in_progress');
    assert.equal(status('inquiry-session.started'), 'active');
    assert.equal(status('report/address-lookup.submitted'), 'submitted');
    assert.equal(status('case.created'), 'Open');
    assert.equal(status('case.resolved'), 'Approved');
    assert.equal(status('inquiry.approved'), 'approved');
    assert.equal(status('inquiry.marked-for-review'), 'needs_review');
  });

  it('uses the types Persona sends', () => {
    const type = (name: string) => dataOf(createSampleEvent(name, { seed: 6 })).type;
    assert.equal(type('report/sentilink-scores.ready'), 'report/integration/sentilink-scores');
    assert.equal(type('report/watchlist.matched'), 'report/watchlist');
    assert.equal(type('document.created'), 'document/generic');
    assert.equal(type('verification.tentatively-failed'), 'verification/database-business');
    assert.match(dataOf(createSampleEvent('graph-query.completed')).id, /^grphq_/);
  });

  it('names the relationships Persona sends', () => {
    const relationships = (name: string) =>
      Object.keys(dataOf(createSampleEvent(name, { seed: 7 })).relationships ?? {});
    const verification = relationships('verification.passed');
    for (const r of [
      'accounts',
      'inquiry-template',
      'inquiry-template-version',
      'transaction',
      'verification-template',
    ])
      assert.ok(verification.includes(r), `verification ${r}`);
    assert.ok(relationships('inquiry.approved').includes('transaction'));
    for (const r of ['case-comments', 'reports', 'verifications', 'txns'])
      assert.ok(relationships('case.created').includes(r));
    assert.deepEqual(relationships('workflow-run.created'), ['creator', 'workflow', 'workflow-version']);
    for (const r of ['reviewer', 'transaction-label']) assert.ok(relationships('transaction.created').includes(r));
    const document = relationships('document.created');
    assert.ok(document.includes('document-files'));
    assert.ok(!document.includes('account'));
  });

  it('links relationships to the included objects by their fresh ids when `included` is asked for', () => {
    const envelope = createSampleEvent('inquiry.approved', { seed: 11, included: true });
    const { data, included } = envelope.data.attributes.payload;
    assert.ok(included.length > 0);
    const ids = new Set(included.map((r) => `${r.type}:${r.id}`));
    const linked = Object.values(data.relationships ?? {}).flatMap((r) => {
      const d = (r as { data?: unknown }).data;
      return Array.isArray(d) ? d : d ? [d] : [];
    }) as { type: string; id: string }[];
    assert.ok(
      linked.some((r) => ids.has(`${r.type}:${r.id}`)),
      'some relationship points at an included object',
    );
  });

  it("carries Persona's context on relation and updated-tags events, none on tag-added", () => {
    const relation = parseEvent(JSON.stringify(createSampleEvent('account.added-relation', { inflection: 'snake' })));
    assert.equal(relation.context?.relation_schema_key, 'business');
    assert.match(String(relationTargetOf(relation)?.accountId), /^act_/);
    const tags = parseEvent(JSON.stringify(createSampleEvent('inquiry.updated-tags')));
    assert.deepEqual(Object.keys(tags.context ?? {}), ['added-tags', 'removed-tags']);
    assert.equal(parseEvent(JSON.stringify(createSampleEvent('account.tag-added'))).context, undefined);
  });
});

describe('relationTargetOf', () => {
  it("reads the spec's target-* and the changelog's related-* keys, in any inflection", () => {
    assert.deepEqual(relationTargetOf({ context: { 'relation-schema-key': 'b', 'target-account-id': 'act_1' } }), {
      schemaKey: 'b',
      accountId: 'act_1',
      transactionId: null,
    });
    assert.equal(relationTargetOf({ context: { relatedAccountId: 'act_2' } })?.accountId, 'act_2');
    assert.equal(relationTargetOf({ context: { related_txn_id: 'txn_3' } })?.transactionId, 'txn_3');
    assert.equal(relationTargetOf({}), undefined);
  });
});

describe('createSampleEvent options', () => {
  it('is reproducible from a seed, and differs between seeds', () => {
    const a = JSON.stringify(createSampleEvent('case.created', { seed: 42 }));
    assert.equal(JSON.stringify(createSampleEvent('case.created', { seed: 42 })), a);
    assert.equal(JSON.stringify(createSampleEvent('case.created', { seed: '42' })), a);
    assert.notEqual(JSON.stringify(createSampleEvent('case.created', { seed: 43 })), a);
  });

  it('gives different names different event ids under the same seed', () => {
    const ids = new Set(EVENT_NAMES.map((name) => createSampleEvent(name, { seed: 1 }).data.id));
    assert.equal(ids.size, EVENT_NAMES.length);
  });

  it('makes fresh ids on every call without a seed', () => {
    assert.notEqual(createSampleEvent('inquiry.created').data.id, createSampleEvent('inquiry.created').data.id);
  });

  it('uses the given id, createdAt, resourceId and resourceType', () => {
    const envelope = createSampleEvent('verification.passed', {
      id: 'evt_given',
      createdAt: '2026-03-01T10:00:00.000Z',
      resourceId: 'ver_given',
      resourceType: 'verification/selfie',
    });
    const event = parseEvent(JSON.stringify(envelope));
    assert.equal(event.id, 'evt_given');
    assert.equal(event.createdAt.toISOString(), '2026-03-01T10:00:00.000Z');
    assert.equal(event.payload.data.id, 'ver_given');
    assert.equal(event.payload.data.type, 'verification/selfie');
  });

  it('merges attribute overrides written in any inflection, converting their keys with the rest', () => {
    const camel = dataOf(
      createSampleEvent('inquiry.approved', { inflection: 'camel', attributes: { 'reference-id': 'customer-7' } }),
    ).attributes;
    assert.equal(camel.referenceId, 'customer-7');
    assert.equal(camel.status, 'approved');
    assert.equal(camel['reference-id'], undefined);
    const kebab = dataOf(
      createSampleEvent('inquiry.approved', { attributes: { referenceId: 'customer-8' } }),
    ).attributes;
    assert.equal(kebab['reference-id'], 'customer-8');
    assert.equal(kebab.referenceId, undefined);
  });

  it('replaces or removes the context, and takes a given included list', () => {
    const replaced = parseEvent(
      JSON.stringify(
        createSampleEvent('inquiry.updated-tags', { context: { custom: 1 }, included: [{ type: 'x', id: 'x_1' }] }),
      ),
    );
    assert.deepEqual(replaced.context, { custom: 1 });
    assert.deepEqual(replaced.payload.included, [{ type: 'x', id: 'x_1' }]);
    const removed = parseEvent(JSON.stringify(createSampleEvent('inquiry.updated-tags', { context: null })));
    assert.equal(removed.context, undefined);
  });

  for (const inflection of INFLECTIONS) {
    it(`pads the ${inflection} body to exactly the requested size with included objects`, () => {
      for (const [name, size] of [
        ['report/watchlist.ready', 4096],
        ['inquiry.approved', 8 * 1024],
        ['inquiry.approved', 64 * 1024],
        ['case.created', 10_000],
      ] as const) {
        const envelope = createSampleEvent(name, { inflection, payloadSize: size, seed: 5 });
        const body = JSON.stringify(envelope);
        assert.equal(new TextEncoder().encode(body).length, size, `${name} at ${size}`);
        const event = parseEvent(body);
        assert.equal(event.name, name);
        assert.ok(event.payload.included.length > 0, name);
        for (const item of event.payload.included) assert.match(item.id, BASE58_ID);
      }
    });
  }

  it('stays at its bare size when the requested size is below it', () => {
    const bare = JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1 })).length;
    const body = JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1, payloadSize: 100 }));
    assert.equal(body.length, bare);
  });

  it('rejects malformed names and options with invalid_options', () => {
    const bad: [string, object][] = [
      ['inquiry', {}],
      ['', {}],
      ['.approved', {}],
      ['inquiry. approved', {}],
      ['inquiry.approved', { payloadSize: 0 }],
      ['inquiry.approved', { payloadSize: 1.5 }],
      ['inquiry.approved', { createdAt: 'not a date' }],
      ['inquiry.approved', { inflection: 'pascal' }],
      ['inquiry.approved', { apiVersion: '2021-07-05' }],
    ];
    for (const [name, options] of bad) {
      assert.throws(
        () => createSampleEvent(name, options),
        (error: unknown) => error instanceof PersonaWebhookError && error.code === 'invalid_options',
        `${name} ${JSON.stringify(options)}`,
      );
    }
  });
});

describe('inflectKeys', () => {
  it('converts keys recursively and leaves values alone', () => {
    const input = {
      'created-at': 'x',
      fields: { 'address-street-1': { type: 'string' } },
      list: [{ 'has-match': 'a-b' }],
    };
    assert.deepEqual(inflectKeys(input, 'camel'), {
      createdAt: 'x',
      fields: { addressStreet1: { type: 'string' } },
      list: [{ hasMatch: 'a-b' }],
    });
    assert.deepEqual(inflectKeys(input, 'snake'), {
      created_at: 'x',
      fields: { address_street_1: { type: 'string' } },
      list: [{ has_match: 'a-b' }],
    });
    assert.deepEqual(inflectKeys(input, 'kebab'), input);
  });

  it('leaves the keys inside `fields` alone from API version 2025-10-27 on', () => {
    const input = { 'created-at': 'x', fields: { 'name-first': { type: 'string' }, street_1: {} } };
    assert.deepEqual(inflectKeys(input, 'camel', { apiVersion: '2025-12-08' }), {
      createdAt: 'x',
      fields: { 'name-first': { type: 'string' }, street_1: {} },
    });
    assert.deepEqual(inflectKeys(input, 'camel', { apiVersion: '2023-01-05' }), {
      createdAt: 'x',
      fields: { nameFirst: { type: 'string' }, street1: {} },
    });
  });

  it('reads keys written in any inflection', () => {
    assert.equal(inflectKey('createdAt', 'kebab'), 'created-at');
    assert.equal(inflectKey('created_at', 'camel'), 'createdAt');
    assert.equal(inflectKey('status', 'snake'), 'status');
  });
});
