// The adapter conformance suite: every framework adapter passes these same cases over real HTTP.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReceiverLike } from '../../src/processing/types.js';
import {
  createSuiteReceiver,
  type HttpResult,
  makeEventBody,
  OLD_SECRET,
  type Recorded,
  SECRET,
  send,
  signedHeaders,
  streamOversized,
} from '../adapters/harness.js';

/** The body limit every mount is asked to configure, small so the 413 cases stay quick. */
export const SUITE_MAX_BODY_BYTES = 256 * 1024;

export interface MountOptions {
  readonly receiver: ReceiverLike;
  /** Bytes; the adapter's `maxBodyBytes`. */
  readonly maxBodyBytes: number;
  /** Put the framework's usual JSON body parser in front of the webhook route (a misconfigured app). */
  readonly preParsed: boolean;
}

/** What the suite's handlers ran: the `inquiry.approved` handler, and onAny for every event. */
export interface Ran {
  readonly handled: readonly { readonly id: string; readonly name: string }[];
  readonly anyHandled: readonly { readonly id: string; readonly name: string }[];
}

export interface MountedApp {
  /** Absolute URL of the webhook route on 127.0.0.1. */
  readonly url: string;
  close(): Promise<void>;
  /**
   * What the handlers ran, for an app whose receiver lives in another runtime (Bun, Deno, workerd) and so
   * ignores the one passed to `mount`. Default: the runs of that receiver.
   */
  ran?(): Promise<Ran>;
  /** Switches that app's store off and on, for an app whose receiver lives in another runtime (see `ran`). */
  setStoreDown?(down: boolean): Promise<void>;
}

export type Mount = (options: MountOptions) => Promise<MountedApp>;

export interface AdapterSuiteOptions {
  /** Whether the pre-parsed case answers with our `body_not_raw` (false where the framework keeps raw bytes itself). */
  readonly preParsedGivesBodyNotRaw?: boolean;
  /**
   * How a chunked body past the limit ends: our `413` (default), or either that or the connection closing
   * without it (`'413-or-closed'`): Bun.serve closes it once the handler stops reading, and workerd's 413 can
   * be lost to a connection reset when the machine is busy. Either way, reading must stop early.
   */
  readonly chunkedOverLimit?: 413 | '413-or-closed';
  /**
   * The runtime may go on receiving an over-limit chunked body for a while before its 413 reaches the client
   * (Deno.serve: 37 of 64 MiB in one run on a loaded machine), so the early-stop bound is not asserted.
   */
  readonly mayReceivePastLimit?: boolean;
}

/** The answer is `status` with the library's JSON error body for `code`. */
function assertError(res: HttpResult, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /application\/json/, res.text);
  assert.equal(res.json()['error'], code, res.text);
}

/**
 * Defines the adapter conformance suite for one framework. `mount` starts a real server of that
 * framework on 127.0.0.1:0 with the adapter on a route and returns the route's URL.
 */
