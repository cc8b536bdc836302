import type { EnvelopeFacts } from './envelope.js';

// A single-pass JSON validator that also picks out the four fields the ack path needs (id, name,
// created-at, payload.data.id) without building the object tree. It answers `undefined` for anything it
// does not handle plainly — invalid JSON, an escape inside a field it reads or inside a key beside them,
// a repeated key, a wrong type — and the caller then runs the full JSON.parse path, which produces the
// exact error or the exact JSON.parse semantics. One flat loop with an explicit stack: V8 keeps its locals
// in registers, which a recursive scanner with shared closure state did not allow (measured: slower than
// JSON.parse). Two scans: the plain one for bodies without any backslash or control character (what
// Persona and JSON.stringify send: no escapes, no whitespace but spaces), where a string ends at the next
// quote found by a native indexOf and needs no check of its own; the general one for everything else.
// The plain scan is about 2× the general one; numbers in bench/results/scan.md.

// Where a container sits in the envelope (what its keys mean).
const S_NONE = 0;
const S_ROOT = 1;
const S_DATA = 2;
const S_ATTRIBUTES = 3;
const S_PAYLOAD = 4;
const S_PAYLOAD_DATA = 5;

// Fields, one bit each: seeing one twice means a repeated key → JSON.parse semantics (last wins) decide.
const F_DATA = 1;
const F_ID = 2;
const F_TYPE = 4;
const F_ATTRIBUTES = 8;
const F_NAME = 16;
const F_CREATED_KEBAB = 32;
const F_CREATED_CAMEL = 64;
const F_CREATED_SNAKE = 128;
const F_PAYLOAD = 256;
const F_PAYLOAD_DATA = 512;
const F_RESOURCE_ID = 1024;
const OBJECT_FIELDS = F_DATA | F_ATTRIBUTES | F_PAYLOAD;
const STRING_FIELDS = F_ID | F_TYPE | F_NAME | F_CREATED_KEBAB | F_CREATED_CAMEL | F_CREATED_SNAKE;
const REQUIRED = F_DATA | F_ID | F_ATTRIBUTES | F_NAME | F_PAYLOAD;

const MAX_DEPTH = 512;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

function skipWhitespace(s: string, from: number): number {
  let i = from;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/**
 * Scans a JSON string whose content starts at `from` (after the quote). Returns the index of the closing
 * quote when the string has no escapes, `-(index + 2)` when it has valid escapes, -1 when it is invalid.
 */
function scanString(s: string, from: number): number {
  let i = from;
  let plain = true;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 34) return plain ? i : -(i + 2);
    if (c === 92) {
      plain = false;
      const e = s.charCodeAt(i + 1);
      if (e === 117) {
        for (let k = i + 2; k < i + 6; k++) if (!isHex(s.charCodeAt(k))) return -1;
        i += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else return -1;
    } else if (c < 32 || Number.isNaN(c)) return -1;
    else i++;
  }
}

function skipDigits(s: string, from: number): number {
  let i = from;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    else return i;
  }
}

