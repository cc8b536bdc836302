// Declaring the API version and inflection once (`declare module 'persona-webhooks' { interface Register … }`)
// retypes every event of the program. The declaration is global, so it is compiled here as a separate program
// against the built package, not as part of the repository's type-check.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '../..');

function compile(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'persona-register-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
    baseUrl: dir,
    paths: { 'persona-webhooks': [join(packageDir, 'dist/index.d.ts')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.start === undefined ? '' : `${d.start}: `}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('Register (module augmentation)', () => {
  it('types every event for the declared API version and inflection, and only for them', () => {
    const errors = compile(`
      import type { PersonaEvent } from 'persona-webhooks';
      declare module 'persona-webhooks' {
        interface Register {
          apiVersion: '2023-01-05';
          inflection: 'camel';
        }
      }
      export function firstName(event: PersonaEvent<'inquiry.approved'>): string | null | undefined {
        const decided: string | null = event.payload.data.attributes.decisionedAt;
        void decided;
        return event.payload.data.attributes.nameFirst;
      }
      export function kebab(event: PersonaEvent<'inquiry.approved'>): string | null | undefined {
        return event.payload.data.attributes['name-first'];
      }
    `);
    // The first function compiles; the second reads a kebab key a camel webhook does not send.
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /unknown/);
  });

  it('defaults to 2025-12-08 and kebab-case without a declaration', () => {
    const errors = compile(`
      import type { PersonaEvent } from 'persona-webhooks';
      export function firstName(event: PersonaEvent<'inquiry.approved'>): string | null | undefined {
        return event.payload.data.attributes.fields['name-first']?.value;
      }
    `);
    assert.deepEqual(errors, []);
  });
});
