// Payload narrowing by event name. Most assertions here are checked by `tsc -p tsconfig.json` (CI type-checks
// the whole repository): a broken narrowing fails the type-check, not only this run.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventName } from '../../src/events/names.js';
import { isEvent, type KnownPersonaEvent } from '../../src/events/narrow.js';
import { type PersonaEvent, parseEvent } from '../../src/events/parse.js';
import type {
  Account,
  Case,
  EventPayload,
  Inquiry,
  InquiryStatus,
  PersonaResource,
  Report,
  ResourceForEvent,
  Transaction,
  Verification,
} from '../../src/events/resources.js';
import { createSampleEvent } from '../../src/testing/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// Inquiry events.
expectType<Equal<PersonaEvent<'inquiry.approved'>['payload']['data'], Inquiry>>();
expectType<Equal<PersonaEvent<'inquiry.redacted'>['payload']['data'], Inquiry>>();
expectType<Equal<EventPayload<'inquiry.marked-for-review'>['data'], Inquiry>>();
// Other families.
expectType<Equal<ResourceForEvent<'verification.passed'>, Verification>>();
expectType<Equal<ResourceForEvent<'report/watchlist.matched'>, Report>>();
expectType<Equal<ResourceForEvent<'report/crypto_address.ready'>, Report>>();
expectType<Equal<ResourceForEvent<'case.resolved'>, Case>>();
expectType<Equal<ResourceForEvent<'account.added-relation'>, Account>>();
expectType<Equal<ResourceForEvent<'transaction.status-updated'>, Transaction>>();
// Look-alike families are not narrowed: the family is the text before the first dot.
expectType<Equal<ResourceForEvent<'inquiry-session.started'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'case-comment.created'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'account-type.deleted-field'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'transaction-type.deleted-field'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'workflow-run.completed'>, PersonaResource>>();
// Unknown names pass through with the generic resource; a union of names gives a union of resources.
expectType<Equal<ResourceForEvent<'widget.exploded'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'inquiry.approved' | 'case.created'>, Inquiry | Case>>();
// Status and type strings stay open: values Persona adds later still compile.
expectType<Equal<Extract<InquiryStatus, 'approved'>, 'approved'>>();
const futureStatus: InquiryStatus = 'some_future_status';
const futureKind: Verification['type'] = 'verification/some-future-kind';
// A narrowed event is still an event (handlers typed for one name fit where any event is expected).
const narrowed = {} as PersonaEvent<'inquiry.approved'>;
const wide: PersonaEvent = narrowed;
const anyKnown = {} as PersonaEvent<EventName>;
const wideAgain: PersonaEvent = anyKnown;

function statusOf(event: PersonaEvent<'inquiry.approved'>): InquiryStatus {
  return event.payload.data.attributes.status;
}

function hasMatch(event: PersonaEvent<'report/watchlist.matched'>): boolean | null | undefined {
  return event.payload.data.attributes['has-match'];
}

function misuse(event: PersonaEvent<'inquiry.approved'>): void {
  // @ts-expect-error an inquiry is not a report
  const report: Report = event.payload.data;
  // @ts-expect-error a narrowed event cannot claim another name
  const other: PersonaEvent<'inquiry.declined'> = event;
  void report;
  void other;
}

describe('typed payloads', () => {
  it('reads an inquiry status through the narrowed type', () => {
    const event = parseEvent(JSON.stringify(createSampleEvent('inquiry.approved'))) as PersonaEvent<'inquiry.approved'>;
    assert.equal(statusOf(event), 'approved');
    assert.equal(event.payload.data.type, 'inquiry');
  });

  it('reads has-match on a matched watchlist report', () => {
    const event = parseEvent(
      JSON.stringify(createSampleEvent('report/watchlist.matched')),
    ) as PersonaEvent<'report/watchlist.matched'>;
    assert.equal(hasMatch(event), true);
  });

  it('accepts unknown attribute names and status values at run time and in types', () => {
    const envelope = createSampleEvent('inquiry.approved', {
      attributes: { status: futureStatus, 'brand-new-attribute': 42 },
    });
    const data = envelope.data.attributes.payload.data;
    assert.equal(data.attributes.status, 'some_future_status');
    assert.equal(data.attributes['brand-new-attribute'], 42);
    assert.equal(futureKind.startsWith('verification/'), true);
    assert.equal(wide, narrowed);
    assert.equal(wideAgain, anyKnown);
    assert.equal(typeof misuse, 'function');
  });
});

describe('isEvent', () => {
  it('narrows a parsed event to the payload of the matching name', () => {
    const event: PersonaEvent = parseEvent(JSON.stringify(createSampleEvent('inquiry.declined')));
    if (!isEvent(event, 'inquiry.approved', 'inquiry.declined')) assert.fail('inquiry.declined should match');
    expectType<Equal<typeof event.payload.data, Inquiry>>();
    const status: InquiryStatus = event.payload.data.attributes.status;
    assert.equal(status, 'declined');
  });

  it('does not match other names, unknown ones included', () => {
    const event = parseEvent(JSON.stringify(createSampleEvent('widget.exploded')));
    assert.equal(isEvent(event, 'inquiry.approved'), false);
    assert.equal(isEvent(event, 'widget.exploded'), true);
    assert.equal(isEvent(event), false);
  });

  it('narrows a KnownPersonaEvent union by comparing its name', () => {
    const event = parseEvent(JSON.stringify(createSampleEvent('report/watchlist.matched'))) as KnownPersonaEvent;
    if (event.name !== 'report/watchlist.matched') assert.fail('wrong name');
    expectType<Equal<typeof event.payload.data, Report>>();
    assert.equal(event.payload.data.attributes['has-match'], true);
  });
});

describe('sample envelopes are typed by name', () => {
  it('types a kebab sample payload by its event name and leaves inflected ones untyped', () => {
    const kebab = createSampleEvent('case.resolved');
    expectType<Equal<typeof kebab.data.attributes.payload.data, Case>>();
    assert.equal(kebab.data.attributes.payload.data.attributes.status, 'approved');
    const camel = createSampleEvent('case.resolved', { inflection: 'camel' });
    expectType<Equal<typeof camel.data.attributes.name, string>>();
    assert.equal(typeof camel.data.attributes.createdAt, 'string');
  });
});
