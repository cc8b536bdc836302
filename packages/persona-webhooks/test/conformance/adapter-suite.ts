// The adapter conformance suite: every framework adapter passes these same cases over real HTTP.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReceiverLike } from '../../src/processing/types.js';
import {
  createSuiteReceiver,
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

/**
 * Defines the adapter conformance suite for one framework. `mount` starts a real server of that
 * framework on 127.0.0.1:0 with the adapter on a route and returns the route's URL.
 */
export function defineAdapterSuite(name: string, mount: Mount, suiteOptions: AdapterSuiteOptions = {}): void {
  describe(`${name} adapter conformance`, () => {
    let app: MountedApp;
    let recorded: Recorded;
    const ran = async (): Promise<Ran> => (app.ran ? app.ran() : recorded);

    before(async () => {
      const made = await createSuiteReceiver();
      recorded = made.recorded;
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

    it('rejects a tampered body with a 4xx and runs nothing', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body);
      const before = (await ran()).handled.length;
      const res = await send(app.url, { body: body.replace('approved', 'declined'), headers });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.equal((await ran()).handled.length, before);
    });

    it('rejects a stale timestamp with a 4xx', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      const res = await send(app.url, { body, headers });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
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
      assert.equal(res.status, 405, res.text);
      assert.equal(res.headers['allow'], 'POST');
    });

    it('answers a non-JSON content type with 415', async () => {
      const body = makeEventBody();
      const headers = await signedHeaders(body);
      const res = await send(app.url, { body, headers: { ...headers, 'content-type': 'text/plain' } });
      assert.equal(res.status, 415, res.text);
    });

    it('answers 413 at once when Content-Length is over the limit', async () => {
      const body = 'x'.repeat(SUITE_MAX_BODY_BYTES + 1);
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 413, res.text);
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