export function defineAdapterSuite(name: string, mount: Mount, suiteOptions: AdapterSuiteOptions = {}): void {
  describe(`${name} adapter conformance`, () => {
    let app: MountedApp;
    let recorded: Recorded;
    let setStoreDown: (down: boolean) => void;
    const ran = async (): Promise<Ran> => (app.ran ? app.ran() : recorded);

    before(async () => {
      const made = await createSuiteReceiver();
      recorded = made.recorded;
      setStoreDown = made.setStoreDown;
      app = await mount({ receiver: made.receiver, maxBodyBytes: SUITE_MAX_BODY_BYTES, preParsed: false });
    });
    after(async () => {
      await app.close();
    });

    it('accepts a correctly signed delivery with 200', async () => {
      const body = makeEventBody();
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const id = (JSON.parse(body) as { data: { id: string } }).data.id;
      assert.ok((await ran()).handled.some((e) => e.id === id));
    });

    it('accepts a rotation header with two signature sets when one matches', async () => {
      const body = makeEventBody();
      const res = await send(app.url, { body, headers: await signedHeaders(body, { secret: [OLD_SECRET, SECRET] }) });
      assert.equal(res.status, 200, res.text);
    });

    it('accepts a JSON content type with a charset parameter', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body);
      const res = await send(app.url, {
        body,
        headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      });
      assert.equal(res.status, 200, res.text);
    });

    it('rejects a tampered body with 401 signature_mismatch and runs nothing', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body);
      const before = (await ran()).handled.length;
      const res = await send(app.url, { body: body.replace('approved', 'declined'), headers });
      assertError(res, 401, 'signature_mismatch');
      assert.equal((await ran()).handled.length, before);
    });

    it('rejects a stale timestamp with 401 timestamp_too_old', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      assertError(await send(app.url, { body, headers }), 401, 'timestamp_too_old');
    });

    it('rejects a timestamp an hour ahead with 401 timestamp_in_future', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) + 3600 });
      assertError(await send(app.url, { body, headers }), 401, 'timestamp_in_future');
    });

    it('answers 400 missing_header and 400 malformed_header, and runs nothing', async () => {
      const body = makeEventBody();
      const before = (await ran()).anyHandled.length;
      const { 'persona-signature': _signature, ...unsigned } = await signedHeaders(body);
      assertError(await send(app.url, { body, headers: unsigned }), 400, 'missing_header');
      const malformed = { ...unsigned, 'persona-signature': 'v1=abc' }; // no t=: not a signature set
      assertError(await send(app.url, { body, headers: malformed }), 400, 'malformed_header');
      assert.equal((await ran()).anyHandled.length, before);
    });

    it('answers 400 invalid_json to a correctly signed body that is not JSON', async () => {
      const body = '{"data": not json';
      assertError(await send(app.url, { body, headers: await signedHeaders(body) }), 400, 'invalid_json');
    });

    it('answers 400 invalid_event to correctly signed JSON that is not an event envelope', async () => {
      const body = JSON.stringify({ data: { type: 'inquiry', id: 'inq_not_an_event', attributes: {} } });
      assertError(await send(app.url, { body, headers: await signedHeaders(body) }), 400, 'invalid_event');
    });

    it('answers 503 store_unavailable with Retry-After while the store is down, then takes the same delivery', async () => {
      const switchStore = async (value: boolean) => {
        if (app.setStoreDown !== undefined) await app.setStoreDown(value);
        else if (app.ran === undefined) setStoreDown(value);
        else throw new Error('an app whose receiver runs elsewhere must offer setStoreDown');
      };
      const body = makeEventBody();
      const id = (JSON.parse(body) as { data: { id: string } }).data.id;
      await switchStore(true);
      let down: HttpResult;
      try {
        down = await send(app.url, { body, headers: await signedHeaders(body) });
      } finally {
        await switchStore(false);
      }
      assertError(down, 503, 'store_unavailable');
      assert.match(String(down.headers['retry-after']), /^\d+$/, 'Retry-After tells Persona when to retry');
      assert.ok(!(await ran()).anyHandled.some((e) => e.id === id), 'nothing ran for an event that was not stored');
      // Persona's retry, once the database is back: stored and handled now, not taken for a duplicate.
      const again = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(again.status, 200, again.text);
      assert.notEqual(again.json()['duplicate'], true);
      assert.equal((await ran()).anyHandled.filter((e) => e.id === id).length, 1);
    });

    it('acknowledges the same event twice with 200 and runs its handler once', async () => {
      const body = makeEventBody();
      const id = (JSON.parse(body) as { data: { id: string } }).data.id;
      const first = await send(app.url, { body, headers: await signedHeaders(body) });
      const second = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(first.status, 200, first.text);
      assert.equal(second.status, 200, second.text);
      const { handled, anyHandled } = await ran();
      assert.equal(handled.filter((e) => e.id === id).length, 1);
      assert.equal(anyHandled.filter((e) => e.id === id).length, 1);
    });

    it('routes an unknown event name to onAny with 200', async () => {
      const body = makeEventBody('brand-new-resource.invented');
      const id = (JSON.parse(body) as { data: { id: string } }).data.id;
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
      const { handled, anyHandled } = await ran();
      assert.ok(anyHandled.some((e) => e.id === id && e.name === 'brand-new-resource.invented'));
      assert.ok(!handled.some((e) => e.id === id));
    });

    it('answers GET with 405 and Allow: POST', async () => {
      const res = await send(app.url, { method: 'GET' });
      assertError(res, 405, 'method_not_allowed');
      assert.equal(res.headers['allow'], 'POST');
    });

    it('answers a non-JSON content type with 415', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body);
      const res = await send(app.url, { body, headers: { ...headers, 'content-type': 'text/plain' } });
      assertError(res, 415, 'unsupported_media_type');
    });

    it('answers 413 at once when Content-Length is over the limit', async () => {
      const body = 'x'.repeat(SUITE_MAX_BODY_BYTES + 1);
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assertError(res, 413, 'payload_too_large');
    });

    const orClosed = suiteOptions.chunkedOverLimit === '413-or-closed';
    it(`answers 413${orClosed ? ' or closes the connection' : ''} to a chunked body past the limit before the client has sent it all`, async () => {
      const planned = 64 * 1024 * 1024;
      const headers = { 'content-type': 'application/json', 'persona-signature': 't=1,v1=00' };
      const outcome: { status: number | 'closed'; bytesWritten: number } = await streamOversized(
        app.url,
        planned,
        headers,
      ).catch((error: Error) => {
        const written = /connection closed without a response after (\d+) bytes/.exec(error.message)?.[1];
        if (!orClosed || written === undefined) throw error;
        return { status: 'closed', bytesWritten: Number(written) };
      });
      assert.ok(outcome.status === 413 || outcome.status === 'closed', `status ${outcome.status}`);
      const { bytesWritten } = outcome;
      // The server stopped reading near the limit: the client never got to send most of the 64 MiB.
      if (suiteOptions.mayReceivePastLimit !== true) {
        assert.ok(bytesWritten < planned / 4, `client wrote ${bytesWritten} bytes before the answer`);
      }
    });

    describe('behind a JSON body parser that already consumed the body', () => {
      let parsedApp: MountedApp;
      before(async () => {
        parsedApp = await mount({
          receiver: (await createSuiteReceiver()).receiver,
          maxBodyBytes: SUITE_MAX_BODY_BYTES,
          preParsed: true,
        });
      });
      after(async () => {
        await parsedApp.close();
      });

      if (suiteOptions.preParsedGivesBodyNotRaw === false) {
        it('still verifies, because the framework kept the raw bytes', async () => {
          const body = makeEventBody();
          const res = await send(parsedApp.url, { body, headers: await signedHeaders(body) });
          assert.equal(res.status, 200, res.text);
        });
      } else {
        it('answers a clear body_not_raw error naming the fix, not a signature mismatch', async () => {
          const body = makeEventBody();
          const res = await send(parsedApp.url, { body, headers: await signedHeaders(body) });
          assert.equal(res.status, 500, res.text);
          const json = res.json();
          assert.equal(json['error'], 'body_not_raw');
          assert.match(String(json['message']), /raw/i);
        });
      }
    });
  });
}
