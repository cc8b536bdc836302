// Plausible Persona objects per event family, in kebab-case (the inflection is applied afterwards).
// Shapes follow Persona's API reference (FACTS.md §3); id prefixes beyond inq_/ver_/rep_/act_/txn_/evt_ are
// opaque in Persona's docs, so the less common ones here are plausible, not authoritative.
import type { Relationship } from '../events/resources.js';
import type { SampleRandom } from './random.js';

/** @internal A resource in kebab-case, before inflection. */
export interface SampleResource {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, Relationship>;
}

/** @internal Everything a family builder needs to make a consistent object. */
export interface SampleContext {
  readonly name: string;
  readonly family: string;
  readonly action: string;
  readonly type: string;
  readonly id: string;
  /** The event's time, in ms since the epoch: the object's timestamps are placed before it. */
  readonly at: number;
  readonly rnd: SampleRandom;
  readonly person: SamplePerson;
  readonly accountId: string;
  readonly inquiryId: string;
  /** The inquiry's verification: its relationship and its included object share this id. */
  readonly verificationId: string;
}

/** @internal The made-up person every object of one sample event is about. */
export interface SamplePerson {
  readonly first: string;
  readonly middle: string | null;
  readonly last: string;
  readonly birthdate: string;
  readonly street: string;
  readonly city: string;
  readonly subdivision: string;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly email: string;
  readonly phone: string;
  readonly idNumber: string;
  readonly referenceId: string;
}

interface FamilySpec {
  /** The resource `type` (may depend on the name, as for `report/<kind>`). */
  readonly type: (family: string) => string;
  readonly prefix: string;
  readonly build: (ctx: SampleContext) => Omit<SampleResource, 'type' | 'id'>;
  readonly included?: (ctx: SampleContext) => SampleResource[];
  readonly context?: (ctx: SampleContext) => Record<string, unknown> | undefined;
}

const FIRST = ['Jane', 'Alex', 'Maria', 'Kenji', 'Amara', 'Lukas', 'Priya', 'Mateo', 'Sofia', 'Omar'];
const LAST = ['Doe', 'Garcia', 'Nakamura', 'Okafor', 'Schmidt', 'Patel', 'Rossi', 'Haddad', 'Novak', 'Silva'];
const PLACES = [
  ['123 Main St', 'San Francisco', 'CA', '94111', 'US'],
  ['48 Elm Ave', 'Austin', 'TX', '73301', 'US'],
  ['9 Queen St W', 'Toronto', 'ON', 'M5H 2N2', 'CA'],
  ['Unter den Linden 5', 'Berlin', 'BE', '10117', 'DE'],
  ['221B Baker St', 'London', 'ENG', 'NW1 6XE', 'GB'],
] as const;
const MIDDLE = ['Marie', null, 'Lee', null, 'Ann'];

