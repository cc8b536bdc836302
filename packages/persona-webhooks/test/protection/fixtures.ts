// Realistic Persona envelopes with planted personal values, linked the way Persona links them: an account,
// its inquiry (relationships.account), the inquiry's verification and document in `included`, a report
// about the inquiry, and an unrelated inquiry of another account.

/** Personal values planted in the payloads: none of them may be found in clear in a database file. */
export const PLANTED = {
  nameFirst: 'Zyxwplanted',
  nameLast: 'Qorvathplanted',
  birthdate: '1987-03-14',
  idNumber: 'X9Q7PLANTED42',
  address: '7 Plantedgasse',
  documentUrl: 'https://files.withpersona.com/doc_planted.jpg?access_token=tok_planted_8c1e',
} as const;

/** Another person's values: the cascade must leave these alone. */
export const BYSTANDER = { nameFirst: 'Bystanderina', nameLast: 'Untouchedsen' } as const;

let clock = Date.parse('2026-11-01T10:00:00.000Z');

function createdAt(offsetSeconds?: number): string {
  if (offsetSeconds !== undefined)
    return new Date(Date.parse('2026-11-01T10:00:00.000Z') + offsetSeconds * 1000).toISOString();
  clock += 1000;
  return new Date(clock).toISOString();
}

function envelope(id: string, name: string, payload: object, at?: number): string {
  return JSON.stringify({
    data: { type: 'event', id, attributes: { name, payload, 'created-at': createdAt(at) } },
  });
}

function inquiry(id: string, account: string, person: { nameFirst: string; nameLast: string }) {
  return {
    type: 'inquiry',
    id,
    attributes: {
      status: 'approved',
      'name-first': person.nameFirst,
      'name-last': person.nameLast,
      birthdate: person === BYSTANDER ? '1970-01-01' : PLANTED.birthdate,
      'address-street-1': person === BYSTANDER ? '1 Elsewhere' : PLANTED.address,
      fields: { 'identification-number': { type: 'string', value: person === BYSTANDER ? 'B1' : PLANTED.idNumber } },
    },
    relationships: {
      account: { data: { type: 'account', id: account } },
      verifications: { data: [{ type: 'verification/government-id', id: `ver_of_${id}` }] },
      documents: { data: [{ type: 'document/government-id', id: `doc_of_${id}` }] },
    },
  };
}

/** One event per line of a realistic history, as [id, name, body]. `at` fixes created-at (seconds from T0). */
export function accountHistory(account = 'act_1', inq = 'inq_1'): { id: string; name: string; body: string }[] {
  const inq1 = inquiry(inq, account, PLANTED);
  const verification = {
    type: 'verification/government-id',
    id: `ver_of_${inq}`,
    attributes: {
      'name-first': PLANTED.nameFirst,
      'identification-number': PLANTED.idNumber,
      birthdate: PLANTED.birthdate,
    },
    relationships: { inquiry: { data: { type: 'inquiry', id: inq } } },
  };
  const document = {
    type: 'document/government-id',
    id: `doc_of_${inq}`,
    attributes: { 'front-photo': { url: PLANTED.documentUrl } },
  };
  return [
    {
      id: `evt_${account}_created`,
      name: 'account.created',
      body: envelope(`evt_${account}_created`, 'account.created', {
        data: {
          type: 'account',
          id: account,
          attributes: { 'name-first': PLANTED.nameFirst, 'name-last': PLANTED.nameLast },
        },
        included: [],
      }),
    },
    {
      id: `evt_${inq}_created`,
      name: 'inquiry.created',
      body: envelope(`evt_${inq}_created`, 'inquiry.created', { data: inq1, included: [] }),
    },
    {
      id: `evt_${inq}_approved`,
      name: 'inquiry.approved',
      body: envelope(`evt_${inq}_approved`, 'inquiry.approved', { data: inq1, included: [verification, document] }),
    },
    {
      id: `evt_ver_of_${inq}_passed`,
      name: 'verification.passed',
      body: envelope(`evt_ver_of_${inq}_passed`, 'verification.passed', { data: verification, included: [] }),
    },
    {
      id: `evt_rep_of_${inq}_ready`,
      name: 'report/watchlist.ready',
      body: envelope(`evt_rep_of_${inq}_ready`, 'report/watchlist.ready', {
        data: {
          type: 'report/watchlist',
          id: `rep_of_${inq}`,
          attributes: { 'name-first': PLANTED.nameFirst, 'name-last': PLANTED.nameLast },
          relationships: { inquiry: { data: { type: 'inquiry', id: inq } } },
        },
        included: [],
      }),
    },
  ];
}

/** An unrelated person's inquiry. */
export function bystanderEvent(): { id: string; name: string; body: string } {
  return {
    id: 'evt_inq_b_created',
    name: 'inquiry.created',
    body: envelope('evt_inq_b_created', 'inquiry.created', {
      data: inquiry('inq_b', 'act_b', BYSTANDER),
      included: [],
    }),
  };
}

/** A `<type>.redacted` event for an object, as Persona sends it (attributes nulled). */
export function redactedEvent(type: string, objectId: string, at?: number): { id: string; name: string; body: string } {
  const id = `evt_${objectId}_redacted`;
  return {
    id,
    name: `${type}.redacted`,
    body: envelope(
      id,
      `${type}.redacted`,
      {
        data: { type, id: objectId, attributes: { 'name-first': null, 'redacted-at': '2026-11-02T00:00:00.000Z' } },
        included: [],
      },
      at,
    ),
  };
}

/** An event about an object with a fixed (old) created-at: a late retry or a reconcile of history. */
export function lateInquiryEvent(inq: string, name: string, at: number): { id: string; name: string; body: string } {
  const id = `evt_${inq}_${name.split('.')[1]}`;
  return { id, name, body: envelope(id, name, { data: inquiry(inq, 'act_late', PLANTED), included: [] }, at) };
}
