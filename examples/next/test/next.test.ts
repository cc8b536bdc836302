// Builds the example with `next build` (about 45 s on 2 cores) and serves it with Next's programmatic
// API behind a node:http server on 127.0.0.1, then posts real signed deliveries to it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nextModule from 'next';
import { createSignedDelivery } from 'persona-webhooks/testing';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(dir, '..', '..');
const secret = 'wbhsec_example-next';
// `next` is CommonJS: tsc sees the module object, tsx hands over the function itself.
const next = ((nextModule as unknown as { default?: unknown }).default ?? nextModule) as typeof nextModule.default;

describe('next.js example (production build, App Router and Pages Router)', { timeout: 300_000 }, () => {
  let base: string;
  let server: Server;
  let close: () => Promise<void>;
  before(
    async () => {
      process.env['PERSONA_WEBHOOK_SECRET'] = secret;
      execFileSync(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build', dir], {
        cwd: root,
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
        stdio: 'pipe',
      });
      const app = next({ dev: false, dir, hostname: '127.0.0.1', port: 0, quiet: true });
      await app.prepare();
      const handle = app.getRequestHandler();
      server = createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await app.close();
      };
    },
    { timeout: 240_000 },
  );
  after(() => close?.());

  it('accepts a signed delivery on the App Router route handler', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
    const counted = (await (await fetch(`${base}/approved`)).json()) as { approved: number };
    assert.ok(counted.approved >= 1);
  });

  it('answers GET on the App Router route with 405 and Allow: POST', async () => {
    const res = await fetch(`${base}/webhooks/persona`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('rejects a tampered delivery on the App Router route', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/webhooks/persona`, { method: 'POST', body: `${body} `, headers });
    assert.equal(res.status, 401);
  });

  it('accepts a signed delivery on an Edge runtime route (Web Crypto) and rejects a tampered one', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const ok = await fetch(`${base}/webhooks/edge`, { method: 'POST', body, headers });
    assert.equal(ok.status, 200, await ok.text());
    const bad = await fetch(`${base}/webhooks/edge`, { method: 'POST', body: `${body} `, headers });
    assert.equal(bad.status, 401, await bad.text());
  });

  it('accepts a signed delivery on the Pages Router API route with bodyParser: false', async () => {
    const { body, headers } = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const res = await fetch(`${base}/api/webhooks/persona`, { method: 'POST', body, headers });
    assert.equal(res.status, 200, await res.text());
  });

  describe('Server Action origin check (Next.js CSRF protection) stays active', () => {
    async function actionForm(): Promise<FormData> {
      const html = await (await fetch(`${base}/`)).text();
      const id = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)?.[1];
      assert.ok(id, 'the page renders a Server Action form');
      const form = new FormData();
      form.set(id, '');
      form.set('email', 'a@example.com');
      return form;
    }

    it('rejects a Server Action POST from a foreign Origin', async () => {
      const res = await fetch(`${base}/`, {
        method: 'POST',
        body: await actionForm(),
        headers: { origin: 'https://evil.example' },
      });
      await res.text();
      assert.ok(res.status >= 400, `status ${res.status}`);
    });

    it('runs the same Server Action from the app origin (the check is real, not broken)', async () => {
      const res = await fetch(`${base}/`, { method: 'POST', body: await actionForm(), headers: { origin: base } });
      await res.text();
      assert.ok(res.status < 400, `status ${res.status}`);
    });
  });
});