/** @internal Makes up one person, deterministically from the generator. */
export function createSamplePerson(rnd: SampleRandom): SamplePerson {
  const first = rnd.pick(FIRST);
  const last = rnd.pick(LAST);
  const place = rnd.pick(PLACES);
  const year = 1960 + rnd.int(45);
  const month = String(1 + rnd.int(12)).padStart(2, '0');
  const day = String(1 + rnd.int(28)).padStart(2, '0');
  const digits = (n: number) => Array.from({ length: n }, () => rnd.int(10)).join('');
  return {
    first,
    middle: rnd.pick(MIDDLE),
    last,
    birthdate: `${year}-${month}-${day}`,
    street: place[0],
    city: place[1],
    subdivision: place[2],
    postalCode: place[3],
    countryCode: place[4],
    email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
    phone: `+1415555${digits(4)}`,
    idNumber: `D${digits(7)}`,
    referenceId: `user_${digits(6)}`,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Seconds before the event at which the object was created: a few minutes for most flows. */
function createdMs(ctx: SampleContext): number {
  return ctx.action === 'created' ? ctx.at : ctx.at - 60_000 * (3 + ctx.rnd.int(20));
}

function one(type: string, id: string): Relationship {
  return { data: { type, id } };
}

function many(...items: [string, string][]): Relationship {
  return { data: items.map(([type, id]) => ({ type, id })) };
}

function personFields(p: SamplePerson): Record<string, { type: string; value: unknown }> {
  return {
    'name-first': { type: 'string', value: p.first },
    'name-middle': { type: 'string', value: p.middle },
    'name-last': { type: 'string', value: p.last },
    birthdate: { type: 'date', value: p.birthdate },
    'address-street-1': { type: 'string', value: p.street },
    'address-street-2': { type: 'string', value: null },
    'address-city': { type: 'string', value: p.city },
    'address-subdivision': { type: 'string', value: p.subdivision },
    'address-postal-code': { type: 'string', value: p.postalCode },
    'address-country-code': { type: 'string', value: p.countryCode },
    'email-address': { type: 'string', value: p.email },
    'phone-number': { type: 'string', value: p.phone },
    'identification-number': { type: 'string', value: p.idNumber },
  };
}

function personAttributes(p: SamplePerson): Record<string, unknown> {
  return {
    'name-first': p.first,
    'name-middle': p.middle,
    'name-last': p.last,
    birthdate: p.birthdate,
    'address-street-1': p.street,
    'address-street-2': null,
    'address-city': p.city,
    'address-subdivision': p.subdivision,
    'address-postal-code': p.postalCode,
    'address-country-code': p.countryCode,
    'email-address': p.email,
    'phone-number': p.phone,
    'identification-number': p.idNumber,
  };
}

/** After redaction Persona nulls PII attributes and field values but keeps the status. */
function redact(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...attributes };
  for (const key of Object.keys(personAttributes(EMPTY_PERSON))) if (key in out) out[key] = null;
  if (out.fields !== undefined && out.fields !== null && typeof out.fields === 'object') {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(out.fields as Record<string, { type: string }>))
      fields[k] = { type: v.type, value: null };
    out.fields = fields;
  }
  if ('note' in out) out.note = null;
  if ('tags' in out) out.tags = [];
  return out;
}

const EMPTY_PERSON: SamplePerson = {
  first: '',
  middle: null,
  last: '',
  birthdate: '',
  street: '',
  city: '',
  subdivision: '',
  postalCode: '',
  countryCode: '',
  email: '',
  phone: '',
  idNumber: '',
  referenceId: '',
};

const INQUIRY_STATUS: Readonly<Record<string, string>> = {
  created: 'created',
  started: 'pending',
  transitioned: 'pending',
  completed: 'completed',
  failed: 'failed',
  expired: 'expired',
  'marked-for-review': 'needs_review',
  approved: 'approved',
  declined: 'declined',
  redacted: 'approved',
  'updated-tags': 'completed',
  'reusable-persona-created': 'completed',
  'reusable-persona-updated': 'completed',
  'reusable-persona-used': 'completed',
  'reusable-persona-assurance-failed': 'failed',
};

function tagsContext(ctx: SampleContext): Record<string, unknown> | undefined {
  if (ctx.action === 'updated-tags') return { 'added-tags': ['vip'], 'removed-tags': ['needs-manual-review'] };
  if (ctx.action === 'tag-added' || ctx.action === 'tag-removed') return { 'tag-name': 'vip' };
  return undefined;
}

// Relation events name the other object in their context: `related-account-id`, or `related-txn-id` when it is a
// transaction (https://docs.withpersona.com/changelog/2026/3/30). Tag context key names are not documented.
function relationContext(ctx: SampleContext): Record<string, unknown> | undefined {
  if (ctx.action === 'added-relation' || ctx.action === 'removed-relation') {
    return { 'relation-schema-key': 'business-owner', 'related-account-id': ctx.rnd.id('act_') };
  }
  return tagsContext(ctx);
}

