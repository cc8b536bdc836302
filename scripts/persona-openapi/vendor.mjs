// Trims Persona's bundled OpenAPI spec to what the project uses: every webhook (request schema and example
// bodies), the Events API and Webhooks API paths, and the components they reference, without prose.

/** Paths kept: the Events API, the Webhooks API and the webhook-delivery search. */
const KEPT_PATH = /^\/(events|webhooks|webhook-events)(\/|$)/;
/** Component schemas kept even when no kept path or webhook references them. */
const KEPT_SCHEMAS = ['report', 'verification', 'document', 'selfie', 'event', 'webhook'];
/** Keywords that hold prose only. */
const PROSE = new Set(['description', 'summary', 'title', 'externalDocs', 'x-persona-product']);
/** Keywords whose value is data (examples, literal values), never walked for prose. */
const DATA = new Set(['value', 'examples', 'example', 'const', 'enum', 'default']);
/** Keywords whose value is a map of names (property names are data, not keywords). */
const NAME_MAPS = new Set(['properties', 'patternProperties', 'mapping', '$defs']);

/** "Possible values:\n- a\n- b" in a description: the only machine-usable fact in Persona's prose. */
function possibleValues(description) {
  const match = /Possible values:\s*\n((?:\s*- [^\n]+\n?)+)/.exec(description);
  if (!match) return undefined;
  return match[1]
    .split('\n')
    .map((line) => /^\s*- `?([\w./-]+)`?/.exec(line)?.[1])
    .filter((value) => value !== undefined);
}

function strip(node, inNameMap = false) {
  if (Array.isArray(node)) return node.map((item) => strip(item));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (inNameMap) {
      out[key] = strip(value);
      continue;
    }
    if (PROSE.has(key)) {
      if (key === 'description' && typeof value === 'string') {
        const values = possibleValues(value);
        if (values !== undefined && values.length > 0) out['x-possible-values'] = values;
      }
      continue;
    }
    if (key === 'tags' && Array.isArray(value) && value.every((t) => typeof t === 'string')) continue;
    out[key] = DATA.has(key) ? value : strip(value, NAME_MAPS.has(key));
  }
  return out;
}

function decodePointer(ref) {
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Returns the trimmed document: `webhooks`, the kept `paths`, and the referenced `components` only.
 * @param {any} spec Persona's bundled OpenAPI 3.1 document for one API version.
 */
export function trimSpec(spec) {
  const paths = Object.fromEntries(Object.entries(spec.paths).filter(([path]) => KEPT_PATH.test(path)));
  const used = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/')) {
        if (used.has(value)) continue;
        used.add(value);
        let target = spec;
        for (const part of decodePointer(value)) target = target?.[part];
        if (target === undefined) throw new Error(`unresolved $ref ${value}`);
        visit(target);
      } else visit(value);
    }
  };
  visit(paths);
  visit(spec.webhooks);
  visit(spec.components.securitySchemes);
  // The resource unions, which the webhooks reference only kind by kind: the types and the events the spec has
  // no webhook for (report kinds, for one) are built on them.
  for (const name of KEPT_SCHEMAS)
    if (spec.components.schemas[name] !== undefined) visit({ $ref: `#/components/schemas/${name}` });
  const components = {};
  for (const ref of [...used].sort()) {
    const [, section, name] = decodePointer(ref);
    components[section] ??= {};
    components[section][name] = spec.components[section][name];
  }
  for (const section of Object.keys(components)) {
    components[section] = Object.fromEntries(Object.entries(components[section]).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  components.securitySchemes = spec.components.securitySchemes;
  return strip({
    openapi: spec.openapi,
    info: { title: spec.info.title, version: spec.info.version, license: spec.info.license },
    paths,
    webhooks: spec.webhooks,
    components,
  });
}
