// What the vendored spec says about each event: its JSON Schema, its official example bodies, and (for the
// names the spec has no webhook for) a schema derived from the resource's own schema. Used by the generator
// and by the tests, so both read one definition.

/** The API versions the project ships data for, newest first (the first is the default). */
export const API_VERSIONS = ['2025-12-08', '2023-01-05'];

/** Id prefixes of the resources the spec has no schema for (Persona's ids are opaque; these are plausible). */
const GENERIC_PREFIXES = {
  'account-property': 'actprop_',
  'agent-conversation': 'agconv_',
  authentication: 'auth_',
  'case-message': 'cmsg_',
  checkpoint: 'chkpt_',
  filing: 'fil_',
  'integration-log': 'intlog_',
  report: 'rep_',
  sar: 'sar_',
  session: 'sess_',
};

export function escapePointer(part) {
  return part.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Resolves a local `#/…` reference in `doc`. */
export function resolveRef(doc, ref) {
  let target = doc;
  for (const part of ref.slice(2).split('/')) target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
  return target;
}

/** The official example bodies of one event, in the spec's order (`document.processed` has two). */
export function exampleBodies(doc, name) {
  const content = doc.webhooks[name]?.post.requestBody.content['application/json'];
  if (content === undefined) return [];
  return Object.entries(content.examples ?? {}).map(([label, example]) => ({
    label,
    key: example.$ref.split('/').pop(),
    body: resolveRef(doc, example.$ref).value,
  }));
}

function genericResource(type, prefix) {
  return {
    type: 'object',
    required: ['type', 'id', 'attributes'],
    properties: {
      type: { type: 'string', const: type },
      id: { type: 'string', examples: [`${prefix}ABC123def456GHI789jkl012`] },
      attributes: {
        type: 'object',
        properties: { 'created-at': { type: 'string', format: 'date-time', examples: ['2024-01-01T00:00:00.000Z'] } },
      },
    },
  };
}

/**
 * The schema of `payload.data` for an event the spec has no webhook for: the resource's component schema where
 * the spec has one, otherwise a generic JSON:API resource of the family's type.
 */
function derivedResource(doc, name, base) {
  const family = name.slice(0, name.lastIndexOf('.'));
  const schemas = doc.components.schemas;
  if (family.startsWith('report/')) {
    const target = schemas.report?.discriminator?.mapping?.[family];
    if (target !== undefined) return { $ref: base + target };
    return genericResource(family, GENERIC_PREFIXES.report);
  }
  const component = family.replace(/\//g, '-');
  if (schemas[component] !== undefined) return { $ref: `${base}#/components/schemas/${escapePointer(component)}` };
  const prefix = GENERIC_PREFIXES[family] ?? `${family.replace(/[^a-z]/g, '').slice(0, 4)}_`;
  return genericResource(family, prefix);
}

/**
 * The JSON Schema of the body of event `name`: the spec's webhook request schema, or (for the names the spec has
 * no webhook for) Persona's envelope around the derived resource schema. `base` prefixes every `$ref`
 * (a validator registers the document under that id).
 */
export function eventSchema(doc, name, base = '') {
  if (doc.webhooks[name] !== undefined) {
    return { $ref: `${base}#/webhooks/${escapePointer(name)}/post/requestBody/content/application~1json/schema` };
  }
  return {
    type: 'object',
    additionalProperties: false,
    required: ['data'],
    properties: {
      data: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'id', 'attributes'],
        properties: {
          type: { type: 'string', const: 'event' },
          id: { type: 'string', examples: ['evt_ABC123def456GHI789jkl012'] },
          attributes: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'payload', 'created-at'],
            properties: {
              name: { type: 'string', const: name },
              payload: {
                type: 'object',
                additionalProperties: false,
                required: ['data'],
                properties: {
                  data: derivedResource(doc, name, base),
                  included: { type: 'array', items: { type: 'object' } },
                },
              },
              'created-at': { type: 'string', format: 'date-time', examples: ['2024-01-01T00:00:00.000Z'] },
              context: { type: 'object' },
            },
          },
        },
      },
    },
  };
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function merge(a, b) {
  if (isObject(a) && isObject(b)) {
    const out = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? merge(out[key], value) : value;
    return out;
  }
  return b === undefined ? a : b;
}

const MAX_DEPTH = 7;

