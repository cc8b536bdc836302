// The vendored Persona spec (data/persona-openapi), its example bodies and a JSON Schema 2020-12 validator over it.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { eventSchema, exampleBodies } from '../../../../scripts/persona-openapi/events.mjs';
import type { ApiVersion } from '../../src/events/api-versions.js';

export interface SpecDocument {
  readonly webhooks: Readonly<Record<string, unknown>>;
}

const documents = new Map<ApiVersion, SpecDocument>();

/** The trimmed spec of one API version, as committed. */
export function specOf(version: ApiVersion): SpecDocument {
  let doc = documents.get(version);
  if (doc === undefined) {
    const url = new URL(`../../../../data/persona-openapi/${version}/openapi.json`, import.meta.url);
    doc = JSON.parse(readFileSync(url, 'utf8')) as SpecDocument;
    documents.set(version, doc);
  }
  return doc;
}

/** Every official example body of one version: 131 bodies for 130 events (`document.processed` has two). */
export function officialExamples(version: ApiVersion): { name: string; label: string; body: unknown }[] {
  const doc = specOf(version);
  return Object.keys(doc.webhooks).flatMap((name) =>
    exampleBodies(doc, name).map(({ label, body }) => ({ name, label, body })),
  );
}

/** A validator of event bodies against the spec's schemas (the webhook's, or the derived one for other names). */
export function eventValidator(version: ApiVersion): (name: string, body: unknown) => ValidateFunction['errors'] {
  const doc = specOf(version);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  // Persona writes `format: integer` on some integer fields; it is not a JSON Schema format, nothing to check.
  ajv.addFormat('integer', true);
  ajv.addSchema(doc as object, 'persona');
  const compiled = new Map<string, ValidateFunction>();
  return (name, body) => {
    let validate = compiled.get(name);
    if (validate === undefined) {
      validate = ajv.compile(eventSchema(doc, name, 'persona'));
      compiled.set(name, validate);
    }
    return validate(body) ? null : (validate.errors ?? null);
  };
}

/** Every key path of a JSON value, array positions written `[]`: `data.attributes.payload.data.id`, … */
export function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${prefix}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      keyPaths(child, path, out);
    }
  }
  return out;
}
