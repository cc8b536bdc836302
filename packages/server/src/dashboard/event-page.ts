// One event: what the envelope said, how it was delivered, what each attempt and handler did, and the payload
// with personal fields masked (revealed only by a logged POST).
import type { StoredEvent } from 'persona-webhooks';
import { html, type SafeHtml } from './html.js';
import { csrfField, formatAge, formatTime, type PageContext, page, statusBadge } from './layout.js';
import { maskPersonalData } from './personal-data-mask.js';

const IN_FLIGHT = new Set(['pending', 'processing', 'retrying']);

function payloadView(body: string | null, revealed: boolean): { text: string; note: string } {
  if (body === null) return { text: '', note: 'The payload was pruned by retention or scrubbed after a redaction.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { text: '', note: 'The stored body is not JSON, so it cannot be masked: it is not shown.' };
  }
  const shown = revealed ? parsed : maskPersonalData(parsed);
  return {
    text: JSON.stringify(shown, null, 2),
    note: revealed ? 'Personal fields revealed: this view was logged.' : 'Personal fields are masked.',
  };
}

/** Per-handler outcomes as far as the store knows them: who succeeded, and who the last error names. */
function handlerRows(event: StoredEvent): SafeHtml {
  const failed = new Map<string, string>();
  for (const part of (event.lastError ?? '').split(/; (?=[\w.-]+: )/)) {
    const m = /^([\w.-]+): (.+)$/s.exec(part);
    if (m?.[1] && m[2] && !event.completedHandlers.includes(m[1])) failed.set(m[1], m[2]);
  }
  const rows = [
    ...event.completedHandlers.map((name) => html`<tr><td><code>${name}</code></td><td>succeeded</td><td></td></tr>`),
    ...[...failed].map(
      ([name, error]) =>
        html`<tr><td><code>${name}</code></td><td>${event.status === 'succeeded' ? 'succeeded on retry' : 'failed'}</td><td>${error}</td></tr>`,
    ),
  ];
  if (rows.length === 0) return html`<p class="muted">No handler outcome recorded yet.</p>`;
  return html`<table><caption class="visually-hidden">Handlers</caption><thead><tr><th scope="col">Handler</th><th scope="col">Outcome</th><th scope="col">Error</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The event page.
 *
 * @example
 * ```ts
 * eventPage(ctx, event, { revealed: false, related: [], flash: null })
 * ```
 */
export function eventPage(
  ctx: PageContext,
  event: StoredEvent,
  options: { revealed: boolean; related: readonly StoredEvent[]; flash: string | null },
): string {
  const source = (event as StoredEvent & { source?: string }).source;
  const crashes = event.status === 'processing' ? 0 : event.attempts - event.finishedAttempts;
  const payload = payloadView(event.body, options.revealed);
  const replayable = event.status === 'dead' || event.status === 'succeeded';
  const idPath = `${ctx.base}/events/${encodeURIComponent(event.id)}`;
  return page(
    ctx,
    {
      title: `${event.name} ${event.id}`,
      current: '/events',
      base: ctx.base,
      ...(IN_FLIGHT.has(event.status) ? { refreshSeconds: 2 } : {}),
    },
    html`<h1>${event.name} ${statusBadge(event.status)}</h1>
${options.flash ? html`<div class="notice ok" role="status">${options.flash}</div>` : ''}
<div class="grid2"><section class="panel" aria-labelledby="facts"><h2 id="facts">Envelope and delivery</h2><dl class="facts">
<dt>Event id</dt><dd><code>${event.id}</code></dd>
<dt>Created (by Persona)</dt><dd>${formatTime(event.createdAt)}</dd>
<dt>First received</dt><dd>${formatTime(event.receivedAt)} <span class="muted">(${formatAge(ctx.now.getTime() - event.receivedAt.getTime())} ago)</span></dd>
<dt>Deliveries</dt><dd>${event.deliveries}${event.deliveries > 1 ? html` <span class="muted">(${event.deliveries - 1} duplicate${event.deliveries > 2 ? 's' : ''} ignored; the latest at or before ${formatTime(event.updatedAt)})</span>` : ''}</dd>
<dt>Object</dt><dd>${event.resourceId === null ? '—' : html`<a href="${ctx.base}/events?object=${encodeURIComponent(event.resourceId)}"><code>${event.resourceId}</code></a>`}</dd>
${source === undefined ? '' : html`<dt>Source</dt><dd>${source === 'api' ? 'Events API (reconcile)' : 'webhook'}</dd>`}
</dl></section>
<section class="panel" aria-labelledby="processing"><h2 id="processing">Processing</h2><dl class="facts">
<dt>Status</dt><dd>${statusBadge(event.status)}</dd>
<dt>Attempts</dt><dd>${event.attempts} started, ${event.finishedAttempts} finished${crashes > 0 ? html` <strong>(${crashes} ended without a result: the worker crashed or lost its lease)</strong>` : ''}</dd>
${event.status === 'retrying' ? html`<dt>Next attempt</dt><dd>${formatTime(event.runAt)}</dd>` : ''}
${event.lockedBy === null ? '' : html`<dt>Leased by</dt><dd><code>${event.lockedBy}</code> until ${formatTime(event.lockedUntil)}</dd>`}
<dt>Last change</dt><dd>${formatTime(event.updatedAt)}</dd>
<dt>Last error</dt><dd>${event.lastError ?? '—'}</dd>
</dl>
${
  replayable
    ? ctx.actions
      ? html`<form method="post" action="${idPath}/replay">${csrfField(ctx)}<button type="submit">Replay this event</button></form>`
      : html`<p class="muted">Replay is off: the dashboard is read-only (start it with actions enabled).</p>`
    : ''
}</section></div>
<section class="panel" aria-labelledby="handlers"><h2 id="handlers">Handlers</h2>${handlerRows(event)}</section>
<section class="panel" aria-labelledby="payload"><h2 id="payload">Payload</h2>
<p class="muted">${payload.note}</p>
${payload.text === '' ? '' : html`<pre tabindex="0" aria-label="Payload JSON">${payload.text}</pre>`}
${
  payload.text !== '' && !options.revealed
    ? html`<form method="post" action="${idPath}/reveal">${csrfField(ctx)}<button type="submit" class="secondary">Reveal personal fields (logged)</button></form>`
    : ''
}</section>
${
  options.related.length > 0
    ? html`<section class="panel" aria-labelledby="related"><h2 id="related">Other events about this object</h2><ul>${options.related.map(
        (e) =>
          html`<li><a href="${ctx.base}/events/${encodeURIComponent(e.id)}">${e.name}</a> ${statusBadge(e.status)} <span class="muted">${formatTime(e.createdAt)}</span></li>`,
      )}</ul></section>`
    : ''
}`,
  );
}