/** Scalars are always generated: a `type` constant is what tells `oneOf` options apart. */
function isScalar(schema) {
  if (schema.const !== undefined || Array.isArray(schema.enum)) return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.every((t) => t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' || t === 'null');
}

/**
 * A deterministic instance of `schema`: constants, the first enum value or schema example, every declared
 * property down to a depth, one item per array. Relies on the spec's own `examples` for realistic values.
 */
export function schemaInstance(doc, schema, depth = 0, stack = []) {
  if (schema === true || schema === undefined) return {};
  if (schema.$ref !== undefined) {
    const ref = schema.$ref.slice(schema.$ref.indexOf('#'));
    if (stack.includes(ref)) return undefined;
    return schemaInstance(doc, resolveRef(doc, ref), depth, [...stack, ref]);
  }
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null) ?? schema.enum[0];
  if (Array.isArray(schema.allOf)) {
    let out;
    for (const part of schema.allOf) out = merge(out, schemaInstance(doc, part, depth, stack));
    const own = { ...schema, allOf: undefined };
    return own.properties !== undefined ? merge(out, schemaInstance(doc, own, depth, stack)) : out;
  }
  for (const key of ['oneOf', 'anyOf']) {
    if (Array.isArray(schema[key])) {
      for (const option of schema[key]) {
        const value = schemaInstance(doc, option, depth, stack);
        if (value !== undefined && value !== null) return value;
      }
      return null;
    }
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const type = types.find((t) => t !== 'null') ?? (schema.properties !== undefined ? 'object' : types[0]);
  const example = Array.isArray(schema.examples) ? schema.examples.find((e) => e !== null) : schema.example;
  switch (type) {
    case 'object': {
      const out = {};
      const required = new Set(schema.required ?? []);
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (depth >= MAX_DEPTH && !required.has(key) && !isScalar(property)) continue;
        const value = schemaInstance(doc, property, depth + 1, stack);
        if (value !== undefined) out[key] = value;
        else if (required.has(key)) out[key] = null;
      }
      if (Object.keys(out).length === 0 && isObject(example)) return example;
      return out;
    }
    case 'array': {
      if (Array.isArray(example)) return example;
      const count = Math.max(schema.minItems ?? 0, depth < MAX_DEPTH ? 1 : 0);
      const items = [];
      for (let i = 0; i < count; i++) {
        const item = schemaInstance(doc, schema.items ?? {}, depth + 1, stack);
        if (item !== undefined) items.push(item);
      }
      return items;
    }
    case 'string':
      if (typeof example === 'string') return example;
      if (schema.format === 'date-time') return '2024-01-01T00:00:00.000Z';
      if (schema.format === 'date') return '2000-01-01';
      if (schema.format === 'email') return 'jane@example.com';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      return 'example';
    case 'integer':
    case 'number':
      return typeof example === 'number' ? example : (schema.minimum ?? 0);
    case 'boolean':
      return typeof example === 'boolean' ? example : false;
    case 'null':
      return null;
    default:
      return example ?? null;
  }
}

/** Whether the event's payload may carry `included` (a few, such as `graph-query.*`, never do). */
export function payloadAllowsIncluded(doc, name) {
  let found = false;
  const visit = (node, depth) => {
    if (node === undefined || node === null || typeof node !== 'object' || depth > 6 || found) return;
    if (node.$ref !== undefined) return visit(resolveRef(doc, node.$ref), depth + 1);
    const payload = node.properties?.payload;
    if (payload !== undefined) {
      found = payload.properties?.included !== undefined;
      return;
    }
    for (const part of [...(node.allOf ?? []), ...Object.values(node.properties ?? {})]) visit(part, depth + 1);
  };
  visit(eventSchema(doc, name), 0);
  return found;
}

/**
 * The body each sample of `name` starts from: the first official example, or an instance of the event's schema.
 */
export function templateBody(doc, name) {
  const [example] = exampleBodies(doc, name);
  const included = payloadAllowsIncluded(doc, name);
  if (example !== undefined) return { source: 'example', included, body: example.body };
  const body = schemaInstance(doc, eventSchema(doc, name));
  const attributes = body.data.attributes;
  // The envelope's `context` is optional and undescribed for these names: left out, as for most events.
  delete attributes.context;
  // A status that names the event's action (`workflow-run.completed` → `completed`), where the spec lists it.
  const action = name.slice(name.lastIndexOf('.') + 1).replace(/-/g, '_');
  const resource = attributes.payload.data;
  if (resource?.attributes?.status !== undefined && statusValues(doc, eventSchema(doc, name)).includes(action)) {
    resource.attributes.status = action;
  }
  return { source: 'schema', included, body };
}

/** The `x-possible-values` of `payload.data.attributes.status` in an event schema. */
function statusValues(doc, schema) {
  const values = [];
  const visit = (node, path) => {
    if (node === undefined || node === null || typeof node !== 'object') return;
    if (node.$ref !== undefined) return visit(resolveRef(doc, node.$ref), path);
    if (path.length === 0) {
      values.push(...(node['x-possible-values'] ?? []));
      return;
    }
    const [head, ...rest] = path;
    if (node.properties?.[head] !== undefined) visit(node.properties[head], rest);
    for (const part of [...(node.allOf ?? []), ...(node.oneOf ?? [])]) visit(part, path);
  };
  visit(schema, ['data', 'attributes', 'payload', 'data', 'attributes', 'status']);
  return values;
}
