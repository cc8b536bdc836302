// createSampleEvent: a realistic envelope for every known name, in every key inflection.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PersonaWebhookError } from '../../src/errors.js';
import { EVENT_NAMES } from '../../src/events/names.js';
import { type KeyInflection, parseEvent } from '../../src/events/parse.js';
import type { PersonaResource } from '../../src/events/resources.js';
import { createSampleEvent, inflectKey, inflectKeys } from '../../src/testing/index.js';

const INFLECTIONS: readonly KeyInflection[] = ['kebab', 'camel', 'snake'];
const OPAQUE_ID = /^[a-z]+_[1-9A-HJ-NP-Za-km-z]{24}$/;
const PREFIXES: Readonly<Record<string, string>> = {
  inquiry: 'inq_',
  verification: 'ver_',
  report: 'rep_',
  case: 'case_',
  account: 'act_',
  transaction: 'txn_',
  document: 'doc_',
  selfie: 'self_',
  'workflow-run': 'wfr_',
};

function familyOf(name: string): string {
  return name.slice(0, name.indexOf('.'));
}

/** The resource type a name's family implies, written independently of the implementation. */
function typeMatchesFamily(name: string, type: string): boolean {
  const family = familyOf(name);
  if (family.includes('/')) return type === family; // report/<kind>, connect/share-token
  if (family === 'verification' || family === 'document' || family === 'selfie') return type.startsWith(`${family}/`);
  return type === family;
}

function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysOf(v, out);
    }
  return out;
}

function attributesOf(envelope: unknown): Record<string, unknown> {
  const event = parseEvent(JSON.stringify(envelope));
  return event.payload.data.attributes as Record<string, unknown>;
}

describe('createSampleEvent for every event name', () => {
  it('covers the 250 known names', () => {
    assert.equal(EVENT_NAMES.length, 250);
  });

  for (const inflection of INFLECTIONS) {
    it(`produces ${inflection} envelopes that parseEvent accepts with the right name, type and ids`, () => {
      for (const name of EVENT_NAMES) {
        const envelope = createSampleEvent(name, { inflection, seed: name });
        const event = parseEvent(JSON.stringify(envelope));
        assert.equal(event.name, name);
        assert.equal(event.inflection, inflection, name);
        assert.match(event.id, /^evt_/, name);
        assert.ok(Math.abs(event.createdAt.getTime() - Date.UTC(2026, 0, 1)) < 60 * 86_400_000, name);
        const data: PersonaResource = event.payload.data;
        assert.ok(typeMatchesFamily(name, data.type), `${name}: type ${data.type}`);
        const family = familyOf(name);
        const prefix = PREFIXES[family.startsWith('report/') ? 'report' : family];
        if (prefix !== undefined) assert.ok(data.id.startsWith(prefix), `${name}: id ${data.id}`);
        assert.match(data.id, OPAQUE_ID, name);
        assert.ok(Array.isArray(event.payload.included), name);
        const createdKey = inflectKey('created-at', inflection);
        const created = data.attributes[createdKey];
        assert.equal(typeof created, 'string', `${name}: ${createdKey}`);
        assert.ok(!Number.isNaN(Date.parse(created as string)), name);
        assert.ok(
          Date.parse(created as string) <= event.createdAt.getTime(),
          `${name}: object created after the event`,
        );
      }
    });
  }

  it('spells every key of the envelope in the chosen inflection', () => {
    for (const name of EVENT_NAMES) {
      const kebab = keysOf(createSampleEvent(name, { seed: 3 }));
      const camel = keysOf(createSampleEvent(name, { seed: 3, inflection: 'camel' }));
      const snake = keysOf(createSampleEvent(name, { seed: 3, inflection: 'snake' }));
      assert.equal(
        kebab.filter((k) => /[_A-Z]/.test(k)).length,
        0,
        `${name} kebab: ${kebab.filter((k) => /[_A-Z]/.test(k))}`,
      );
      assert.equal(camel.filter((k) => /[-_]/.test(k)).length, 0, `${name} camel`);
      assert.equal(snake.filter((k) => /[-A-Z]/.test(k)).length, 0, `${name} snake`);
      assert.equal(camel.length, kebab.length, name);
      assert.deepEqual(
        snake,
        kebab.map((k) => k.replace(/-/g, '_')),
        name,
      );
    }
  });

  it('gives report events the report/<kind> type from the name, including crypto_address', () => {
    assert.equal(createSampleEvent('report/watchlist.ready').data.attributes.payload.data.type, 'report/watchlist');
    assert.equal(
      createSampleEvent('report/crypto_address.ready').data.attributes.payload.data.type,
      'report/crypto_address',
    );
  });

  it('gives unknown families a generic object that still parses', () => {
    const event = parseEvent(JSON.stringify(createSampleEvent('widget.exploded', { inflection: 'camel' })));
    assert.equal(event.payload.data.type, 'widget');
    assert.match(event.payload.data.id, OPAQUE_ID);
  });
});

