// Payload types per event name, API version and key inflection. Most assertions here are checked by
// `npm run typecheck` (CI type-checks the whole repository): a broken type fails the type-check, and each
// `@ts-expect-error` fails it too if the line it marks ever compiles.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as PersonaSpec20230105 from '../../src/events/generated/v2023-01-05.js';
import type * as PersonaSpec20251208 from '../../src/events/generated/v2025-12-08.js';
import type { EventName } from '../../src/events/names.js';
import { isEvent, type KnownPersonaEvent } from '../../src/events/narrow.js';
import { type PersonaEvent, parseEvent } from '../../src/events/parse.js';
import type {
  Account,
  Case,
  EventContext,
  EventPayload,
  Inquiry,
  InquiryStatus,
  PersonaResource,
  Report,
  ResourceForEvent,
  Transaction,
  Verification,
} from '../../src/index.js';
import { createSampleEvent } from '../../src/testing/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

// The default is API version 2025-12-08, kebab-case keys.
expectType<Equal<PersonaEvent<'inquiry.approved'>['payload']['data'], Inquiry>>();
expectType<Equal<Inquiry, Inquiry<'2025-12-08', 'kebab'>>>();
expectType<Equal<Inquiry, PersonaSpec20251208.Inquiry>>();
expectType<Equal<Inquiry<'2023-01-05'>, PersonaSpec20230105.Inquiry>>();
expectType<Equal<EventPayload<'inquiry.marked-for-review'>['data'], Inquiry>>();
expectType<Equal<ResourceForEvent<'verification.passed'>, Verification>>();
expectType<Equal<ResourceForEvent<'report/watchlist.matched'>, PersonaSpec20251208.ReportWatchlist>>();
expectType<Equal<ResourceForEvent<'case.resolved'>, Case>>();
expectType<Equal<ResourceForEvent<'account.added-relation'>, Account>>();
expectType<Equal<ResourceForEvent<'transaction.status-updated'>, Transaction>>();
// Persona's own type for sentilink scores reports.
expectType<Equal<ResourceForEvent<'report/sentilink-scores.ready'>['type'], 'report/integration/sentilink-scores'>>();
// Names without a webhook in the spec: the resource's schema, or a resource of the family's type.
expectType<Equal<ResourceForEvent<'workflow-run.completed'>, PersonaSpec20251208.WorkflowRun>>();
expectType<Equal<ResourceForEvent<'report/middesk.ready'>['type'], 'report/middesk'>>();
// Unknown names pass through with the generic resource; a union of names gives a union of resources.
expectType<Equal<ResourceForEvent<'widget.exploded'>, PersonaResource>>();
expectType<Equal<ResourceForEvent<'inquiry.approved' | 'case.created'>, Inquiry | Case>>();
// Statuses stay open: values Persona adds later still compile.
expectType<Equal<Extract<InquiryStatus, 'approved'>, 'approved'>>();
const futureStatus: InquiryStatus = 'some_future_status';
const futureVerificationStatus: Verification['attributes']['status'] = 'some_future_status';
const tentative: Verification['attributes']['status'] = 'tentatively_passed';
const workflowRunning: ResourceForEvent<'workflow-run.created'>['attributes']['status'] = 'in_progress';
// Every resource fits the generic one (a handler for any event can take `payload.data` as a PersonaResource).
const generic: PersonaResource = {} as Inquiry<'2023-01-05', 'snake'>;
// A narrowed event is still an event (handlers typed for one name fit where any event is expected).
const narrowed = {} as PersonaEvent<'inquiry.approved'>;
const wide: PersonaEvent = narrowed;
const anyKnown = {} as PersonaEvent<EventName>;
const wideAgain: PersonaEvent = anyKnown;

// 2025-12-08: personal data only in `fields`; 2023-01-05: also top-level attributes.
function newFirstName(event: PersonaEvent<'inquiry.approved', '2025-12-08'>): string | null | undefined {
  // @ts-expect-error 2025-12-08 inquiries carry no top-level name (only an open `unknown`)
  const topLevel: string | null | undefined = event.payload.data.attributes['name-first'];
  void topLevel;
  return event.payload.data.attributes.fields['name-first']?.value;
}
function oldFirstName(event: PersonaEvent<'inquiry.approved', '2023-01-05'>): string | null | undefined {
  return event.payload.data.attributes['name-first'];
}

// Camel and snake webhooks get camel and snake keys, everywhere but inside `fields` from 2025-10-27 on.
function camelNew(event: PersonaEvent<'account.created', '2025-12-08', 'camel'>): string | null | undefined {
  const attributes = event.payload.data.attributes;
  // @ts-expect-error a camel webhook has no kebab keys (an unknown attribute reads as `unknown`)
  const kebab: string | null | undefined = attributes['reference-id'];
  void kebab;
  const reference: string | null | undefined = attributes.referenceId;
  void reference;
  // @ts-expect-error 2025-12-08 keeps `fields` keys as the template wrote them: no re-cased `street1`
  const recased: string | null | undefined = attributes.fields?.address?.value?.street1?.value;
  void recased;
  return attributes.fields?.address?.value?.street_1?.value;
}
function camelOld(event: PersonaEvent<'account.created', '2023-01-05', 'camel'>): string | null | undefined {
  const fields = event.payload.data.attributes.fields;
  // @ts-expect-error 2023-01-05 re-cases `fields` keys too
  const verbatim: string | null | undefined = fields?.address?.value?.street_1?.value;
  void verbatim;
  return fields?.address?.value?.street1?.value;
}
function snakeOld(event: PersonaEvent<'inquiry.approved', '2023-01-05', 'snake'>): string | null | undefined {
  const attributes = event.payload.data.attributes;
  const decided: string | null = attributes.decisioned_at;
  void decided;
  // @ts-expect-error a snake webhook has no camel keys
  const camel: string | null = attributes.decisionedAt;
  void camel;
  return attributes.name_first ?? attributes.fields.name_first?.value;
}
function snakeNew(event: PersonaEvent<'inquiry.approved', '2025-12-08', 'snake'>): string | null | undefined {
  // @ts-expect-error in 2025-12-08 the template's `name-first` stays `name-first`, even in a snake webhook
  const recased: string | null | undefined = event.payload.data.attributes.fields.name_first?.value;
  void recased;
  return event.payload.data.attributes.fields['name-first']?.value;
}