function buildInquiry(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const status = INQUIRY_STATUS[ctx.action] ?? 'pending';
  const created = createdMs(ctx);
  const started = status === 'created' ? null : created + 20_000;
  const finished = ctx.at - 1_000;
  const done = ['completed', 'needs_review', 'approved', 'declined'].includes(status);
  const decisioned = status === 'approved' || status === 'declined';
  let attributes: Record<string, unknown> = {
    status,
    'reference-id': ctx.person.referenceId,
    note: null,
    behaviors: {
      'request-spoof-attempts': 0,
      'user-agent-spoof-attempts': 0,
      'distraction-events': ctx.rnd.int(3),
      'hesitation-baseline': 0,
      'hesitation-count': ctx.rnd.int(4),
      'hesitation-time': ctx.rnd.int(9000),
      'shortcut-copies': 0,
      'shortcut-pastes': 0,
      'autofill-cancels': 0,
      'autofill-starts': 0,
      'devtools-open': false,
      'completion-time': Math.round(5_000 + ctx.rnd.next() * 20_000) / 100,
      'hesitation-percentage': Math.round(ctx.rnd.next() * 3_000) / 100,
      'behavior-threat-level': 'low',
    },
    tags: ctx.action === 'updated-tags' ? ['vip'] : [],
    creator: 'API',
    'reviewer-comment': null,
    'created-at': iso(created),
    'updated-at': iso(finished),
    'started-at': started === null ? null : iso(started),
    'expires-at': iso(created + 24 * 3_600_000),
    'completed-at': done ? iso(finished - 60_000) : null,
    'failed-at': status === 'failed' ? iso(finished) : null,
    'marked-for-review-at': status === 'needs_review' ? iso(finished) : null,
    'decisioned-at': decisioned ? iso(finished) : null,
    'expired-at': status === 'expired' ? iso(finished) : null,
    'redacted-at': ctx.action === 'redacted' ? iso(ctx.at) : null,
    'previous-step-name': done ? 'verification_government_id' : 'start',
    'next-step-name': done || status === 'failed' || status === 'expired' ? 'success' : 'verification_government_id',
    ...personAttributes(ctx.person),
    fields: {
      ...personFields(ctx.person),
      'selected-country-code': { type: 'string', value: ctx.person.countryCode },
      'selected-id-class': { type: 'string', value: 'dl' },
    },
  };
  if (ctx.action === 'redacted') attributes = redact(attributes);
  return {
    attributes,
    relationships: {
      account: one('account', ctx.accountId),
      template: { data: null },
      'inquiry-template': one('inquiry-template', ctx.rnd.id('itmpl_')),
      'inquiry-template-version': one('inquiry-template-version', ctx.rnd.id('itmplv_')),
      reviewer: { data: decisioned ? { type: 'workflow-run', id: ctx.rnd.id('wfr_') } : null },
      reports: { data: [] },
      verifications: many(['verification/government-id', ctx.verificationId]),
      sessions: many(['inquiry-session', ctx.rnd.id('iqse_')]),
      documents: many(['document/government-id', ctx.rnd.id('doc_')]),
      selfies: { data: [] },
    },
  };
}

const VERIFICATION_STATUS: Readonly<Record<string, string>> = {
  created: 'initiated',
  submitted: 'submitted',
  passed: 'passed',
  failed: 'failed',
  'requires-retry': 'requires_retry',
  canceled: 'canceled',
  skipped: 'skipped',
  escalated: 'submitted',
  'tentatively-passed': 'submitted',
  'tentatively-failed': 'submitted',
  'updated-tags': 'passed',
};

const CHECKS = [
  'id_aamva_database_lookup',
  'id_barcode_detection',
  'id_blur_detection',
  'id_compromised_detection',
  'id_disallowed_country_detection',
  'id_expired_detection',
  'id_glare_detection',
  'id_inconsistent_repeat_detection',
  'id_portrait_clarity_detection',
  'id_tamper_detection',
];

