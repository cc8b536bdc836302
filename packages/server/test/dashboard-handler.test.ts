// The dashboard's fetch handler without a browser: authentication, CSRF and Origin rules, read-only mode,
// bulk-replay confirmation, escaping, masking, mounting under a path, and the signature check.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventStore, StoreUnavailableError } from 'persona-webhooks';
import { createMemoryStore } from 'persona-webhooks/memory';
import { createSignedDelivery } from 'persona-webhooks/testing';
import { createDashboard, type DashboardAuditEntry, type DashboardOptions } from '../src/dashboard/index.js';
import { MASKED, maskPersonalData } from '../src/dashboard/personal-data-mask.js';

const TOKEN = 'pwd_handler_test_token_0123456789';
const ORIGIN = 'http://dash.test';

async function setup(overrides: Partial<DashboardOptions> = {}) {
  const store = createMemoryStore();
  await store.migrate();
  const audit: DashboardAuditEntry[] = [];
  const handler = createDashboard({ store, auth: { token: TOKEN }, onAudit: (e) => audit.push(e), ...overrides });
  const base = overrides.basePath ?? '';
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('cookie', init.cookie);
    return handler(new Request(`${ORIGIN}${base}${path}`, { ...init, headers }));
  };
  const post = (path: string, form: Record<string, string>, cookie?: string, origin = ORIGIN) =>
    request(path, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      ...(cookie ? { cookie } : {}),
    });
  /** Signs in and returns the session cookie and the CSRF token of the session. */
  const signIn = async () => {
    const login = await post('/login', { token: TOKEN, next: `${base}/` });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const home = await (await request('/signature', { cookie })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
    assert.ok(csrf, 'pages carry a CSRF token');
    return { cookie, csrf };
  };
  return { store: store as EventStore, audit, request, post, signIn };
}

async function deadEvent(store: EventStore, id: string, name = 'inquiry.failed', body = '{"data":{}}') {
  await store.insertIfAbsent({ id, name, createdAt: new Date(), resourceId: 'inq_1', body });
  await store.claim({ owner: 'w', leaseMs: 60_000, limit: 10 });
  await store.fail(id, 'w', { error: 'crm-sync: Error: 503', retryAt: null });
}

