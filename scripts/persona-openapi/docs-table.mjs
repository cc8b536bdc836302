// The attribute tables of docs/api-versions.md, from the vendored spec of each version.
import { resolveRef } from './events.mjs';

/** The resources a webhook handler reads most, by component schema name. */
const RESOURCES = [
  ['inquiry', 'Inquiry (`inquiry.*`)'],
  ['account', 'Account (`account.*`)'],
  ['verification-government-id', 'Verification, government ID (`verification.*`, type `verification/government-id`)'],
  ['report-watchlist', 'Report, watchlist (`report/watchlist.*`)'],
  ['case', 'Case (`case.*`)'],
  ['transaction', 'Transaction (`transaction.*`)'],
  ['workflow-run', 'Workflow run (`workflow-run.*`)'],
];

/** The property names of the object part named `part` (`attributes`, `relationships`) of a resource schema. */
function partKeys(doc, schema, part) {
  const keys = new Set();
  const visit = (node, inPart) => {
    if (node === undefined || node === null || typeof node !== 'object') return;
    if (node.$ref !== undefined) return visit(resolveRef(doc, node.$ref), inPart);
    if (inPart) for (const key of Object.keys(node.properties ?? {})) keys.add(key);
    else if (node.properties?.[part] !== undefined) visit(node.properties[part], true);
    for (const combined of [...(node.allOf ?? []), ...(node.oneOf ?? []), ...(node.anyOf ?? [])])
      visit(combined, inPart);
  };
  visit(schema, false);
  return keys;
}

function fieldKeys(doc, schema) {
  const keys = new Set();
  const visit = (node, inFields) => {
    if (node === undefined || node === null || typeof node !== 'object') return;
    if (node.$ref !== undefined) return visit(resolveRef(doc, node.$ref), inFields);
    if (inFields) for (const key of Object.keys(node.properties ?? {})) keys.add(key);
    else {
      const attributes = node.properties?.attributes;
      const fields = attributes?.properties?.fields;
      if (fields !== undefined) visit(fields, true);
      if (attributes !== undefined)
        for (const part of attributes.allOf ?? []) visit({ properties: { attributes: part } }, false);
    }
    for (const combined of node.allOf ?? []) visit(combined, inFields);
  };
  visit(schema, false);
  return keys;
}

function table(title, rows, versions) {
  const out = [`| ${title} | ${versions.join(' | ')} |`, `| --- | ${versions.map(() => ':---:').join(' | ')} |`];
  for (const [name, present] of rows)
    out.push(`| \`${name}\` | ${present.map((p) => (p ? 'yes' : '—')).join(' | ')} |`);
  return out.join('\n');
}

/** Markdown: per resource, which attributes and relationships each version's schema declares. */
export function renderAttributeTables(docs) {
  const versions = [...docs.keys()];
  const out = [];
  for (const [schemaName, title] of RESOURCES) {
    const sets = versions.map((v) => {
      const doc = docs.get(v);
      const schema = doc.components.schemas[schemaName];
      return {
        attributes: schema ? partKeys(doc, schema, 'attributes') : new Set(),
        relationships: schema ? partKeys(doc, schema, 'relationships') : new Set(),
        fields: schema ? fieldKeys(doc, schema) : new Set(),
      };
    });
    out.push('', `### ${title}`, '');
    for (const [part, heading] of [
      ['attributes', 'attribute'],
      ['fields', 'key in `fields` (as the spec lists them)'],
      ['relationships', 'relationship'],
    ]) {
      const all = [...new Set(sets.flatMap((s) => [...s[part]]))];
      if (all.length === 0) continue;
      // Attributes one version lacks come first: they are what changes for a handler.
      all.sort((a, b) => {
        const da = sets.every((s) => s[part].has(a)) ? 1 : 0;
        const db = sets.every((s) => s[part].has(b)) ? 1 : 0;
        return da - db || (a < b ? -1 : a > b ? 1 : 0);
      });
      out.push(
        table(
          heading,
          all.map((name) => [name, sets.map((s) => s[part].has(name))]),
          versions,
        ),
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
}
