// parseEvent: the JSON:API envelope in any key inflection, from any raw body shape; clear errors.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { WebhookVerificationError } from '../../src/errors.js';
import { parseEvent } from '../../src/events/parse.js';
import { codeOf } from '../helpers/errors.js';

type Inflection = 'kebab' | 'camel' | 'snake';

function key(kebab: string, inflection: Inflection): string {
  if (inflection === 'kebab') return kebab;
  if (inflection === 'snake') return kebab.replaceAll('-', '_');
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function envelope(inflection: Inflection, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const k = (s: string) => key(s, inflection);
  return {
    data: {
      type: 'event',
      id: 'evt_7c2xGqS1Dv3pNqWq1zYtA9Lb',
      attributes: {
        name: 'inquiry.approved',
        payload: {
          data: {
            type: 'inquiry',
            id: 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b',
            attributes: { status: 'approved', [k('reference-id')]: 'user_1', [k('name-first')]: 'Ada' },
          },
          included: [{ type: 'account', id: 'act_1', attributes: { [k('created-at')]: '2025-01-01T00:00:00.000Z' } }],
        },
        [k('created-at')]: '2025-12-02T14:47:06.123Z',
        [k('redacted-at')]: null,
        ...overrides,
      },
    },
  };
}

describe('parseEvent', () => {
  for (const inflection of ['kebab', 'camel', 'snake'] as const) {
    it(`normalises a ${inflection}-case envelope`, () => {
      const raw = envelope(inflection);
      const event = parseEvent(JSON.stringify(raw));
      assert.equal(event.id, 'evt_7c2xGqS1Dv3pNqWq1zYtA9Lb');
      assert.equal(event.name, 'inquiry.approved');
      assert.equal(event.inflection, inflection);
      assert.ok(event.createdAt instanceof Date);
      assert.equal(event.createdAt.toISOString(), '2025-12-02T14:47:06.123Z');
      assert.equal(event.payload.data.id, 'inq_2CVZ4HyVg7qaboXz8ps8Lm5b');
      assert.equal(event.payload.included.length, 1);
      assert.deepEqual(event.raw, raw);
      // Payload keys stay as Persona sent them.
      const attributes = event.payload.data.attributes as Record<string, unknown>;
      assert.equal(attributes[key('reference-id', inflection)], 'user_1');
    });
  }

  it('accepts every raw body shape and an already parsed object', () => {
    const text = JSON.stringify(envelope('kebab'));
    const bytes = new TextEncoder().encode(text);
    const pool = new Uint8Array(bytes.length + 10);
    pool.set(bytes, 5);
    const pooled = Buffer.from(`#####${text}#####`);
    for (const body of [
      text,
      Buffer.from(text),
      bytes,
      bytes.slice().buffer,
      pool.subarray(5, 5 + bytes.length),
      pooled.subarray(5, pooled.length - 5),
      JSON.parse(text) as Record<string, unknown>,
    ]) {
      assert.equal(parseEvent(body).id, 'evt_7c2xGqS1Dv3pNqWq1zYtA9Lb');
    }
  });

  it('parses bytes and an ArrayBuffer made in another realm', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(envelope('kebab')));
    const foreign = runInNewContext('(n) => new Uint8Array(n)', {}) as (n: number) => Uint8Array;
    const view = foreign(bytes.length);
    view.set(bytes);
    assert.equal(parseEvent(view).id, 'evt_7c2xGqS1Dv3pNqWq1zYtA9Lb');
    assert.equal(parseEvent(view.buffer as ArrayBuffer).id, 'evt_7c2xGqS1Dv3pNqWq1zYtA9Lb');
  });

  it('skips a leading byte-order mark in bytes and in strings', () => {
    const text = JSON.stringify(envelope('kebab'));
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    assert.equal(parseEvent(withBom).name, 'inquiry.approved');
    assert.equal(parseEvent(new Uint8Array(withBom)).name, 'inquiry.approved');
    assert.equal(parseEvent(`\uFEFF${text}`).name, 'inquiry.approved');
  });

  it('decodes invalid UTF-8 the same way whether the bytes are a Buffer or a Uint8Array', () => {
    const text = JSON.stringify(envelope('kebab', { note: '__' }));
    const at = text.indexOf('__');
    const bytes = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xff, 0xc3]),
      Buffer.from(text.slice(at + 2)),
    ]);
    const fromBuffer = parseEvent(bytes).raw as { data: { attributes: { note: string } } };
    const fromArray = parseEvent(new Uint8Array(bytes)).raw as { data: { attributes: { note: string } } };
    assert.equal(fromBuffer.data.attributes.note, fromArray.data.attributes.note);
    assert.ok(fromBuffer.data.attributes.note.includes('\uFFFD'));
  });

  it('keeps unknown event names and unknown resource types', () => {
    const raw = envelope('kebab', { name: 'spaceship.launched' });
    const payload = (raw.data as { attributes: { payload: { data: { type: string } } } }).attributes.payload;
    payload.data.type = 'spaceship';
    const event = parseEvent(JSON.stringify(raw));
    assert.equal(event.name, 'spaceship.launched');
    assert.equal(event.payload.data.type, 'spaceship');
  });

  it('reads report events named with a slash', () => {
    assert.equal(parseEvent(envelope('kebab', { name: 'report/watchlist.matched' })).name, 'report/watchlist.matched');
  });

  it('gives an empty included list when Persona sends none', () => {
    const raw = envelope('kebab');
    delete (raw.data as { attributes: { payload: { included?: unknown } } }).attributes.payload.included;
    assert.deepEqual(parseEvent(raw).payload.included, []);
  });

  it('keeps the context object when there is one', () => {
    assert.deepEqual(parseEvent(envelope('kebab', { context: { 'request-id': 'req_1' } })).context, {
      'request-id': 'req_1',
    });
    assert.equal('context' in parseEvent(envelope('kebab')), false);
  });

  describe('errors', () => {
    const cases: [string, unknown][] = [
      ['the body is not an object', [1, 2]],
      ['the body is a JSON string', 'just text'],
      ['there is no data object', { meta: {} }],
      ['data.type is not "event"', { data: { type: 'inquiry', id: 'inq_1', attributes: {} } }],
      ['data.id is missing', { data: { type: 'event', attributes: {} } }],
      ['data.attributes is missing', { data: { type: 'event', id: 'evt_1' } }],
      ['the name is missing', envelope('kebab', { name: undefined })],
      ['the name is not a string', envelope('kebab', { name: 42 })],
      ['created-at is missing', { data: { type: 'event', id: 'evt_1', attributes: { name: 'x', payload: {} } } }],
      ['created-at is not a date', envelope('kebab', { 'created-at': 'yesterday' })],
      ['the payload is missing', envelope('kebab', { payload: null })],
    ];
    for (const [what, value] of cases) {
      it(`fails with invalid_event when ${what}`, () => {
        assert.equal(
          codeOf(() => parseEvent(JSON.stringify(value))),
          'invalid_event',
        );
      });
    }

    it('fails with invalid_event on a parsed non-object', () => {
      assert.equal(
        codeOf(() => parseEvent(null as unknown as string)),
        'invalid_event',
      );
    });

    it('fails with invalid_json, status 400, on a body that is not JSON', () => {
      for (const body of ['', '{', 'not json', '{"a":1}}', Buffer.from([0xff, 0xfe])]) {
        try {
          parseEvent(body);
          assert.fail('expected an error');
        } catch (error) {
          assert.ok(error instanceof WebhookVerificationError);
          assert.equal(error.code, 'invalid_json');
          assert.equal(error.status, 400);
        }
      }
    });

    it('keeps the body out of an invalid_json error, even the snippet V8 quotes', () => {
      const body = '{"name-first":"Zebulon","birthdate":"1977-03-14"';
      try {
        parseEvent(`Zebulon${body}`);
        assert.fail('expected an error');
      } catch (error) {
        assert.ok(error instanceof WebhookVerificationError);
        const text = `${error.message}\n${error.stack ?? ''}\n${inspect(error, { depth: 5 })}`;
        assert.ok(!text.includes('Zebulon'));
        assert.ok(!text.includes('1977'));
        assert.equal(error.details.bodyLength, body.length + 7);
      }
    });

    it('does not echo a long data.type back in full', () => {
      try {
        parseEvent({ data: { type: 'x'.repeat(500), id: 'evt_1', attributes: {} } });
        assert.fail('expected an error');
      } catch (error) {
        assert.ok(error instanceof WebhookVerificationError);
        assert.ok(error.message.length < 200);
      }
    });
  });
});

describe('parseEvent created-at', () => {
  it('reads created-at exactly as Date does, for any timestamp-shaped string', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    const iso = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}Z`);
    fc.assert(
      fc.property(fc.oneof(iso, fc.string({ maxLength: 30 })), (value) => {
        const expected = new Date(value).getTime();
        let actual: number;
        try {
          actual = parseEvent(envelopeAt(value)).createdAt.getTime();
        } catch (error) {
          assert.ok(error instanceof WebhookVerificationError && error.code === 'invalid_event');
          actual = Number.NaN;
        }
        assert.equal(actual, expected, value);
      }),
      { numRuns: 500 },
    );
  });
});

function envelopeAt(createdAt: string): Record<string, unknown> {
  return {
    data: { type: 'event', id: 'evt_1', attributes: { name: 'x', payload: { data: {} }, 'created-at': createdAt } },
  };
}