describe('dashboard handler', () => {
  it('cannot be created without a sign-in, or with a short token', () => {
    const store = createMemoryStore();
    assert.throws(() => createDashboard({ store } as unknown as DashboardOptions), /no anonymous mode/);
    assert.throws(() => createDashboard({ store, auth: { token: 'short' } }), /at least 16 characters/);
    assert.throws(() => createDashboard({ store, auth: { username: 'ops', password: 'short' } }), /12 characters/);
  });

  it('sends the security headers on every response, with a CSP that allows no inline script', async () => {
    const { request, signIn } = await setup();
    const { cookie } = await signIn();
    for (const response of [
      await request('/login'),
      await request('/', { cookie }),
      await request('/nope', { cookie }),
    ]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }
  });

  it('redirects a page without a session to the login, and answers an action without one with 401', async () => {
    const { request, post, store } = await setup({ actions: true });
    await deadEvent(store, 'evt_1');
    const page = await request('/events?status=dead');
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login?next=%2Fevents%3Fstatus%3Ddead');
    assert.equal((await post('/events/evt_1/replay', { _csrf: 'x' })).status, 401);
    assert.equal((await store.get('evt_1'))?.status, 'dead');
  });

  it('sets the session cookie HttpOnly and SameSite=Strict, and never redirects outside after login', async () => {
    const { post } = await setup();
    const login = await post('/login', { token: TOKEN, next: '//evil.example/' });
    assert.equal(login.headers.get('location'), '/');
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const wrong = await post('/login', { token: 'pwd_wrong_token_0123456789' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  it('refuses a POST from another origin, without a CSRF token, or as a GET', async () => {
    const { request, post, store, signIn, audit } = await setup({ actions: true });
    await deadEvent(store, 'evt_1');
    const { cookie, csrf } = await signIn();
    assert.equal((await post('/events/evt_1/replay', { _csrf: csrf }, cookie, 'http://evil.test')).status, 403);
    assert.equal(audit.at(-1)?.reason, 'cross-site request');
    assert.equal((await post('/events/evt_1/replay', {}, cookie)).status, 403);
    assert.equal((await post('/events/evt_1/replay', { _csrf: `${csrf}x` }, cookie)).status, 403);
    assert.equal((await request('/events/evt_1/replay', { cookie })).status, 405);
    assert.equal((await store.get('evt_1'))?.status, 'dead');
    const ok = await post('/events/evt_1/replay', { _csrf: csrf }, cookie);
    assert.equal(ok.status, 303);
    assert.equal((await store.get('evt_1'))?.status, 'pending');
    assert.deepEqual(
      audit.filter((e) => e.action === 'replay').map((e) => [e.eventId, e.count]),
      [['evt_1', 1]],
    );
  });

  it('is read-only by default: no replay button, and a replay POST is refused', async () => {
    const { request, post, store, signIn } = await setup();
    await deadEvent(store, 'evt_1');
    const { cookie, csrf } = await signIn();
    const page = await (await request('/events/evt_1', { cookie })).text();
    assert.doesNotMatch(page, /Replay this event/);
    assert.match(page, /read-only/);
    const refused = await post('/events/evt_1/replay', { _csrf: csrf }, cookie);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /read-only/);
    assert.equal((await store.get('evt_1'))?.status, 'dead');
  });

  it('replays all matching dead letters only when the confirmed count still holds', async () => {
    const { request, post, store, signIn } = await setup({ actions: true });
    await deadEvent(store, 'evt_1');
    await deadEvent(store, 'evt_2');
    await deadEvent(store, 'evt_3', 'case.created');
    const { cookie, csrf } = await signIn();
    const confirm = await (await request('/dead-letters/replay?name=inquiry.failed', { cookie })).text();
    assert.match(confirm, /Replay 2 dead events\?/);
    const stale = await post('/dead-letters/replay', { _csrf: csrf, name: 'inquiry.failed', expected: '1' }, cookie);
    assert.equal(stale.status, 409);
    assert.match(await stale.text(), /changed from 1 to 2/);
    assert.equal(await store.count({ status: 'dead' }), 3);
    const done = await post('/dead-letters/replay', { _csrf: csrf, name: 'inquiry.failed', expected: '2' }, cookie);
    assert.equal(done.headers.get('location'), '/dead-letters?replayed=2');
    assert.equal(await store.count({ status: 'dead' }), 1);
  });

  it('escapes stored text and masks personal fields in the payload', async () => {
    const { request, store, signIn } = await setup();
    const body = JSON.stringify({
      data: {
        attributes: { payload: { data: { attributes: { 'name-first': 'Jane', note: '</pre><script>x()</script>' } } } },
      },
    });
    await deadEvent(store, 'evt_x', 'inquiry.<b>failed</b>', body);
    const { cookie } = await signIn();
    const page = await (await request('/events/evt_x', { cookie })).text();
    assert.doesNotMatch(page, /<b>failed<\/b>|<script>x/);
    assert.match(page, /inquiry\.&lt;b&gt;failed&lt;\/b&gt;/);
    assert.doesNotMatch(page, /Jane/);
  });

  it('shows a bad filter as a notice on the page rather than an error', async () => {
    const { request, signIn } = await setup();
    const { cookie } = await signIn();
    const response = await request('/events?status=lost&from=yesterday', { cookie });
    assert.equal(response.status, 200);
    const page = await response.text();
    assert.match(page, /status: &quot;lost&quot; is not one of/);
    assert.match(page, /from: &quot;yesterday&quot; is not a date/);
    const badCursor = await request('/events?cursor=nope', { cookie });
    assert.equal(badCursor.status, 400);
  });

  it('offers the source filter on an empty store and applies it', async () => {
    const { store, request, signIn } = await setup();
    const { cookie } = await signIn();
    const empty = await (await request('/events', { cookie })).text();
    assert.match(empty, /<select name="source">/, 'the filter is there before any event is stored');
    const base = { name: 'inquiry.approved', createdAt: new Date(), resourceId: 'inq_1', body: '{"data":{}}' };
    await store.insertIfAbsent({ ...base, id: 'evt_from_webhook' });
    await store.insertIfAbsent({ ...base, id: 'evt_from_api', source: 'api' });
    const api = await (await request('/events?source=api', { cookie })).text();
    assert.match(api, /evt_from_api/);
    assert.doesNotMatch(api, /evt_from_webhook/);
    assert.match(api, /<option value="api" selected>/);
  });

  it('answers 503 with a plain page when the store is unreachable', async () => {
    const store = createMemoryStore();
    const errors: unknown[] = [];
    const down: EventStore = {
      ...store,
      stats: () => Promise.reject(new StoreUnavailableError('connect ECONNREFUSED')),
    };
    const handler = createDashboard({
      store: down,
      auth: { token: TOKEN },
      onAudit: () => {},
      onError: (e) => errors.push(e),
    });
    const login = await handler(
      new Request(`${ORIGIN}/login`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${TOKEN}`,
      }),
    );
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const response = await handler(new Request(`${ORIGIN}/`, { headers: { cookie } }));
    assert.equal(response.status, 503);
    assert.match(await response.text(), /database is unreachable/);
    assert.equal(errors.length, 1);
  });

  it('accepts basic auth instead of a token, and asks for it with WWW-Authenticate', async () => {
    const { request } = await setup({ auth: { username: 'ops', password: 'correct horse battery' } });
    const none = await request('/');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic /);
    const bad = await request('/', { headers: { authorization: `Basic ${btoa('ops:wrong password!')}` } });
    assert.equal(bad.status, 401);
    const good = await request('/', { headers: { authorization: `Basic ${btoa('ops:correct horse battery')}` } });
    assert.equal(good.status, 200);
    assert.match(good.headers.get('set-cookie') ?? '', /persona_dashboard_session=.+HttpOnly; SameSite=Strict/);
  });

  it('mounts under a base path: links carry it and other paths are not its own', async () => {
    const { request, signIn } = await setup({ basePath: '/ops/persona' });
    const { cookie } = await signIn();
    const page = await (await request('/events', { cookie })).text();
    assert.match(page, /href="\/ops\/persona\/dead-letters"/);
    assert.match(page, /href="\/ops\/persona\/assets\/dashboard\.css\?v=/);
    const handler = createDashboard({ store: createMemoryStore(), auth: { token: TOKEN }, basePath: '/ops/persona' });
    assert.equal((await handler(new Request(`${ORIGIN}/other`))).status, 404);
  });

  it('checks a signature with the configured secret, and undoes the CRLF line breaks a form adds', async () => {
    const secret = 'wbhsec_dashboard_test';
    const { post, signIn } = await setup({ secret });
    const { cookie, csrf } = await signIn();
    const delivery = await createSignedDelivery({ event: 'inquiry.approved', secret });
    const header = delivery.headers['persona-signature'] ?? '';
    const valid = await (await post('/signature', { _csrf: csrf, header, body: delivery.body }, cookie)).text();
    assert.match(valid, /<strong>Valid\.<\/strong>/);
    const pretty = JSON.stringify(JSON.parse(delivery.body), null, 2);
    const signedPretty = await createSignedDelivery({ body: pretty, secret });
    const crlf = pretty.replaceAll('\n', '\r\n');
    const matched = await (
      await post(
        '/signature',
        { _csrf: csrf, header: signedPretty.headers['persona-signature'] ?? '', body: crlf },
        cookie,
      )
    ).text();
    assert.match(matched, /Matched after turning the pasted CRLF/);
    const wrong = await (await post('/signature', { _csrf: csrf, header, body: `${delivery.body} ` }, cookie)).text();
    assert.match(wrong, /signature_mismatch/);
    assert.doesNotMatch(wrong, new RegExp(secret));
  });
});

describe('maskPersonalData (the dashboard’s)', () => {
  it('masks with the library’s default-deny rules, marking each hidden value in words', () => {
    const masked = maskPersonalData({
      data: {
        type: 'event',
        id: 'evt_2CVZ4HyVg7qaboXz8ps8Lm5b',
        attributes: {
          name: 'inquiry.approved',
          payload: {
            data: {
              type: 'inquiry',
              attributes: {
                status: 'approved',
                'name-first': 'Jane',
                nameLast: 'Doe',
                address_city: 'Paris',
                birthdate: null,
                'front-photo-url': 'https://files.example/x?token=abc',
                'document-number': 'X1234567',
                fields: { 'selected-country-code': { type: 'string', value: 'FR' } },
              },
            },
            included: [{ attributes: { 'email-address': 'j@example.com', 'ip-address': '203.0.113.9' } }],
          },
        },
      },
    });
    assert.deepEqual(masked, {
      data: {
        type: 'event',
        id: 'evt_2CVZ4HyVg7qaboXz8ps8Lm5b',
        attributes: {
          name: 'inquiry.approved',
          payload: {
            data: {
              type: 'inquiry',
              attributes: {
                status: 'approved',
                'name-first': MASKED,
                nameLast: MASKED,
                address_city: MASKED,
                birthdate: null,
                'front-photo-url': MASKED,
                'document-number': MASKED,
                fields: { 'selected-country-code': { type: 'string', value: MASKED } },
              },
            },
            included: [{ attributes: { 'email-address': MASKED, 'ip-address': MASKED } }],
          },
        },
      },
    });
  });
});
