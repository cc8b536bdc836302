// Turns a template body into a fresh sample: new ids (consistent across the body, so relationships still point
// at their included objects), timestamps moved to the sample's time, and made-up personal data.
import type { SampleRandom } from './random.js';

/** @internal The made-up person every object of one sample event is about. */
export interface SamplePerson {
  readonly first: string;
  readonly middle: string;
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
}

const FIRST = ['Jane', 'Alex', 'Maria', 'Kenji', 'Amara', 'Lukas', 'Priya', 'Mateo', 'Sofia', 'Omar'];
const MIDDLE = ['Marie', 'Lee', 'Ann', 'Jo', 'Rae'];
const LAST = ['Doe', 'Garcia', 'Nakamura', 'Okafor', 'Schmidt', 'Patel', 'Rossi', 'Haddad', 'Novak', 'Silva'];
const PLACES = [
  ['123 Main St', 'San Francisco', 'California', '94111', 'US'],
  ['48 Elm Ave', 'Austin', 'Texas', '73301', 'US'],
  ['9 Queen St W', 'Toronto', 'Ontario', 'M5H 2N2', 'CA'],
  ['Unter den Linden 5', 'Berlin', 'Berlin', '10117', 'DE'],
  ['221B Baker St', 'London', 'England', 'NW1 6XE', 'GB'],
] as const;

/** @internal Makes up one person, deterministically from the generator. */
export function createSamplePerson(rnd: SampleRandom): SamplePerson {
  const first = rnd.pick(FIRST);
  const last = rnd.pick(LAST);
  const [street, city, subdivision, postalCode, countryCode] = rnd.pick(PLACES);
  const digits = (n: number) => Array.from({ length: n }, () => rnd.int(10)).join('');
  const month = String(1 + rnd.int(12)).padStart(2, '0');
  const day = String(1 + rnd.int(28)).padStart(2, '0');
  return {
    first,
    middle: rnd.pick(MIDDLE),
    last,
    birthdate: `${1960 + rnd.int(45)}-${month}-${day}`,
    street,
    city,
    subdivision,
    postalCode,
    countryCode,
    email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
    phone: `+1415555${digits(4)}`,
    idNumber: `D${digits(7)}`,
  };
}

/** Personal-data keys (in any inflection, separators removed) → the person's value. */
const PERSONAL: Readonly<Record<string, keyof SamplePerson>> = {
  first: 'first',
  namefirst: 'first',
  firstname: 'first',
  middle: 'middle',
  namemiddle: 'middle',
  middlename: 'middle',
  last: 'last',
  namelast: 'last',
  lastname: 'last',
  birthdate: 'birthdate',
  street1: 'street',
  addressstreet1: 'street',
  city: 'city',
  addresscity: 'city',
  subdivision: 'subdivision',
  addresssubdivision: 'subdivision',
  postalcode: 'postalCode',
  addresspostalcode: 'postalCode',
  countrycode: 'countryCode',
  addresscountrycode: 'countryCode',
  email: 'email',
  emailaddress: 'email',
  phone: 'phone',
  phonenumber: 'phone',
  identificationnumber: 'idNumber',
  socialsecuritynumber: 'idNumber',
};

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const ID_UNDER_ID_KEY = /^([a-z][a-z0-9]*_)([A-Za-z0-9]+)$/;
// Elsewhere only strings that clearly are Persona ids (`inq_` + many mixed characters), not `snake_case` words.
const ID_ANYWHERE = /^([a-z][a-z0-9]*_)([A-Za-z0-9]{10,})$/;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function isIdKey(key: string): boolean {
  return key === 'id' || key.endsWith('-id') || key.endsWith('_id') || key.endsWith('Id');
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** @internal What `refreshValues` needs: the generator, the person, the time shift, ids already chosen. */
export interface FreshValues {
  readonly rnd: SampleRandom;
  readonly person: SamplePerson;
  /** Added to every timestamp, in ms. */
  readonly shiftMs: number;
  /** Template id → sample id; pre-filled with ids the caller chose (the event's, the resource's). */
  readonly ids: Map<string, string>;
}

function freshId(values: FreshValues, old: string, prefix: string, suffix: string): string {
  let id = values.ids.get(old);
  if (id === undefined) {
    id = prefix;
    // The spec's schema examples have short placeholders (`user_ABC123`): real ids have 24 characters or more.
    const length = Math.max(suffix.length, 24);
    for (let i = 0; i < length; i++) id += BASE58[values.rnd.int(BASE58.length)];
    values.ids.set(old, id);
  }
  return id;
}

function freshString(values: FreshValues, key: string, value: string, personal?: keyof SamplePerson): string {
  if (personal !== undefined) return values.person[personal];
  const known = values.ids.get(value);
  if (known !== undefined) return known;
  const id = (isIdKey(key) ? ID_UNDER_ID_KEY : ID_ANYWHERE).exec(value);
  if (id !== null && (isIdKey(key) || /[A-Z0-9]/.test(id[2] ?? ''))) {
    return freshId(values, value, id[1] ?? '', id[2] ?? '');
  }
  if (ISO_DATE_TIME.test(value)) {
    const moved = new Date(Date.parse(value) + values.shiftMs).toISOString();
    // Keep the template's precision: Persona writes milliseconds in some places and whole seconds in others.
    return value.includes('.') ? moved : moved.replace(/\.\d{3}Z$/, 'Z');
  }
  return value;
}

/**
 * @internal A copy of `node` with fresh ids, moved timestamps and made-up personal data; the same keys, in the
 * same order, with values of the same JSON types (a null stays null).
 */
export function refreshValues<T>(node: T, values: FreshValues, key = '', personal?: keyof SamplePerson): T {
  if (typeof node === 'string') return freshString(values, key, node, personal) as T;
  if (Array.isArray(node)) return node.map((item: unknown) => refreshValues(item, values, key, personal)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(node)) {
    // `{ first: { type: 'string', value: 'Jane' } }`: the personal key names the `value` below it.
    const kind = PERSONAL[normalise(childKey)] ?? (childKey === 'value' ? personal : undefined);
    out[childKey] = refreshValues(child, values, childKey, kind);
  }
  return out as T;
}
