// Type test: a TypeScript handlers module gets each event typed by its name (checked by `npm run typecheck`).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersonaEvent } from 'persona-webhooks';
import { defineHandlers } from '../src/index.js';

describe('defineHandlers', () => {
  it('types each handler by its event name and returns the map unchanged', () => {
    const seen: string[] = [];
    const map = defineHandlers({
      'inquiry.approved': (event) => {
        const typed: PersonaEvent<'inquiry.approved'> = event;
        // An Inquiry's status is typed; a wrong name for the event would not compile.
        const status: string | null | undefined = event.payload.data.attributes.status;
        seen.push(`${typed.name}:${String(status)}`);
      },
      '*': (event) => {
        seen.push(event.name);
      },
    });
    assert.equal(typeof map['inquiry.approved'], 'function');
    assert.equal(typeof map['*'], 'function');
  });
});
