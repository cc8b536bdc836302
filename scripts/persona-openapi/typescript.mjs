// Renders the vendored spec's schemas as TypeScript types (kebab-case keys, as the spec writes them).
// Camel and snake keys are derived from these at the type level (src/events/inflection.ts).
import { eventSchema, resolveRef } from './events.mjs';

/** `report-address-lookup` → `ReportAddressLookup`. */
export function typeName(schemaName) {
  return schemaName
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function literal(value) {
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
}

function key(name) {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name);
}

function union(parts) {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function paren(type) {
  return /[|&]/.test(type) ? `(${type})` : type;
}

/** Objects with a `type`, an `id` and `attributes` are JSON:API resources: Persona always sends those three. */
function isResource(schema) {
  const p = schema.properties;
  return p !== undefined && p.type !== undefined && p.id !== undefined && p.attributes !== undefined;
}

/** Objects with a `type` and an `id` are resources or resource identifiers: both are always there. */
function isIdentified(schema) {
  const p = schema.properties;
  return p !== undefined && p.type !== undefined && p.id !== undefined;
}

/**
 * Renders one schema as a TypeScript type expression.
 * @param {object} options `{ openAttributes }`: the `attributes` of a resource also accept unknown keys.
 */
export function renderType(doc, schema, indent = '', ctx = {}) {
  if (schema === true || schema === undefined || schema === null) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref !== undefined) {
    const ref = schema.$ref.slice(schema.$ref.indexOf('#'));
    if (ref.startsWith('#/components/schemas/')) return typeName(ref.slice('#/components/schemas/'.length));
    return renderType(doc, resolveRef(doc, ref), indent, ctx);
  }
  if (schema.const !== undefined) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  if (Array.isArray(schema.allOf)) {
    const own = { ...schema, allOf: undefined };
    const parts = schema.allOf.map((part) => paren(renderType(doc, part, indent, ctx)));
    if (own.properties !== undefined) parts.push(paren(renderType(doc, own, indent, ctx)));
    return [...new Set(parts)].join(' & ');
  }
  for (const combiner of ['oneOf', 'anyOf']) {
    if (Array.isArray(schema[combiner])) {
      const options = schema[combiner].map((option) => renderType(doc, option, indent, ctx));
      const base = { ...schema, [combiner]: undefined, discriminator: undefined };
      const rest = base.properties !== undefined ? renderType(doc, base, indent, ctx) : undefined;
      const joined = union(options);
      return rest === undefined ? joined : `${paren(rest)} & ${paren(joined)}`;
    }
  }
  const types = Array.isArray(schema.type)
    ? schema.type
    : schema.type !== undefined
      ? [schema.type]
      : schema.properties !== undefined
        ? ['object']
        : [];
  if (types.length === 0) return 'unknown';
  return union(types.map((type) => renderSingle(doc, schema, type, indent, ctx)));
}

function renderSingle(doc, schema, type, indent, ctx) {
  switch (type) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return 'number';
    case 'string': {
      const values = schema['x-possible-values'];
      return Array.isArray(values) && values.length > 0 ? `Open<${union(values.map(literal))}>` : 'string';
    }
    case 'array':
      return `readonly ${paren(renderType(doc, schema.items, indent, ctx))}[]`;
    case 'object':
      return renderObject(doc, schema, indent, ctx);
    default:
      return 'unknown';
  }
}

