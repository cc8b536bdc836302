// HTML built by a tagged template that escapes every interpolated value unless it is already `SafeHtml`:
// a payload, an error message or an event name can never become markup.

/**
 * Markup that is already escaped (made by `html`): interpolating it into `html` does not escape it again.
 *
 * @example
 * ```ts
 * html`<p>${html`<b>${name}</b>`}</p>`
 * ```
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML element or a quoted attribute.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>') // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function part(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template: interpolated values are escaped, arrays are joined, null/undefined/false render nothing.
 *
 * @example
 * ```ts
 * html`<td>${event.name}</td>`.value
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