// Context: tags on updated-tags; relation events accept the spec's and the changelog's spellings.
function addedTags(context: EventContext<'inquiry.updated-tags'>): readonly string[] | undefined {
  return context['added-tags'];
}
function relatedAccount(context: EventContext<'account.added-relation', '2025-12-08', 'camel'>) {
  return context.targetAccountId ?? context.relatedAccountId;
}

function misuse(event: PersonaEvent<'inquiry.approved'>): void {
  // @ts-expect-error an inquiry is not a report
  const report: Report = event.payload.data;
  // @ts-expect-error a narrowed event cannot claim another name
  const other: PersonaEvent<'inquiry.declined'> = event;
  // @ts-expect-error nor another API version
  const older: PersonaEvent<'inquiry.approved', '2023-01-05'> = event;
  void report;
  void other;
  void older;
}

describe('typed payloads', () => {
  it('reads fields of a 2025-12-08 inquiry and top-level names of a 2023-01-05 one', () => {
    const current = createSampleEvent('inquiry.approved', { seed: 1 });
    const event = parseEvent(JSON.stringify(current)) as PersonaEvent<'inquiry.approved'>;
    assert.equal(typeof newFirstName(event), 'string');
    assert.equal(event.payload.data.attributes['name-first'], undefined);
    const old = parseEvent(
      JSON.stringify(createSampleEvent('inquiry.approved', { seed: 1, apiVersion: '2023-01-05' })),
    );
    assert.equal(typeof oldFirstName(old as never), 'string');
  });

  it('reads camel and snake keys where the types put them', () => {
    const camel = parseEvent(JSON.stringify(createSampleEvent('account.created', { seed: 2, inflection: 'camel' })));
    assert.equal(typeof camelNew(camel as never), 'string');
    const old = createSampleEvent('account.created', { seed: 2, inflection: 'camel', apiVersion: '2023-01-05' });
    assert.equal(typeof camelOld(parseEvent(JSON.stringify(old)) as never), 'string');
    const snake = createSampleEvent('inquiry.approved', { seed: 3, inflection: 'snake', apiVersion: '2023-01-05' });
    assert.equal(typeof snakeOld(parseEvent(JSON.stringify(snake)) as never), 'string');
    const snakeCurrent = createSampleEvent('inquiry.approved', { seed: 3, inflection: 'snake' });
    assert.equal(typeof snakeNew(parseEvent(JSON.stringify(snakeCurrent)) as never), 'string');
  });

  it('reads context where the types put it', () => {
    const tags = parseEvent(JSON.stringify(createSampleEvent('inquiry.updated-tags', { seed: 4 })));
    assert.ok(Array.isArray(addedTags(tags.context as EventContext<'inquiry.updated-tags'>)));
    const relation = parseEvent(
      JSON.stringify(createSampleEvent('account.added-relation', { seed: 4, inflection: 'camel' })),
    );
    assert.match(String(relatedAccount(relation.context as never)), /^act_/);
  });

  it('accepts unknown attribute names and status values at run time and in types', () => {
    const envelope = createSampleEvent('inquiry.approved', {
      attributes: { status: futureStatus, 'brand-new-attribute': 42 },
    });
    const data = envelope.data.attributes.payload.data;
    assert.equal(data.attributes.status, 'some_future_status');
    assert.equal(data.attributes['brand-new-attribute'], 42);
    assert.equal(futureVerificationStatus, 'some_future_status');
    assert.equal(tentative, 'tentatively_passed');
    assert.equal(workflowRunning, 'in_progress');
    assert.equal(generic, generic);
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
    expectType<Equal<typeof event.payload.data, PersonaSpec20251208.ReportWatchlist>>();
    assert.equal(event.payload.data.attributes['has-match'], true);
  });
});

describe('sample envelopes are typed by name, version and inflection', () => {
  it('types kebab, camel and snake sample envelopes', () => {
    const kebab = createSampleEvent('case.resolved');
    expectType<Equal<typeof kebab.data.attributes.payload.data, Case>>();
    const camel = createSampleEvent('case.resolved', { inflection: 'camel', apiVersion: '2023-01-05' });
    expectType<Equal<typeof camel.data.attributes.payload.data, Case<'2023-01-05', 'camel'>>>();
    assert.equal(typeof camel.data.attributes.createdAt, 'string');
    assert.equal(typeof camel.data.attributes.payload.data.attributes.createdAt, 'string');
    const snake = createSampleEvent('case.resolved', { inflection: 'snake' });
    assert.equal(typeof snake.data.attributes.created_at, 'string');
    assert.equal(typeof snake.data.attributes.payload.data.attributes.created_at, 'string');
  });
});