describe('createSampleEvent attributes follow the event', () => {
  const inquiryCases: [string, string, string | null][] = [
    ['inquiry.created', 'created', null],
    ['inquiry.started', 'pending', null],
    ['inquiry.completed', 'completed', 'completed-at'],
    ['inquiry.failed', 'failed', 'failed-at'],
    ['inquiry.expired', 'expired', 'expired-at'],
    ['inquiry.marked-for-review', 'needs_review', 'marked-for-review-at'],
    ['inquiry.approved', 'approved', 'decisioned-at'],
    ['inquiry.declined', 'declined', 'decisioned-at'],
  ];
  for (const [name, status, stamp] of inquiryCases) {
    it(`sets ${name} to status ${status}${stamp === null ? '' : ` with ${stamp}`}`, () => {
      const attributes = attributesOf(createSampleEvent(name));
      assert.equal(attributes.status, status);
      if (stamp !== null) assert.equal(typeof attributes[stamp], 'string');
      if (status !== 'approved' && status !== 'declined') assert.equal(attributes['decisioned-at'], null);
    });
  }

  it('keeps the status and nulls personal data on inquiry.redacted', () => {
    const attributes = attributesOf(createSampleEvent('inquiry.redacted'));
    assert.equal(typeof attributes['redacted-at'], 'string');
    assert.equal(typeof attributes.status, 'string');
    assert.equal(attributes['name-first'], null);
    assert.equal(attributes.birthdate, null);
    assert.deepEqual(attributes.tags, []);
    const fields = attributes.fields as Record<string, { value: unknown }>;
    assert.equal(fields['name-first']?.value, null);
  });

  it('marks a matched report with has-match and a dismissed one without', () => {
    assert.equal(attributesOf(createSampleEvent('report/watchlist.matched'))['has-match'], true);
    assert.equal(attributesOf(createSampleEvent('report/watchlist.dismissed'))['has-match'], false);
    assert.equal(attributesOf(createSampleEvent('report/watchlist.errored')).status, 'errored');
    assert.equal(attributesOf(createSampleEvent('report/middesk.submitted')).status, 'pending');
  });

  it('sets verification statuses from the event', () => {
    assert.equal(attributesOf(createSampleEvent('verification.passed')).status, 'passed');
    assert.equal(attributesOf(createSampleEvent('verification.failed')).status, 'failed');
    assert.equal(attributesOf(createSampleEvent('verification.requires-retry')).status, 'requires_retry');
    assert.equal(attributesOf(createSampleEvent('verification.created')).status, 'initiated');
  });

  it('links the inquiry to the included verification and account by id', () => {
    const envelope = createSampleEvent('inquiry.approved', { seed: 11 });
    const { data, included } = envelope.data.attributes.payload;
    const rel = data.relationships ?? {};
    const verification = rel.verifications?.data;
    const account = rel.account?.data;
    assert.ok(Array.isArray(verification) && verification.length === 1);
    assert.ok(account !== null && account !== undefined && 'id' in account);
    const ids = included.map((r) => `${r.type}:${r.id}`);
    assert.ok(ids.includes(`${verification[0]?.type}:${verification[0]?.id}`));
    assert.ok(ids.includes(`account:${account.id}`));
  });

  it('adds a context to updated-tags and relation events, in the chosen inflection', () => {
    const tags = parseEvent(JSON.stringify(createSampleEvent('inquiry.updated-tags')));
    assert.deepEqual(Object.keys(tags.context ?? {}), ['added-tags', 'removed-tags']);
    const relation = parseEvent(JSON.stringify(createSampleEvent('account.added-relation', { inflection: 'snake' })));
    assert.equal(relation.context?.relation_schema_key, 'business-owner');
    assert.match(String(relation.context?.related_account_id), /^act_/);
    assert.equal(parseEvent(JSON.stringify(createSampleEvent('inquiry.approved'))).context, undefined);
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

  it('merges attribute overrides and converts their keys with the rest', () => {
    const envelope = createSampleEvent('inquiry.approved', {
      inflection: 'camel',
      attributes: { 'reference-id': 'customer-7', note: 'hi' },
    });
    const attributes = attributesOf(envelope);
    assert.equal(attributes.referenceId, 'customer-7');
    assert.equal(attributes.note, 'hi');
    assert.equal(attributes.status, 'approved');
    assert.equal(attributes['reference-id'], undefined);
  });

  it('converts override keys written in another inflection to the chosen one', () => {
    const attributes = attributesOf(
      createSampleEvent('inquiry.approved', { attributes: { referenceId: 'customer-8' } }),
    );
    assert.equal(attributes['reference-id'], 'customer-8');
    assert.equal(attributes.referenceId, undefined);
  });

  it('replaces or removes the context and the included objects on request', () => {
    const replaced = parseEvent(
      JSON.stringify(createSampleEvent('inquiry.updated-tags', { context: { custom: 1 }, included: [] })),
    );
    assert.deepEqual(replaced.context, { custom: 1 });
    assert.deepEqual(replaced.payload.included, []);
    const removed = parseEvent(JSON.stringify(createSampleEvent('inquiry.updated-tags', { context: null })));
    assert.equal(removed.context, undefined);
  });

  for (const inflection of INFLECTIONS) {
    it(`pads the ${inflection} body to exactly the requested size with included objects`, () => {
      for (const [name, size] of [
        ['report/watchlist.ready', 1024],
        ['inquiry.approved', 8 * 1024],
        ['inquiry.approved', 64 * 1024],
        ['case.created', 10_000],
      ] as const) {
        const envelope = createSampleEvent(name, { inflection, payloadSize: size, seed: 5 });
        const body = JSON.stringify(envelope);
        assert.equal(new TextEncoder().encode(body).length, size, `${name} at ${size}`);
        const event = parseEvent(body);
        assert.equal(event.name, name);
        for (const item of event.payload.included) assert.match(item.id, OPAQUE_ID);
      }
    });
  }

  it('drops the generated included objects when the requested size is below the full event', () => {
    const bare = JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1, included: [] })).length;
    const body = JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1, payloadSize: 1024 }));
    assert.ok(body.length <= bare, `${body.length} > ${bare}`);
    assert.equal(parseEvent(body).payload.included.length, 0);
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

  it('reads keys written in any inflection', () => {
    assert.equal(inflectKey('createdAt', 'kebab'), 'created-at');
    assert.equal(inflectKey('created_at', 'camel'), 'createdAt');
    assert.equal(inflectKey('status', 'snake'), 'status');
  });
});