/** @internal A verification object; also used as an inquiry's included object. */
export function buildVerification(ctx: SampleContext, status: string): Omit<SampleResource, 'type' | 'id'> {
  const created = createdMs(ctx);
  const submitted = status === 'initiated' ? null : created + 45_000;
  const completed = ['passed', 'failed', 'requires_retry', 'skipped'].includes(status) ? ctx.at - 2_000 : null;
  const failedCheck = status === 'failed' || status === 'requires_retry' ? 'id_expired_detection' : undefined;
  return {
    attributes: {
      status,
      'created-at': iso(created),
      'created-at-ts': Math.floor(created / 1000),
      'submitted-at': submitted === null ? null : iso(submitted),
      'submitted-at-ts': submitted === null ? null : Math.floor(submitted / 1000),
      'completed-at': completed === null ? null : iso(completed),
      'completed-at-ts': completed === null ? null : Math.floor(completed / 1000),
      'redacted-at': null,
      'country-code': ctx.person.countryCode,
      'entity-confidence-score': 100,
      'id-class': 'dl',
      'name-first': ctx.person.first,
      'name-middle': ctx.person.middle,
      'name-last': ctx.person.last,
      birthdate: ctx.person.birthdate,
      'address-street-1': ctx.person.street,
      'address-city': ctx.person.city,
      'address-subdivision': ctx.person.subdivision,
      'address-postal-code': ctx.person.postalCode,
      'identification-number': ctx.person.idNumber,
      'front-photo-url': `https://files.withpersona.com/front.jpg?access_token=${ctx.rnd.id('')}`,
      checks: CHECKS.map((name) => ({
        name,
        status: completed === null ? 'not_applicable' : name === failedCheck ? 'failed' : 'passed',
        reasons: name === failedCheck ? ['expired'] : [],
        requirement: 'required',
        metadata: {},
      })),
    },
    relationships: {
      inquiry: one('inquiry', ctx.inquiryId),
      account: one('account', ctx.accountId),
      template: { data: null },
    },
  };
}

const REPORT_STATUS: Readonly<Record<string, string>> = {
  ready: 'ready',
  errored: 'errored',
  submitted: 'pending',
  matched: 'ready',
  dismissed: 'ready',
  changed: 'ready',
};

/** @internal A report object; also used as a padding object. */
export function buildReport(ctx: SampleContext, action: string, kind: string): Omit<SampleResource, 'type' | 'id'> {
  const status = REPORT_STATUS[action] ?? 'ready';
  const created = createdMs(ctx);
  const matched = action === 'matched';
  return {
    attributes: {
      status,
      'created-at': iso(created),
      'completed-at': status === 'pending' ? null : iso(ctx.at - 1_000),
      'redacted-at': null,
      'has-match': status === 'errored' || status === 'pending' ? null : matched,
      'is-continuous': /watchlist|adverse-media|politically-exposed|screening|custom-list/.test(kind),
      tags: [],
      'report-template-version-name': 'v1',
      query: { 'name-first': ctx.person.first, 'name-last': ctx.person.last, birthdate: ctx.person.birthdate },
      ...(matched
        ? {
            'matched-lists': [
              {
                name: 'OFAC SDN',
                'list-type': 'sanctions',
                score: 0.92,
                'matched-name': `${ctx.person.first} ${ctx.person.last}`,
              },
            ],
          }
        : {}),
      ...(action === 'dismissed' ? { 'dismissed-at': iso(ctx.at) } : {}),
      ...(status === 'errored'
        ? { error: { code: 'provider_unavailable', detail: 'The data source timed out.' } }
        : {}),
    },
    relationships: {
      inquiry: one('inquiry', ctx.inquiryId),
      account: one('account', ctx.accountId),
      'report-template': one('report-template', ctx.rnd.id('rptp_')),
    },
  };
}

const CASE_STATUS: Readonly<Record<string, string>> = {
  resolved: 'approved',
  redacted: 'approved',
  'status-updated': 'pending',
};

