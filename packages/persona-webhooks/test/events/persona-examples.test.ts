// Every official example body of Persona's spec (131 bodies for 130 events, two API versions), in each of the
// three key inflections as Persona would send it: signed, verified, parsed, stored once (memory and a SQLite
// file) and handed to a handler registered for its name.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { API_VERSIONS, type ApiVersion, type KeyInflection } from '../../src/events/api-versions.js';
import type { EventName } from '../../src/events/names.js';
import type { PersonaEvent } from '../../src/events/parse.js';
import { createHandlers } from '../../src/processing/handlers.js';
import { createWebhookReceiver } from '../../src/processing/receive.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { EventStore } from '../../src/store/store.js';
import { createSignedDelivery, inflectKeys } from '../../src/testing/index.js';
import { officialExamples } from '../helpers/persona-openapi.js';

const SECRET = 'wbhsec_examples-test-secret';
const INFLECTIONS: readonly KeyInflection[] = ['kebab', 'camel', 'snake'];

interface Envelope {
  data: { id: string; attributes: { name: string; payload: { data: { type: string; id: string } } } };
}

/** Sends every example of `version` in `inflection` through a receiver over `store`, twice each. */
async function deliverAll(store: EventStore, version: ApiVersion, inflection: KeyInflection): Promise<number> {
  const examples = officialExamples(version);
  const seen = new Map<string, number>();
  const handlers = createHandlers();
  const handled = (event: PersonaEvent<EventName>) => {
    seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
    assert.equal(event.inflection, inflection);
  };
  for (const name of new Set(examples.map((e) => e.name))) handlers.on(name as EventName, handled);
  const receiver = createWebhookReceiver({ secret: SECRET, store, mode: 'inline', handlers });

  for (const [index, example] of examples.entries()) {
    const envelope = structuredClone(example.body) as Envelope;
    // Persona's examples reuse ids across events (and across the two document.processed bodies): each
    // delivery here is a distinct event.
    envelope.data.id = `${envelope.data.id}_${version.replace(/-/g, '')}_${inflection}_${index}`;
    const body = JSON.stringify(inflectKeys(envelope, inflection, { apiVersion: version }));
    const delivery = await createSignedDelivery({ body, secret: SECRET });
    const label = `${version} ${inflection} ${example.name} (${example.label})`;

    const first = await receiver.receive(delivery);
    assert.equal(first.outcome, 'accepted', `${label}: ${JSON.stringify(first.body)}`);
    assert.equal(first.eventId, envelope.data.id, label);
    assert.equal(first.eventName, example.name, label);
    const again = await receiver.receive(delivery);
    assert.equal(again.outcome, 'duplicate', label);

    const stored = await store.get(envelope.data.id);
    assert.equal(stored?.status, 'succeeded', label);
    assert.equal(stored?.deliveries, 2, label);
    assert.equal(stored?.name, example.name, label);
    assert.equal(stored?.body, body, label);
    assert.equal(seen.get(envelope.data.id), 1, `${label}: handler runs`);
  }
  return examples.length;
}

describe("Persona's official example bodies", () => {
  it('number 131 per version (130 events, document.processed has two)', () => {
    for (const version of API_VERSIONS) {
      const examples = officialExamples(version);
      assert.equal(examples.length, 131, version);
      assert.equal(new Set(examples.map((e) => e.name)).size, 130, version);
    }
  });

  for (const version of API_VERSIONS) {
    for (const inflection of INFLECTIONS) {
      it(`${version} ${inflection}: each is verified, parsed, stored once and handled once (memory store)`, async () => {
        const store = createMemoryStore();
        await store.migrate();
        assert.equal(await deliverAll(store, version, inflection), 131);
      });
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'persona-examples-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const version of API_VERSIONS) {
    it(`${version}: each, in all three inflections, is stored once in a SQLite file`, async () => {
      const database = new Database(join(dir, `${version}.db`));
      const store = createSqliteStore({ database });
      await store.migrate();
      let total = 0;
      for (const inflection of INFLECTIONS) total += await deliverAll(store, version, inflection);
      assert.equal(total, 393);
      await store.close();
      database.close();
    });
  }
});
