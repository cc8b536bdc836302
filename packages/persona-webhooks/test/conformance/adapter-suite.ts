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

export interface MountedApp {
  /** Absolute URL of the webhook route on 127.0.0.1. */
  readonly url: string;
  close(): Promise<void>;
}

export type Mount = (options: MountOptions) => Promise<MountedApp>;

export interface AdapterSuiteOptions {
  /** Whether the pre-parsed case answers with our `body_not_raw` (false where the framework keeps raw bytes itself). */
  readonly preParsedGivesBodyNotRaw?: boolean;
}

/**
 * Defines the adapter conformance suite for one framework. `mount` starts a real server of that
 * framework on 127.0.0.1:0 with the adapter on a route and returns the route's URL.
 */
export function defineAdapterSuite(name: string, mount: Mount, suiteOptions: AdapterSuiteOptions = {}): void {
  describe(`${name} adapter conformance`, () => {
    let app: MountedApp;
    let recorded: Recorded;

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
      assert.ok(recorded.handled.some((e) => e.id === id));
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
      const before = recorded.handled.length;
      const res = await send(app.url, { body: body.replace('approved', 'declined'), headers });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.equal(recorded.handled.length, before);
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
      assert.equal(recorded.handled.filter((e) => e.id === id).length, 1);
      assert.equal(recorded.anyHandled.filter((e) => e.id === id).length, 1);
    });

    it('routes an unknown event name to onAny with 200', async () => {
      const body = makeEventBody('brand-new-resource.invented');
      const id = (JSON.parse(body) as { data: { id: string } }).data.id;
      const res = await send(app.url, { body, headers: await signedHeaders(body) });
      assert.equal(res.status, 200, res.text);
      assert.ok(recorded.anyHandled.some((e) => e.id === id && e.name === 'brand-new-resource.invented'));
      assert.ok(!recorded.handled.some((e) => e.id === id));
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

    it('answers 413 to a chunked body past the limit before the client has sent it all', async () => {
      const planned = 64 * 1024 * 1024;
      const { status, bytesWritten } = await streamOversized(app.url, planned, {
        'content-type': 'application/json',
        'persona-signature': 't=1,v1=00',
      });
      assert.equal(status, 413);
      // The server stopped reading near the limit: the client never got to send most of the 64 MiB.
      assert.ok(bytesWritten < planned / 4, `client wrote ${bytesWritten} bytes before the answer`);
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