function buildCase(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const status = CASE_STATUS[ctx.action] ?? 'open';
  const created = createdMs(ctx);
  const assigned = ctx.action !== 'created';
  let attributes: Record<string, unknown> = {
    status,
    name: `Manual review: ${ctx.person.first} ${ctx.person.last}`,
    resolution: status === 'approved' ? 'approved' : null,
    tags: ctx.action === 'updated-tags' ? ['escalated'] : [],
    fields: { 'risk-level': { type: 'string', value: 'medium' } },
    'creator-id': ctx.rnd.id('wfr_'),
    'creator-type': 'workflow-run',
    'assignee-id': assigned ? ctx.rnd.id('user_') : null,
    'created-at': iso(created),
    'updated-at': iso(ctx.at),
    'assigned-at': assigned ? iso(created + 600_000) : null,
    'resolved-at': status === 'approved' ? iso(ctx.at) : null,
    'sla-expires-at': iso(created + 48 * 3_600_000),
    'redacted-at': ctx.action === 'redacted' ? iso(ctx.at) : null,
  };
  if (ctx.action === 'redacted') attributes = redact(attributes);
  return {
    attributes,
    relationships: {
      'case-template': one('case-template', ctx.rnd.id('ctmpl_')),
      'case-queue': one('case-queue', ctx.rnd.id('cqueue_')),
      accounts: many(['account', ctx.accountId]),
      inquiries: many(['inquiry', ctx.inquiryId]),
    },
  };
}

function buildAccount(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const created = createdMs(ctx);
  let attributes: Record<string, unknown> = {
    'reference-id': ctx.person.referenceId,
    'account-type-name': 'User',
    'account-status': ctx.action === 'archived' ? 'archived' : 'active',
    tags: ctx.action === 'updated-tags' || ctx.action === 'tag-added' ? ['vip'] : [],
    fields: personFields(ctx.person),
    ...personAttributes(ctx.person),
    'created-at': iso(created),
    'updated-at': iso(ctx.at),
    'redacted-at': ctx.action === 'redacted' ? iso(ctx.at) : null,
  };
  if (ctx.action === 'redacted') attributes = redact(attributes);
  return { attributes, relationships: { 'account-type': one('account-type', ctx.rnd.id('acttp_')) } };
}

const TRANSACTION_STATUS: Readonly<Record<string, string>> = {
  created: 'pending',
  'status-updated': 'approved',
  labeled: 'approved',
};

function buildTransaction(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const created = createdMs(ctx);
  let attributes: Record<string, unknown> = {
    status: TRANSACTION_STATUS[ctx.action] ?? 'pending',
    'reference-id': `order_${ctx.rnd.int(1_000_000)}`,
    tags: [],
    fields: {
      amount: { type: 'float', value: Math.round(ctx.rnd.next() * 100_000) / 100 },
      currency: { type: 'string', value: 'USD' },
      'payment-method': { type: 'string', value: 'card' },
    },
    ...(ctx.action === 'labeled' ? { labels: ['legitimate'] } : {}),
    'created-at': iso(created),
    'updated-at': iso(ctx.at),
    'redacted-at': ctx.action === 'redacted' ? iso(ctx.at) : null,
  };
  if (ctx.action === 'redacted') attributes = redact(attributes);
  return {
    attributes,
    relationships: {
      'transaction-type': one('transaction-type', ctx.rnd.id('txntp_')),
      'related-objects': many(['account', ctx.accountId]),
    },
  };
}

const FILE_STATUS: Readonly<Record<string, string>> = {
  created: 'initiated',
  submitted: 'submitted',
  pending: 'pending',
  processed: 'processed',
  extracted: 'processed',
  errored: 'errored',
};

function file(ctx: SampleContext, filename: string): Record<string, unknown> {
  return {
    filename,
    url: `https://files.withpersona.com/${filename}?access_token=${ctx.rnd.id('')}`,
    'byte-size': 150_000 + ctx.rnd.int(400_000),
  };
}