function renderObject(doc, schema, indent, ctx) {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0) {
    if (extra === false) return 'Record<string, never>';
    return `{ readonly [key: string]: ${extra && extra !== true ? renderType(doc, extra, indent, ctx) : 'unknown'} }`;
  }
  const required = new Set(schema.required ?? []);
  if (isIdentified(schema)) for (const name of ['type', 'id']) required.add(name);
  if (isResource(schema)) required.add('attributes');
  // A relationship (`{ data: identifier | identifier[] | null }`) always carries its `data`.
  if (properties.length === 1 && properties[0][0] === 'data') required.add('data');
  const inner = `${indent}  `;
  const lines = properties.map(([name, property]) => {
    let type = renderType(doc, property, inner, ctx);
    if (name === 'attributes' && isResource(schema)) type = `${paren(type)} & OpenAttributes`;
    return `${inner}readonly ${key(name)}${required.has(name) ? '' : '?'}: ${type};`;
  });
  // Keys the schema allows beyond those it names (template-defined `fields`, for one) are read as `unknown`.
  if (extra === true || (extra !== undefined && extra !== false))
    lines.push(`${inner}readonly [key: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The payload and context schemas of one event, from its webhook schema (or the derived one). */
function eventParts(doc, name) {
  let schema = eventSchema(doc, name);
  if (schema.$ref !== undefined) schema = resolveRef(doc, schema.$ref);
  const data = schema.properties.data;
  const attributeSchemas = [];
  const collect = (node) => {
    if (node === undefined) return;
    if (node.$ref !== undefined) return collect(resolveRef(doc, node.$ref));
    if (node.properties?.attributes !== undefined) attributeSchemas.push(node.properties.attributes);
    for (const part of node.allOf ?? []) collect(part);
  };
  collect(data);
  let payload;
  let context;
  const visit = (node) => {
    if (node === undefined) return;
    if (node.$ref !== undefined) return visit(resolveRef(doc, node.$ref));
    if (node.properties?.payload !== undefined) payload = node.properties.payload;
    if (node.properties?.context !== undefined) context = node.properties.context;
    for (const part of node.allOf ?? []) visit(part);
  };
  for (const attributes of attributeSchemas) visit(attributes);
  return { payload, context };
}

/** The resources `PersonaResourceOf<name>` knows, by schema name (the ones event payloads carry). */
const RESOURCES = [
  'account',
  'case',
  'document',
  'graph-query',
  'inquiry',
  'inquiry-session',
  'report',
  'selfie',
  'transaction',
  'verification',
  'workflow-run',
];

/** Renders the whole module of one API version: the component types and the per-event map. */
export function renderVersionModule(doc, version, names) {
  const out = [
    `// GENERATED by scripts/generate-persona-openapi.mjs from data/persona-openapi/${version}/openapi.json. Do not edit by hand.`,
    `// Persona's own schemas for API version ${version}, with the keys as the spec writes them (kebab-case).`,
    '// Every string that lists "possible values" stays open to others, and resource attributes accept unknown keys:',
    '// Persona adds values and attributes without a new API version (https://docs.withpersona.com/versioning).',
    "import type { Open, OpenAttributes, PersonaResource } from '../resource-types.js';",
    '',
  ];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    const type = renderType(doc, schema, '');
    out.push(`/** Persona's \`${name}\` schema (${version}). */`);
    // Type aliases, not interfaces: only those fit an index signature (`PersonaResource`'s relationships).
    out.push(`export type ${typeName(name)} = ${type};`, '');
  }
  out.push(
    `/** The resources event payloads carry, by schema name (API version ${version}). */`,
    'export interface Resources {',
  );
  for (const name of RESOURCES) out.push(`  ${key(name)}: ${typeName(name)};`);
  out.push('}', '');
  out.push(
    `/** Per event name: the \`payload\` and \`context\` Persona sends at API version ${version} (kebab-case keys). */`,
    'export interface Events {',
  );
  for (const name of names) {
    const { payload, context } = eventParts(doc, name);
    const data = renderType(doc, payload.properties.data, '    ');
    const included = payload.properties.included;
    const includedType =
      included === undefined || included.$ref === undefined
        ? 'readonly PersonaResource[]'
        : renderType(doc, included, '    ');
    const contextType = context === undefined ? 'undefined' : renderType(doc, context, '    ');
    out.push(
      `  ${literal(name)}: {`,
      `    readonly data: ${data};`,
      `    readonly included: ${includedType};`,
      `    readonly context: ${contextType};`,
      '  };',
    );
  }
  out.push('}', '');
  return out.join('\n');
}
