// Regenerates the dashboard screenshots in docs/dashboard/ from a seeded fixture (a real SQLite store and
// worker, sample events, some dead letters) in Debian's Chromium.
// Usage: node --import tsx scripts/dashboard-screenshots.ts
import { join } from 'node:path';
import { launchChromium } from '../packages/server/test/helpers/browser.js';
import { FIXTURE_TOKEN, startDashboardFixture } from '../packages/server/test/helpers/dashboard-fixture.js';

const out = join(import.meta.dirname, '..', 'docs', 'dashboard');
const [browser, fixture] = await Promise.all([launchChromium(), startDashboardFixture({ copies: 5 })]);
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const shot = async (name: string, path: string) => {
    await page.goto(`${fixture.origin}${path}`);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`docs/dashboard/${name}.png`);
  };
  await shot('login', '/login');
  await page.getByLabel('Dashboard token').fill(FIXTURE_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${fixture.origin}/`);
  await shot('overview', '/');
  await shot('events', '/events');
  await shot('events-filtered', '/events?name=inquiry.failed&status=dead');
  const [approved] = (await fixture.store.list({ name: 'inquiry.approved' }, { limit: 1 })).events;
  const [dead] = (await fixture.store.list({ status: 'dead' }, { limit: 1 })).events;
  if (approved) await shot('event', `/events/${approved.id}`);
  if (dead) await shot('event-dead', `/events/${dead.id}`);
  await shot('dead-letters', '/dead-letters');
  await shot('replay-all-confirm', '/dead-letters/replay?name=inquiry.failed');
  await page.goto(`${fixture.origin}/signature`);
  await page
    .getByLabel('Persona-Signature header')
    .fill('t=1764686826,v1=5f0c2e4f9b6b1c3d8e7a9f0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d');
  await page.getByLabel('Body (exact bytes as received)').fill('{"data":{"type":"event","id":"evt_123"}}');
  await page.getByLabel('Skip the timestamp check').check();
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByRole('alert').waitFor();
  await page.screenshot({ path: join(out, 'signature.png'), fullPage: true });
  console.log('docs/dashboard/signature.png');
} finally {
  await browser.close();
  await fixture.close();
}