function buildDocument(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const status = FILE_STATUS[ctx.action] ?? 'processed';
  const processed = status === 'processed' || status === 'errored';
  return {
    attributes: {
      status,
      kind: 'government_id',
      'id-class': 'dl',
      'created-at': iso(createdMs(ctx)),
      'processed-at': processed ? iso(ctx.at) : null,
      'processed-at-ts': processed ? Math.floor(ctx.at / 1000) : null,
      'front-photo': file(ctx, 'front.jpg'),
      'back-photo': file(ctx, 'back.jpg'),
      'selfie-photo': null,
      ...(ctx.action === 'extracted'
        ? { 'extracted-fields': { 'name-first': ctx.person.first, 'name-last': ctx.person.last } }
        : {}),
    },
    relationships: { inquiry: one('inquiry', ctx.inquiryId), account: one('account', ctx.accountId) },
  };
}

function buildSelfie(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const status = FILE_STATUS[ctx.action] ?? 'processed';
  return {
    attributes: {
      status,
      'capture-method': 'video',
      'created-at': iso(createdMs(ctx)),
      'processed-at': status === 'processed' || status === 'errored' ? iso(ctx.at) : null,
      'center-photo': file(ctx, 'center.jpg'),
      'left-photo': file(ctx, 'left.jpg'),
      'right-photo': file(ctx, 'right.jpg'),
    },
    relationships: { inquiry: one('inquiry', ctx.inquiryId) },
  };
}

const WORKFLOW_RUN_STATUS: Readonly<Record<string, string>> = {
  created: 'running',
  resumed: 'running',
  completed: 'completed',
  errored: 'errored',
};

function buildWorkflowRun(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const status = WORKFLOW_RUN_STATUS[ctx.action] ?? 'running';
  return {
    attributes: {
      status,
      'created-at': iso(createdMs(ctx)),
      'completed-at': status === 'completed' ? iso(ctx.at) : null,
      'errored-at': status === 'errored' ? iso(ctx.at) : null,
      'workflow-version-name': 'v3',
    },
    relationships: {
      workflow: one('workflow', ctx.rnd.id('wfl_')),
      trigger: one('inquiry', ctx.inquiryId),
    },
  };
}

// Actions whose word is also the object's state.
const STATE_ACTIONS = new Set([
  'created',
  'started',
  'completed',
  'expired',
  'failed',
  'errored',
  'cancelled',
  'canceled',
  'submitted',
  'paused',
  'resumed',
  'filed',
  'published',
  'processed',
  'pending',
  'reran',
  'timed-out',
]);

function buildGeneric(ctx: SampleContext): Omit<SampleResource, 'type' | 'id'> {
  const state = STATE_ACTIONS.has(ctx.action) ? ctx.action.replace(/-/g, '_') : undefined;
  const attributes: Record<string, unknown> = {
    ...(state === undefined ? {} : { status: state }),
    'created-at': iso(createdMs(ctx)),
    'updated-at': iso(ctx.at),
  };
  if (ctx.action === 'redacted') attributes['redacted-at'] = iso(ctx.at);
  if (ctx.action === 'deleted-field') attributes['deleted-field-key'] = 'legacy-customer-segment';
  return { attributes, relationships: {} };
}

function generic(prefix: string, extra?: (ctx: SampleContext) => Record<string, unknown>): FamilySpec {
  return {
    type: (family) => family,
    prefix,
    build: (ctx) => {
      const base = buildGeneric(ctx);
      return extra === undefined ? base : { ...base, attributes: { ...base.attributes, ...extra(ctx) } };
    },
  };
}

