// The dashboard in a real browser (Debian's Chromium via playwright-core) over a real SQLite store and a real
// worker: sign-in, filters, masked payloads, replay, refusals, and axe-core accessibility checks on every page.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, launchChromium } from './helpers/browser.js';
import { type DashboardFixture, FIXTURE_TOKEN, startDashboardFixture } from './helpers/dashboard-fixture.js';

const skip = browserSkipReason();

describe('dashboard in Chromium', { skip: skip ?? false, timeout: 240_000 }, () => {
  let browser: Browser;
  let fixture: DashboardFixture;

  before(async () => {
    [browser, fixture] = await Promise.all([launchChromium(), startDashboardFixture()]);
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${fixture.origin}/`);
    await page.getByLabel('Dashboard token').fill(FIXTURE_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${fixture.origin}/`);
    return { context, page };
  }

  async function assertAccessible(page: Page, what: string): Promise<void> {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${what}: axe-core found violations`);
  }

  it('has an axe-core check that does find violations (a page with an unlabelled input)', async () => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="en"><title>x</title><main><input></main></html>');
    const ids = (await axeViolations(page)).map((v) => v.id);
    assert.ok(ids.includes('label'), `expected a label violation, got ${ids.join(', ')}`);
    await page.close();
  });

  it('refuses every page without the token, and signs in with it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${fixture.origin}/events?status=dead`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(response?.headers()['x-frame-options'], 'DENY');
    assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await assertAccessible(page, 'login page');
    await page.getByLabel('Dashboard token').fill('pwd_not_the_token_at_all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the dashboard token' }).waitFor();
    await page.getByLabel('Dashboard token').fill(FIXTURE_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${fixture.origin}/events?status=dead`);
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'persona_dashboard_session');
    assert.equal(session?.httpOnly, true);
    assert.equal(session?.sameSite, 'Strict');
    assert.ok(fixture.audit.some((e) => e.action === 'login_failed'));
    await context.close();
  });

  it('shows the overview with counts, the chart and the reconcile panel, accessibly', async () => {
    const { context, page } = await signedIn();
    const stats = await fixture.store.stats();
    const deadCard = page.locator('.card', { hasText: 'dead' }).first();
    assert.equal((await deadCard.locator('.n').textContent())?.trim(), String(stats.byStatus.dead));
    await page.getByRole('img', { name: /Events per minute/ }).waitFor();
    await page.getByText('No reconcile run recorded').waitFor();
    await assertAccessible(page, 'overview');
    await context.close();
  });

  it('filters by name and status into a shareable URL', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.getByLabel('Event name').fill('inquiry.failed');
    await page.getByLabel('Status').selectOption('dead');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/name=inquiry.failed/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('status'), 'dead');
    const rows = page.locator('tbody tr');
    const expected = await fixture.store.count({ name: 'inquiry.failed', status: 'dead' });
    assert.ok(expected > 0);
    assert.equal(await rows.count(), expected);
    for (const text of await rows.allTextContents()) assert.match(text, /inquiry\.failed/);
    assert.equal(await page.locator('datalist#event-names option').count(), 250);
    await assertAccessible(page, 'events list');
    // The same URL in a fresh page shows the same rows.
    const shared = await context.newPage();
    await shared.goto(url.toString());
    assert.equal(await shared.locator('tbody tr').count(), expected);
    await context.close();
  });

  it('opens an event with personal fields masked, and reveals them only by a logged action', async () => {
    const { context, page } = await signedIn();
    const [approved] = (await fixture.store.list({ name: 'inquiry.approved' }, { limit: 1, withBody: true })).events;
    assert.ok(approved?.body);
    // A personal value from the stored payload (top-level attributes or `fields`, depending on the API version;
    // a `fields` entry is { type, value }, and its type, `string`, is not personal).
    const personal: string[] = [];
    const walk = (value: unknown, underPersonal: boolean): void => {
      if (typeof value === 'string' && underPersonal && value.length >= 4) personal.push(value);
      else if (value !== null && typeof value === 'object')
        for (const [k, v] of Object.entries(value))
          if (k !== 'type') walk(v, underPersonal || /^(name-first|name-last|birthdate)$/.test(k));
    };
    walk(JSON.parse(approved.body), false);
    const firstName = personal[0];
    assert.ok(firstName);
    await page.goto(`${fixture.origin}/events?name=inquiry.approved`);
    await page.getByRole('link', { name: 'inquiry.approved' }).first().click();
    await page.getByRole('heading', { name: 'Payload' }).waitFor();
    const masked = (await page.locator('pre').textContent()) ?? '';
    assert.match(masked, /•••• masked/);
    assert.ok(!masked.includes(firstName), 'the first name must not appear before a reveal');
    assert.ok(!(await page.content()).includes(firstName));
    await assertAccessible(page, 'event page');
    const reveals = fixture.audit.filter((e) => e.action === 'reveal').length;
    await page.getByRole('button', { name: /Reveal personal fields/ }).click();
    await page.getByText('Personal fields revealed').waitFor();
    assert.ok(((await page.locator('pre').textContent()) ?? '').includes(firstName));
    assert.equal(fixture.audit.filter((e) => e.action === 'reveal').length, reveals + 1);
    assert.equal(fixture.audit.at(-1)?.eventId, approved.id);
    await context.close();
  });

  it('replays a dead event and watches it succeed', async () => {
    const { context, page } = await signedIn();
    const [dead] = (await fixture.store.list({ status: 'dead', name: 'report/watchlist.matched' }, { limit: 1 }))
      .events;
    assert.ok(dead, 'the fixture has a dead watchlist event');
    fixture.failing.delete('report/watchlist.matched');
    await page.goto(`${fixture.origin}/dead-letters`);
    await assertAccessible(page, 'dead letters');
    await page.goto(`${fixture.origin}/events/${dead.id}`);
    await page.getByRole('button', { name: 'Replay this event' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed' }).waitFor();
    // The page reloads itself while the event is in flight, until the worker records the outcome.
    await page.locator('h1 .status-succeeded').waitFor({ timeout: 30_000 });
    assert.equal((await fixture.store.get(dead.id))?.status, 'succeeded');
    await context.close();
  });

  it('replays all dead letters matching a filter after a confirmation naming how many', async () => {
    const { context, page } = await signedIn();
    fixture.failing.delete('inquiry.failed');
    const matching = await fixture.store.count({ status: 'dead', name: 'inquiry.failed' });
    assert.ok(matching >= 2);
    await page.goto(`${fixture.origin}/dead-letters?name=inquiry.failed`);
    await page.getByRole('link', { name: `Replay all ${matching}…` }).click();
    await page.getByRole('heading', { name: `Replay ${matching} dead events?` }).waitFor();
    await assertAccessible(page, 'bulk replay confirmation');
    await page.getByRole('button', { name: `Replay ${matching} events` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Replayed ${matching} events.` })
      .waitFor();
    await fixture.settled();
    assert.equal(await fixture.store.count({ status: 'dead', name: 'inquiry.failed' }), 0);
    assert.equal(fixture.audit.at(-1)?.action, 'replay_all');
    await context.close();
  });

  it('checks a pasted signature and explains a mismatch', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Signature check' }).click();
    await assertAccessible(page, 'signature check');
    await page.getByLabel('Persona-Signature header').fill(`t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`);
    await page.getByLabel('Body (exact bytes as received)').fill('{"data":{"type":"event"}}');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByRole('alert').filter({ hasText: 'signature_mismatch' }).waitFor();
    await page.getByText(/Likely cause: the body is not the exact bytes/).waitFor();
    await context.close();
  });

  it('refuses a cross-site POST, even from a browser with a session', async () => {
    const { context, page } = await signedIn();
    const [dead] = (await fixture.store.list({ status: 'dead' }, { limit: 1 })).events;
    assert.ok(dead);
    // Another origin serves a page that auto-submits a replay form to the dashboard (a CSRF attempt).
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="post" action="${fixture.origin}/events/${dead.id}/replay">
<input name="_csrf" value="guessed"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const response = page.waitForResponse((r) => r.url().endsWith('/replay'));
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      assert.equal((await response).status(), 403);
      await page.getByText('Cross-site request refused').waitFor();
      assert.equal((await fixture.store.get(dead.id))?.status, 'dead');
      assert.equal(fixture.audit.at(-1)?.reason, 'cross-site request');
      // Same origin but no CSRF token: refused too.
      await page.goto(`${fixture.origin}/`);
      const status = await page.evaluate(
        (id) =>
          fetch(`/events/${id}/replay`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: '',
          }).then((r) => r.status),
        dead.id,
      );
      assert.equal(status, 403);
      assert.equal((await fixture.store.get(dead.id))?.status, 'dead');
    } finally {
      attacker.close();
      attacker.closeAllConnections();
      await context.close();
    }
  });

  it('is usable from the keyboard: skip link first, then the navigation', async () => {
    const { context, page } = await signedIn();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Events');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${fixture.origin}/events`);
    // Focus is visible: the outline of a focused link is not "none".
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    assert.notEqual(outline, 'none');
    await context.close();
  });
});
