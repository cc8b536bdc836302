import { WebhookVerificationError } from '../errors.js';

/** One `t=…,v1=…` set of a `Persona-Signature` header. */
export interface SignatureSet {
  /** The set's own timestamp, in unix seconds. */
  readonly timestamp: number;
  /** The timestamp exactly as sent (the HMAC covers these characters). */
  readonly timestampText: string;
  /** Every `v1` value of the set, as sent (hex expected, not checked here). */
  readonly signatures: readonly string[];
}

/** The header name Persona uses. Frameworks lowercase it. */
export const SIGNATURE_HEADER = 'persona-signature';

// Bounds that keep a hostile header from costing more than a few HMACs.
const MAX_HEADER_LENGTH = 8192;
const MAX_SETS = 8;
const MAX_SIGNATURES_PER_SET = 8;
const MAX_TIMESTAMP_DIGITS = 12;

/** ASCII whitespace separates sets (space and tab in practice; CR, LF, VT, FF tolerated). */
const SPACE = /[\t-\r ]+/g;
const SINGLE_SET = /^t=(\d{1,12}),v1=([^\t-\r ,]*)$/;

/**
 * Parses a `Persona-Signature` header value into its sets.
 *
 * Grammar: one or more sets separated by whitespace (two during a secret rotation), each a
 * comma-separated list of `key=value` pairs split on the first `=`. `t` is required once per set;
 * any number of `v1`; unknown keys (a future `v2`) are ignored. An array (a header sent twice)
 * is read as its values joined by a space.
 *
 * @throws WebhookVerificationError `missing_header`, `malformed_header` or `no_signatures`.
 * @example
 * ```ts
 * parseSignatureHeader('t=1700000000,v1=5f…')
 * // → [{ timestamp: 1700000000, timestampText: '1700000000', signatures: ['5f…'] }]
 * ```
 */
export function parseSignatureHeader(header: string | readonly string[] | null | undefined): SignatureSet[] {
  const value = typeof header === 'string' ? header : Array.isArray(header) ? joinValues(header) : undefined;
  if (value === undefined && header != null) {
    throw new WebhookVerificationError('malformed_header', 'The Persona-Signature header must be a string.');
  }
  if (value === undefined || value.trim() === '') {
    throw new WebhookVerificationError(
      'missing_header',
      'No Persona-Signature header: the request was not signed by Persona, or a proxy removed the header.',
    );
  }
  if (value.length > MAX_HEADER_LENGTH) {
    throw new WebhookVerificationError(
      'malformed_header',
      `The Persona-Signature header is ${value.length} characters long (at most ${MAX_HEADER_LENGTH} accepted).`,
    );
  }
  // Nearly every delivery carries exactly one `t=…,v1=…`: one native match instead of the scan below.
  // The match excludes whitespace and commas in v1, so the result is what the scan would give.
  const single = SINGLE_SET.exec(value);
  if (single !== null) {
    const timestampText = single[1] as string;
    return [{ timestamp: Number(timestampText), timestampText, signatures: [single[2] as string] }];
  }
  // Indexes instead of split(/\s+/) and split(','): this runs on every delivery.
  const sets: SignatureSet[] = [];
  let signatureCount = 0;
  const n = value.length;
  let i = 0;
  while (i < n) {
    SPACE.lastIndex = i;
    const space = SPACE.exec(value);
    const end = space === null ? n : space.index;
    const set = end > i ? parseSet(value, i, end, sets.length) : undefined;
    i = space === null ? n : end + space[0].length;
    if (set === undefined) continue;
    sets.push(set);
    signatureCount += set.signatures.length;
    if (sets.length > MAX_SETS) {
      throw new WebhookVerificationError(
        'malformed_header',
        `The Persona-Signature header has more than ${MAX_SETS} sets.`,
      );
    }
  }
  if (sets.length === 0) {
    throw new WebhookVerificationError('malformed_header', 'The Persona-Signature header has no t=…,v1=… set.');
  }
  if (signatureCount === 0) {
    throw new WebhookVerificationError(
      'no_signatures',
      `The Persona-Signature header has ${sets.length} set(s) but no v1 signature in any of them.`,
      { details: { signatureSets: sets.length } },
    );
  }
  return sets;
}

/** The values of a header sent several times, joined by a space; undefined if any is not a string. */
function joinValues(values: readonly unknown[]): string | undefined {
  for (const v of values) if (typeof v !== 'string') return undefined;
  return values.join(' ');
}