/** Scans a JSON number starting at `from`; returns the index after it, or -1. */
function scanNumber(s: string, from: number): number {
  let i = from;
  if (s.charCodeAt(i) === 45) i++;
  const first = s.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) i = skipDigits(s, i + 1);
  else return -1;
  if (s.charCodeAt(i) === 46) {
    const end = skipDigits(s, i + 1);
    if (end === i + 1) return -1;
    i = end;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const end = skipDigits(s, i);
    if (end === i) return -1;
    i = end;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** @internal The slot and field a key leads to, packed as `field * 8 + slot`. */
function route(s: string, slot: number, start: number, length: number): number {
  switch (slot) {
    case S_ROOT:
      if (length === 4 && s.startsWith('data', start)) return F_DATA * 8 + S_DATA;
      return 0;
    case S_DATA:
      if (length === 2 && s.startsWith('id', start)) return F_ID * 8;
      if (length === 4 && s.startsWith('type', start)) return F_TYPE * 8;
      if (length === 10 && s.startsWith('attributes', start)) return F_ATTRIBUTES * 8 + S_ATTRIBUTES;
      return 0;
    case S_ATTRIBUTES:
      if (length === 4 && s.startsWith('name', start)) return F_NAME * 8;
      if (length === 10 && s.startsWith('created-at', start)) return F_CREATED_KEBAB * 8;
      if (length === 9 && s.startsWith('createdAt', start)) return F_CREATED_CAMEL * 8;
      if (length === 10 && s.startsWith('created_at', start)) return F_CREATED_SNAKE * 8;
      if (length === 7 && s.startsWith('payload', start)) return F_PAYLOAD * 8 + S_PAYLOAD;
      return 0;
    case S_PAYLOAD:
      if (length === 4 && s.startsWith('data', start)) return F_PAYLOAD_DATA * 8 + S_PAYLOAD_DATA;
      return 0;
    case S_PAYLOAD_DATA:
      if (length === 2 && s.startsWith('id', start)) return F_RESOURCE_ID * 8;
      return 0;
    default:
      return 0;
  }
}

/**
 * The general scan: any valid JSON, whitespace and escapes included (the first scanner's algorithm; the
 * scan benchmark measures the plain scan against it).
 * @internal
 */
export function scanGeneral(text: string): EnvelopeFacts | undefined {
  const s = text;
  // Per open container: its slot (S_NONE for arrays and uninteresting objects), and whether it is an array.
  const slots: number[] = [];
  const arrays: boolean[] = [];
  let depth = 0;
  let i = 0;
  let seen = 0;
  let id = '';
  let type: string | undefined;
  let name = '';
  let createdKebab: string | undefined;
  let createdCamel: string | undefined;
  let createdSnake: string | undefined;
  let resourceId: string | null = null;
  // What the next value is: its slot if it is an object, and the field it feeds (0: none).
  let vslot = S_ROOT;
  let vfield = 0;
  // true: the cursor is at a key (just after `{` or `,` in an object); false: at a value.
  let atKey = false;
  // Compact JSON (no control characters anywhere, so none inside strings) lets a string end be found with
  // one native indexOf instead of a character loop; escapes are located the same way and scanned slowly.
  const compact = !CONTROL_CHARACTER.test(s);
  let backslash = compact ? s.indexOf('\\') : -1;
  const stringEnd = (from: number): number => {
    if (!compact) return scanString(s, from);
    if (backslash !== -1 && backslash < from) backslash = s.indexOf('\\', from);
    const quote = s.indexOf('"', from);
    if (quote === -1) return -1;
    if (backslash === -1 || backslash > quote) return quote;
    return scanString(s, from);
  };

  for (;;) {
    i = skipWhitespace(s, i);
    let c = s.charCodeAt(i);
    if (atKey) {
      if (c !== 34) return undefined;
      const keyStart = i + 1;
      const end = stringEnd(keyStart);
      if (end === -1) return undefined;
      const slot = slots[depth - 1] as number;
      // An escaped key may spell a field this scan reads ("d\u0061ta"): JSON.parse decides then.
      if (slot !== S_NONE && end < 0) return undefined;
      const close = end < 0 ? -end - 2 : end;
      const r = slot === S_NONE ? 0 : route(s, slot, keyStart, close - keyStart);
      i = skipWhitespace(s, close + 1);
      if (s.charCodeAt(i) !== 58) return undefined;
      i++;
      vslot = r & 7;
      vfield = r >> 3;
      if (vfield !== 0) {
        if ((seen & vfield) !== 0) return undefined;
        seen |= vfield;
      }
      atKey = false;
      continue;
    }

    if (c === 123 || c === 91) {
      const isArray = c === 91;
      if ((vfield & STRING_FIELDS) !== 0 || (isArray && (vfield & OBJECT_FIELDS) !== 0)) return undefined;
      if (depth >= MAX_DEPTH) return undefined;
      slots[depth] = isArray ? S_NONE : vslot;
      arrays[depth] = isArray;
      depth++;
      i = skipWhitespace(s, i + 1);
      if (s.charCodeAt(i) !== (isArray ? 93 : 125)) {
        vslot = S_NONE;
        vfield = 0;
        atKey = !isArray;
        continue;
      }
      // An empty container: closed at once.
      i++;
      depth--;
    } else if (c === 34) {
      const start = i + 1;
      const end = stringEnd(start);
      if (end === -1) return undefined;
      if (vfield !== 0) {
        if (end < 0 || (vfield & OBJECT_FIELDS) !== 0) return undefined;
        const value = s.slice(start, end);
        if (vfield === F_ID) id = value;
        else if (vfield === F_NAME) name = value;
        else if (vfield === F_CREATED_KEBAB) createdKebab = value;
        else if (vfield === F_CREATED_CAMEL) createdCamel = value;
        else if (vfield === F_CREATED_SNAKE) createdSnake = value;
        else if (vfield === F_TYPE) type = value;
        else if (vfield === F_RESOURCE_ID) resourceId = value;
      }
      i = (end < 0 ? -end - 2 : end) + 1;
    } else {
      if ((vfield & (OBJECT_FIELDS | STRING_FIELDS)) !== 0) return undefined;
      if (c === 116 && s.startsWith('true', i)) i += 4;
      else if (c === 102 && s.startsWith('false', i)) i += 5;
      else if (c === 110 && s.startsWith('null', i)) i += 4;
      else {
        i = scanNumber(s, i);
        if (i === -1) return undefined;
      }
    }

    // After a value: close containers, or a comma leads to the next value or key.
    for (;;) {
      i = skipWhitespace(s, i);
      if (depth === 0) return i === s.length ? finish() : undefined;
      c = s.charCodeAt(i);
      const isArray = arrays[depth - 1] as boolean;
      if (c === (isArray ? 93 : 125)) {
        i++;
        depth--;
        continue;
      }
      if (c !== 44) return undefined;
      i++;
      vslot = S_NONE;
      vfield = 0;
      atKey = !isArray;
      break;
    }
  }

  function finish(): EnvelopeFacts | undefined {
    return facts(seen, id, type, name, createdKebab ?? createdCamel ?? createdSnake, resourceId);
  }
}

function facts(
  seen: number,
  id: string,
  type: string | undefined,
  name: string,
  createdText: string | undefined,
  resourceId: string | null,
): EnvelopeFacts | undefined {
  if ((seen & REQUIRED) !== REQUIRED || id === '' || name === '') return undefined;
  if (type !== undefined && type !== 'event') return undefined;
  if (createdText === undefined) return undefined;
  const createdAt = new Date(createdText);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  return { id, name, createdAt, resourceId };
}

// The backslash and the 32 control characters, the likeliest first (escapes, then pretty-printing whitespace).
const NOT_PLAIN_CHARACTERS = ['\\', '\n', '\t', '\r'];
for (let code = 0; code < 32; code++) {
  const character = String.fromCharCode(code);
  if (!NOT_PLAIN_CHARACTERS.includes(character)) NOT_PLAIN_CHARACTERS.push(character);
}

/**
 * Whether `s` holds no backslash and no control character. One native indexOf per character (a memchr-like
 * search) is measured faster than one regex test for the character class: bench/results/scan.md.
 */
function isPlain(s: string): boolean {
  for (let k = 0; k < NOT_PLAIN_CHARACTERS.length; k++) {
    if (s.indexOf(NOT_PLAIN_CHARACTERS[k] as string) !== -1) return false;
  }
  return true;
}

// Per open container of the plain scan: its slot * 2 + 1 when it is an array. Shared: the scan is synchronous.
const stack = new Uint8Array(MAX_DEPTH);

// Where the string values of every `id` member the last plain scan passed lie (at any depth, in order, repeats
// kept: start and end offsets in pairs), and the text it scanned: the redaction check needs exactly these ids
// (protection/references.ts), and finding them here costs a comparison per key instead of a second pass over the
// whole body. Offsets, not strings: a duplicate delivery is scanned and never asks for its ids. Held for one read.
let scannedText: string | undefined;
let idBounds = new Int32Array(128);
let idBoundsUsed = 0;

function addIdBounds(start: number, end: number): void {
  if (idBoundsUsed + 2 > idBounds.length) {
    const larger = new Int32Array(idBounds.length * 2);
    larger.set(idBounds);
    idBounds = larger;
  }
  idBounds[idBoundsUsed++] = start;
  idBounds[idBoundsUsed++] = end;
}

/**
 * The non-empty string values of the `id` members of `text`, in order (an id may repeat), when the last
 * successful {@link scanEnvelope} of this thread read that same text with the plain scan; undefined otherwise.
 * Answers once: the text and its ids are let go.
 * @internal For the redaction check of the same delivery (candidateObjectIds).
 */
export function takeScannedIds(text: string): string[] | undefined {
  const scanned = scannedText === text;
  scannedText = undefined;
  if (!scanned) return undefined;
  const ids: string[] = [];
  for (let k = 0; k < idBoundsUsed; k += 2) ids.push(text.slice(idBounds[k], idBounds[k + 1]));
  return ids;
}

/**
 * The plain scan: `s` holds no backslash and no control character (so no escapes and no whitespace but
 * spaces), so every string ends at the next quote and needs no check of its own.
 */
function scanPlain(s: string): EnvelopeFacts | undefined {
  const n = s.length;
  let depth = 0;
  let i = 0;
  let seen = 0;
  let id = '';
  let type: string | undefined;
  let name = '';
  let createdKebab: string | undefined;
  let createdCamel: string | undefined;
  let createdSnake: string | undefined;
  let resourceId: string | null = null;
  // What the next value is: its slot if it is an object, and the field it feeds (0: none).
  let vslot = S_ROOT;
  let vfield = 0;
  // The slot of the object whose key comes next, or -1 when a value comes next.
  let keySlot = -1;
  // Whether the value that comes next is an `id` member's; the string ones are collected (takeScannedIds).
  let idMember = false;
  idBoundsUsed = 0;
  scannedText = undefined;
  let c = s.charCodeAt(0);
  while (c === 32) c = s.charCodeAt(++i);

  for (;;) {
    if (keySlot !== -1) {
      if (c !== 34) return undefined;
      const end = s.indexOf('"', i + 1);
      if (end === -1) return undefined;
      idMember = end - i === 3 && s.charCodeAt(i + 1) === 105 && s.charCodeAt(i + 2) === 100;
      if (keySlot === S_NONE) {
        vslot = S_NONE;
        vfield = 0;
      } else {
        const r = route(s, keySlot, i + 1, end - i - 1);
        vslot = r & 7;
        vfield = r >> 3;
        if (vfield !== 0) {
          if ((seen & vfield) !== 0) return undefined;
          seen |= vfield;
        }
      }
      keySlot = -1;
      i = end + 1;
      c = s.charCodeAt(i);
      while (c === 32) c = s.charCodeAt(++i);
      if (c !== 58) return undefined;
      c = s.charCodeAt(++i);
      while (c === 32) c = s.charCodeAt(++i);
    }

    // A value starts at i (c is its first character).
    if (c === 34) {
      const end = s.indexOf('"', i + 1);
      if (end === -1) return undefined;
      if (vfield !== 0) {
        if ((vfield & OBJECT_FIELDS) !== 0) return undefined;
        const value = s.slice(i + 1, end);
        if (vfield === F_ID) id = value;
        else if (vfield === F_NAME) name = value;
        else if (vfield === F_CREATED_KEBAB) createdKebab = value;
        else if (vfield === F_CREATED_CAMEL) createdCamel = value;
        else if (vfield === F_CREATED_SNAKE) createdSnake = value;
        else if (vfield === F_TYPE) type = value;
        else if (vfield === F_RESOURCE_ID) resourceId = value;
      }
      if (idMember) {
        if (end > i + 1) addIdBounds(i + 1, end);
        idMember = false;
      }
      i = end + 1;
    } else if (c === 123 || c === 91) {
      idMember = false; // an array's values are no member's
      const isArray = c === 91;
      if ((vfield & STRING_FIELDS) !== 0 || (isArray && (vfield & OBJECT_FIELDS) !== 0)) return undefined;
      if (depth >= MAX_DEPTH) return undefined;
      c = s.charCodeAt(++i);
      while (c === 32) c = s.charCodeAt(++i);
      if (c !== (isArray ? 93 : 125)) {
        if (isArray) {
          stack[depth++] = 1;
          vslot = S_NONE;
          vfield = 0;
        } else {
          stack[depth++] = vslot * 2;
          keySlot = vslot;
        }
        continue;
      }
      // An empty container: closed at once.
      i++;
    } else {
      if ((vfield & (OBJECT_FIELDS | STRING_FIELDS)) !== 0) return undefined;
      idMember = false;
      if (c === 116) {
        if (s.charCodeAt(i + 1) !== 114 || s.charCodeAt(i + 2) !== 117 || s.charCodeAt(i + 3) !== 101) return undefined;
        i += 4;
      } else if (c === 102) {
        if (
          s.charCodeAt(i + 1) !== 97 ||
          s.charCodeAt(i + 2) !== 108 ||
          s.charCodeAt(i + 3) !== 115 ||
          s.charCodeAt(i + 4) !== 101
        )
          return undefined;
        i += 5;
      } else if (c === 110) {
        if (s.charCodeAt(i + 1) !== 117 || s.charCodeAt(i + 2) !== 108 || s.charCodeAt(i + 3) !== 108) return undefined;
        i += 4;
      } else {
        // A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        if (c === 45) c = s.charCodeAt(++i);
        if (c === 48) c = s.charCodeAt(++i);
        else if (c >= 49 && c <= 57) {
          do c = s.charCodeAt(++i);
          while (c >= 48 && c <= 57);
        } else return undefined;
        if (c === 46) {
          c = s.charCodeAt(++i);
          if (!(c >= 48 && c <= 57)) return undefined;
          do c = s.charCodeAt(++i);
          while (c >= 48 && c <= 57);
        }
        if (c === 101 || c === 69) {
          c = s.charCodeAt(++i);
          if (c === 43 || c === 45) c = s.charCodeAt(++i);
          if (!(c >= 48 && c <= 57)) return undefined;
          do c = s.charCodeAt(++i);
          while (c >= 48 && c <= 57);
        }
      }
    }

    // After a value: close containers, or a comma leads to the next value or key.
    for (;;) {
      c = s.charCodeAt(i);
      while (c === 32) c = s.charCodeAt(++i);
      if (depth === 0) {
        if (i !== n) return undefined;
        const found = facts(seen, id, type, name, createdKebab ?? createdCamel ?? createdSnake, resourceId);
        if (found !== undefined) scannedText = s;
        return found;
      }
      const top = stack[depth - 1] as number;
      if (c === 44) {
        c = s.charCodeAt(++i);
        while (c === 32) c = s.charCodeAt(++i);
        if ((top & 1) === 1) {
          vslot = S_NONE;
          vfield = 0;
        } else keySlot = top >> 1;
        break;
      }
      if (c !== ((top & 1) === 1 ? 93 : 125)) return undefined;
      i++;
      depth--;
    }
  }
}

/**
 * Validates `text` as JSON and reads the event id, name, created-at and resource id, or answers
 * `undefined` (then use `parseEvent`).
 * @internal Exported for tests and the receiver.
 */
export function scanEnvelope(text: string): EnvelopeFacts | undefined {
  if (isPlain(text)) return scanPlain(text);
  scannedText = undefined;
  return scanGeneral(text);
}
