// Realistic Persona `inquiry.approved` deliveries of a chosen size, for the verification benchmark.
// The shape follows Persona's webhook docs (JSON:API envelope, kebab-case keys, included objects);
// the values are invented.

function check(name: string, status = 'passed'): Record<string, unknown> {
  return { name, status, reasons: [], requirement: 'required', metadata: {} };
}

function governmentIdVerification(n: number): Record<string, unknown> {
  return {
    type: 'verification/government-id',
    id: `ver_${'GovId'.padEnd(24, String(n % 10))}`,
    attributes: {
      status: 'passed',
      'created-at': '2025-12-02T14:45:12.000Z',
      'created-at-ts': 1764686712,
      'submitted-at': '2025-12-02T14:45:30.000Z',
      'submitted-at-ts': 1764686730,
      'completed-at': '2025-12-02T14:45:41.000Z',
      'completed-at-ts': 1764686741,
      'country-code': 'US',
      'entity-confidence-score': 100,
      'entity-confidence-reasons': ['generic'],
      'front-photo-url': `https://files.withpersona.com/front_${n}.jpg?access_token=tok_${'x'.repeat(40)}`,
      'back-photo-url': `https://files.withpersona.com/back_${n}.jpg?access_token=tok_${'y'.repeat(40)}`,
      'selfie-photo': null,
      'id-class': 'dl',
      'capture-method': 'auto',
      'name-first': 'Alexander',
      'name-middle': 'J',
      'name-last': 'Sample',
      'name-suffix': null,
      birthdate: '1977-07-17',
      'address-street-1': '600 California Street',
      'address-street-2': null,
      'address-city': 'San Francisco',
      'address-subdivision': 'CA',
      'address-postal-code': '94109',
      'issuing-authority': 'CA',
      'issuing-subdivision': 'CA',
      nationality: null,
      'document-number': null,
      'visa-status': null,
      'issue-date': '2020-01-01',
      'expiration-date': '2029-07-17',
      designations: [],
      birthplace: null,
      endorsements: null,
      height: null,
      sex: 'Male',
      restrictions: null,
      'vehicle-class': null,
      'identification-number': 'I1234562',
      checks: [
        check('id_aamva_database_lookup', 'not_applicable'),
        check('id_account_comparison', 'not_applicable'),
        check('id_age_comparison'),
        check('id_age_inconsistency_detection'),
        check('id_barcode_detection'),
        check('id_barcode_inconsistency_detection'),
        check('id_blur_detection'),
        check('id_color_inconsistency_detection'),
        check('id_compromised_detection'),
        check('id_disallowed_country_detection'),
        check('id_disallowed_type_detection'),
        check('id_double_side_detection'),
        check('id_electronic_replica_detection'),
        check('id_entity_detection'),
        check('id_expired_detection'),
        check('id_extracted_properties_detection'),
        check('id_fabrication_detection'),
        check('id_glare_detection'),
        check('id_handwriting_detection'),
        check('id_inconsistent_repeat_detection'),
        check('id_inquiry_comparison'),
        check('id_mrz_detection', 'not_applicable'),
        check('id_paper_detection'),
        check('id_po_box_detection'),
        check('id_portrait_clarity_detection'),
        check('id_portrait_detection'),
        check('id_processable_submission'),
        check('id_repeat_detection'),
        check('id_selfie_comparison', 'not_applicable'),
        check('id_tamper_detection'),
        check('id_valid_dates_detection'),
      ],
    },
    relationships: { inquiry: { data: { type: 'inquiry', id: 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b' } } },
  };
}

function session(n: number): Record<string, unknown> {
  return {
    type: 'inquiry-session',
    id: `iqse_${'Sess'.padEnd(24, String(n % 10))}`,
    attributes: {
      status: 'expired',
      'created-at': '2025-12-02T14:44:58.000Z',
      'started-at': '2025-12-02T14:45:01.000Z',
      'expired-at': '2025-12-03T14:45:01.000Z',
      'ip-address': '203.0.113.42',
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      'os-name': 'iOS',
      'os-full-version': '18.1',
      'device-type': 'smartphone',
      'device-name': 'iPhone',
      'browser-name': 'Mobile Safari',
      'browser-full-version': '18.1',
      'mobile-sdk-name': null,
      'is-proxy': false,
      'is-tor': false,
      'is-datacenter': false,
      'is-vpn': false,
      'threat-level': 'low',
      'country-code': 'US',
      'country-name': 'United States',
      'region-code': 'CA',
      'region-name': 'California',
      latitude: 37.7749,
      longitude: -122.4194,
      'gps-latitude': null,
      'gps-longitude': null,
      'gps-precision': null,
    },
    relationships: { inquiry: { data: { type: 'inquiry', id: 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b' } } },
  };
}

// What a webhook with an attribute blocklist (PII removed) sends: used where the full inquiry does not fit.
const COMPACT_KEYS = new Set([
  'status',
  'reference-id',
  'note',
  'tags',
  'creator',
  'created-at',
  'started-at',
  'completed-at',
  'decisioned-at',
  'redacted-at',
  'previous-step-name',
  'next-step-name',
]);

function envelope(included: Record<string, unknown>[], padding: string, compact = false): Record<string, unknown> {
  const full = fullEnvelope(included, padding);
  if (!compact) return full;
  const inquiry = (full.data as { attributes: { payload: { data: { attributes: Record<string, unknown> } } } })
    .attributes.payload.data;
  inquiry.attributes = Object.fromEntries(Object.entries(inquiry.attributes).filter(([k]) => COMPACT_KEYS.has(k)));
  return full;
}

function fullEnvelope(included: Record<string, unknown>[], padding: string): Record<string, unknown> {
  return {
    data: {
      type: 'event',
      id: 'evt_vJ3Fq7uKX9xA2wTnbRjM5yLq',
      attributes: {
        name: 'inquiry.approved',
        payload: {
          data: {
            type: 'inquiry',
            id: 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b',
            attributes: {
              status: 'approved',
              'reference-id': 'user_4242',
              note: padding,
              behaviors: {
                'request-spoof-attempts': 0,
                'user-agent-spoof-attempts': 0,
                'distraction-events': 0,
                'hesitation-baseline': 0,
                'hesitation-count': 0,
                'hesitation-time': 0,
                'shortcut-copies': 0,
                'shortcut-pastes': 0,
                'autofill-cancels': 0,
                'autofill-starts': 0,
                'devtools-open': false,
                'completion-time': 43.12,
                'hesitation-percentage': null,
                'behavior-threat-level': 'low',
              },
              tags: [],
              creator: 'API',
              'reviewer-comment': null,
              'created-at': '2025-12-02T14:44:58.000Z',
              'started-at': '2025-12-02T14:45:01.000Z',
              'completed-at': '2025-12-02T14:45:44.000Z',
              'failed-at': null,
              'marked-for-review-at': null,
              'decisioned-at': '2025-12-02T14:47:05.000Z',
              'expired-at': null,
              'redacted-at': null,
              'previous-step-name': 'verification_government_id',
              'next-step-name': 'success',
              'name-first': 'Alexander',
              'name-middle': 'J',
              'name-last': 'Sample',
              birthdate: '1977-07-17',
              'address-street-1': '600 California Street',
              'address-street-2': null,
              'address-city': 'San Francisco',
              'address-subdivision': 'California',
              'address-postal-code': '94109',
              'address-country-code': 'US',
              'email-address': 'alexander@example.com',
              'phone-number': '+1 415 555 0123',
              'identification-number': 'I1234562',
              fields: {
                'name-first': { type: 'string', value: 'Alexander' },
                'name-last': { type: 'string', value: 'Sample' },
                birthdate: { type: 'date', value: '1977-07-17' },
                'address-country-code': { type: 'string', value: 'US' },
                'email-address': { type: 'string', value: 'alexander@example.com' },
              },
            },
            relationships: {
              account: { data: { type: 'account', id: 'act_ja3zsYq5p8cYyFYHkqEZDvG4' } },
              template: { data: null },
              'inquiry-template': { data: { type: 'inquiry-template', id: 'itmpl_Xq4XnRkqP6oRUcBkuZDvkGQ9' } },
              'inquiry-template-version': {
                data: { type: 'inquiry-template-version', id: 'itmplv_3Fm9wVbJQ3fh6E8VbM4Xm2wR' },
              },
              reports: { data: [] },
              sessions: {
                data: included.filter((i) => i.type === 'inquiry-session').map(({ type, id }) => ({ type, id })),
              },
              verifications: {
                data: included
                  .filter((i) => String(i.type).startsWith('verification/'))
                  .map(({ type, id }) => ({ type, id })),
              },
            },
          },
          included,
        },
        'created-at': '2025-12-02T14:47:06.000Z',
        'redacted-at': null,
      },
    },
  };
}

/**
 * An `inquiry.approved` body of exactly `bytes` bytes (UTF-8), as Persona would deliver it: included
 * sessions and government-id verifications are added while they fit, then a note pads to the size.
 */
export function createInquiryApprovedBody(bytes: number): string {
  const compact = Buffer.byteLength(JSON.stringify(envelope([], ''))) > bytes;
  const included: Record<string, unknown>[] = [];
  let n = 0;
  for (;;) {
    const next = n % 3 === 0 ? session(n) : governmentIdVerification(n);
    const candidate = JSON.stringify(envelope([...included, next], '', compact));
    if (Buffer.byteLength(candidate) > bytes) break;
    included.push(next);
    n++;
  }
  const base = Buffer.byteLength(JSON.stringify(envelope(included, '', compact)));
  if (base > bytes) throw new Error(`the smallest inquiry.approved body is ${base} bytes, more than ${bytes}`);
  const body = JSON.stringify(envelope(included, 'n'.repeat(bytes - base), compact));
  if (Buffer.byteLength(body) !== bytes) throw new Error('padding went wrong');
  return body;
}
