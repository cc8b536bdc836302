// Signature check: paste a Persona-Signature header and a body, see whether they match and, if not, which
// check failed and why (the same explanation as `persona-webhooks verify`).
import type { SignatureCheck } from '../commands/verify.js';
import { html } from './html.js';
import { csrfField, formatTime, type PageContext, page } from './layout.js';

/** What the operator typed, echoed back into the form (never the secret). */
export interface SignatureForm {
  readonly header: string;
  readonly body: string;
  readonly skipTimestamp: boolean;
}

/**
 * The signature check page, with a result after a POST.
 *
 * @example
 * ```ts
 * signaturePage(ctx, { header: '', body: '', skipTimestamp: false }, { result: null, configuredSecrets: 1, problem: null })
 * ```
 */
export function signaturePage(
  ctx: PageContext,
  form: SignatureForm,
  options: { result: SignatureCheck | null; configuredSecrets: number; problem: string | null },
): string {
  const r = options.result;
  const result =
    r === null
      ? ''
      : r.valid
        ? html`<div class="notice ok" role="status"><p><strong>Valid.</strong> Signed at t=${r.timestamp} (${formatTime(new Date(r.timestamp * 1000))}) with secret #${r.secretIndex + 1}.</p>
${r.event ? html`<p>Event <code>${r.event.id}</code> ${r.event.name}, created ${formatTime(r.event.createdAt)}.</p>` : ''}</div>`
        : html`<div class="notice bad" role="alert"><p><strong>Does not verify: ${r.code}</strong> (failed check: ${r.check})</p>
<p>${r.message}</p><p>Likely cause: ${r.cause}</p></div>`;
  return page(
    ctx,
    { title: 'Signature check', current: '/signature', base: ctx.base },
    html`<h1>Signature check</h1>
<p>Paste the <code>Persona-Signature</code> header and the exact body of a delivery. Nothing is stored.</p>
${options.problem ? html`<div class="notice bad" role="alert">${options.problem}</div>` : ''}
${result}
<form method="post" action="${ctx.base}/signature" class="stack">${csrfField(ctx)}
<label for="sig-header">Persona-Signature header</label><input id="sig-header" name="header" value="${form.header}" autocomplete="off" spellcheck="false" placeholder="t=1764686826,v1=5f0c…">
<label for="sig-body">Body (exact bytes as received)</label><textarea id="sig-body" name="body" spellcheck="false">${form.body}</textarea>
<label for="sig-secret">Secret ${options.configuredSecrets > 0 ? `(leave empty to try the ${options.configuredSecrets} configured secret${options.configuredSecrets === 1 ? '' : 's'})` : '(none is configured: paste one)'}</label>
<input id="sig-secret" name="secret" type="password" autocomplete="off">
<label class="check"><input type="checkbox" name="skipTimestamp" value="1"${form.skipTimestamp ? html` checked` : ''}> Skip the timestamp check (an old saved delivery)</label>
<div><button type="submit">Check</button></div></form>`,
  );
}