function isTimestamp(value: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_TIMESTAMP_DIGITS) return false;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Parses the set in `value[start, end)`; undefined when it holds no pair at all (a stray comma). */
function parseSet(value: string, start: number, end: number, index: number): SignatureSet | undefined {
  let timestampText: string | undefined;
  const signatures: string[] = [];
  let pairs = 0;
  let p = start;
  while (p < end) {
    let comma = value.indexOf(',', p);
    if (comma === -1 || comma > end) comma = end;
    if (comma === p) {
      p++; // an empty pair: a trailing comma, as in Node's ", " join of a repeated header
      continue;
    }
    pairs++;
    const eq = value.indexOf('=', p);
    if (eq <= p || eq >= comma) {
      throw new WebhookVerificationError(
        'malformed_header',
        `Set ${index + 1} of the Persona-Signature header has a part without "key=value".`,
      );
    }
    const keyLength = eq - p;
    const k0 = value.charCodeAt(p);
    if (keyLength === 1 && k0 === 0x74 /* t */) {
      if (timestampText !== undefined) {
        throw new WebhookVerificationError(
          'malformed_header',
          `Set ${index + 1} of the Persona-Signature header has two t values.`,
        );
      }
      if (!isTimestamp(value, eq + 1, comma)) {
        throw new WebhookVerificationError(
          'malformed_header',
          `Set ${index + 1} of the Persona-Signature header has a t that is not a unix time in seconds.`,
        );
      }
      timestampText = value.slice(eq + 1, comma);
    } else if (keyLength === 2 && k0 === 0x76 /* v */ && value.charCodeAt(p + 1) === 0x31 /* 1 */) {
      if (signatures.length >= MAX_SIGNATURES_PER_SET) {
        throw new WebhookVerificationError(
          'malformed_header',
          `A Persona-Signature set has more than ${MAX_SIGNATURES_PER_SET} v1 values.`,
        );
      }
      signatures.push(value.slice(eq + 1, comma));
    }
    // Unknown keys are ignored, so that a future scheme (v2 …) does not break verification.
    p = comma + 1;
  }
  if (pairs === 0) return undefined;
  if (timestampText === undefined) {
    throw new WebhookVerificationError(
      'malformed_header',
      `Set ${index + 1} of the Persona-Signature header has no t=<unix seconds>.`,
    );
  }
  return { timestamp: Number(timestampText), timestampText, signatures };
}

/**
 * Formats sets back into a header value, one space between sets, as Persona sends them.
 *
 * @example
 * ```ts
 * formatSignatureHeader([{ timestamp: 1700000000, signatures: ['ab12…'] }]) // 't=1700000000,v1=ab12…'
 * ```
 */
export function formatSignatureHeader(
  sets: readonly { readonly timestamp: number | string; readonly signatures: readonly string[] }[],
): string {
  return sets.map((s) => [`t=${s.timestamp}`, ...s.signatures.map((v) => `v1=${v}`)].join(',')).join(' ');
}

/** Anything headers can be read from: a fetch `Headers`, a `Request`, or a Node headers record. */
export type HeadersLike =
  | { get(name: string): string | null }
  | { headers: { get(name: string): string | null } }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads a header case-insensitively from a `Headers`, a `Request` or a Node `IncomingHttpHeaders`.
 *
 * @example
 * ```ts
 * const header = readHeader(request, 'Persona-Signature') // works for Request, Headers, req.headers
 * ```
 */
export function readHeader(source: HeadersLike, name: string = SIGNATURE_HEADER): string | undefined {
  const lower = name.toLowerCase();
  if (typeof (source as { get?: unknown }).get === 'function') {
    return (source as { get(n: string): string | null }).get(lower) ?? undefined;
  }
  const nested = (source as { headers?: unknown }).headers;
  if (nested !== null && typeof nested === 'object' && typeof (nested as { get?: unknown }).get === 'function') {
    return (nested as { get(n: string): string | null }).get(lower) ?? undefined;
  }
  const record = source as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[lower];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(' ');
}

/**
 * Reads the `Persona-Signature` header from a `Headers`, a `Request` or a Node headers record.
 *
 * @example
 * ```ts
 * await verifySignature({ body, header: getSignatureHeader(req.headers), secret })
 * ```
 */
export function getSignatureHeader(source: HeadersLike): string | undefined {
  return readHeader(source, SIGNATURE_HEADER);
}