const FAMILIES: Readonly<Record<string, FamilySpec>> = {
  inquiry: {
    type: () => 'inquiry',
    prefix: 'inq_',
    build: buildInquiry,
    included: (ctx) => [
      { type: 'verification/government-id', id: ctx.verificationId, ...buildVerification(ctx, 'passed') },
      { type: 'account', id: ctx.accountId, ...buildAccount({ ...ctx, action: 'updated' }) },
    ],
    context: tagsContext,
  },
  verification: {
    type: () => 'verification/government-id',
    prefix: 'ver_',
    build: (ctx) => buildVerification(ctx, VERIFICATION_STATUS[ctx.action] ?? 'submitted'),
    context: tagsContext,
  },
  report: {
    type: (family) => family,
    prefix: 'rep_',
    build: (ctx) => buildReport(ctx, ctx.action, ctx.type.slice('report/'.length)),
  },
  case: {
    type: () => 'case',
    prefix: 'case_',
    build: buildCase,
    included: (ctx) => [{ type: 'account', id: ctx.accountId, ...buildAccount({ ...ctx, action: 'updated' }) }],
    context: tagsContext,
  },
  account: { type: () => 'account', prefix: 'act_', build: buildAccount, context: relationContext },
  transaction: {
    type: () => 'transaction',
    prefix: 'txn_',
    build: buildTransaction,
    context: relationContext,
  },
  document: { type: () => 'document/government-id', prefix: 'doc_', build: buildDocument },
  selfie: { type: () => 'selfie/profile-and-center', prefix: 'self_', build: buildSelfie },
  'workflow-run': { type: () => 'workflow-run', prefix: 'wfr_', build: buildWorkflowRun },
  'account-property': generic('actprop_', () => ({ key: 'occupation' })),
  'account-type': generic('acttp_', () => ({ name: 'User' })),
  'agent-conversation': generic('agconv_', (ctx) =>
    ctx.action === 'message-added' ? { 'last-message-role': 'assistant' } : { channel: 'chat' },
  ),
  authentication: generic('auth_', (ctx) => ({ 'reference-id': ctx.person.referenceId })),
  'case-comment': generic('ccmt_', () => ({ body: 'Document verified against the original; approving.' })),
  'case-message': generic('cmsg_', (ctx) => ({
    direction: ctx.action === 'received' ? 'inbound' : 'outbound',
    channel: 'email',
    subject: 'Additional documents needed',
  })),
  'case-template': generic('ctmpl_', () => ({ name: 'Manual review' })),
  checkpoint: generic('chkpt_', (ctx) => ({ 'reference-id': ctx.person.referenceId })),
  'connect/share-token': generic('shtkn_', (ctx) => ({
    direction: ctx.action.startsWith('inbound') ? 'inbound' : 'outbound',
    'redeemed-at': ctx.action.endsWith('redeemed') ? iso(ctx.at) : null,
  })),
  filing: generic('fil_', () => ({ kind: 'ctr' })),
  sar: generic('sar_', () => ({ 'filing-type': 'initial' })),
  'graph-query': generic('gq_', () => ({ 'query-name': 'linked-accounts-by-device' })),
  'importer-pipeline-run': generic('iprun_', (ctx) => ({
    'rows-processed': ctx.rnd.int(10_000),
    'rows-failed': ctx.action === 'errored' ? 1 + ctx.rnd.int(20) : 0,
  })),
  'inquiry-session': generic('iqse_', () => ({
    'ip-address': '203.0.113.42',
    'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15',
    'device-type': 'mobile',
  })),
  'inquiry-template-version': generic('itmplv_', () => ({ name: 'KYC (government ID + selfie)' })),
  'integration-log': generic('intlog_', () => ({ integration: 'slack', 'response-status': 200 })),
  user: generic('user_', () => ({ availability: 'available', 'email-address': 'reviewer@example.com' })),
  workflow: generic('wfl_', () => ({ name: 'Post-inquiry decision' })),
  session: generic('sess_', () => ({ 'ip-address': '203.0.113.42' })),
};

/** @internal How a family is shaped; unknown families get the generic resource. */
export function familySpec(family: string): FamilySpec {
  const known = FAMILIES[family] ?? (family.startsWith('report/') ? FAMILIES.report : undefined);
  if (known !== undefined) return known;
  const letters = family.replace(/[^a-z]/g, '').slice(0, 4) || 'obj';
  return generic(`${letters}_`);
}
