// Dead letters: events that ran out of attempts. Replay one, or all that match a filter after a confirmation
// that names how many.
import type { ListPage } from 'persona-webhooks';
import { eventsTable, filterForm, pager, problemsNotice } from './events-page.js';
import { filterSearch, type ParsedFilter } from './filters.js';
import { html } from './html.js';
import { csrfField, type PageContext, page } from './layout.js';

/**
 * The dead letters list.
 *
 * @example
 * ```ts
 * deadLettersPage(ctx, parsed, result, { matching: 12, eventNames: EVENT_NAMES, flash: null })
 * ```
 */
export function deadLettersPage(
  ctx: PageContext,
  parsed: ParsedFilter,
  result: ListPage,
  options: { matching: number; eventNames: readonly string[]; flash: string | null },
): string {
  const action = `${ctx.base}/dead-letters`;
  const replayCell = ctx.actions
    ? {
        header: 'Replay',
        cell: (e: { id: string; name: string }) =>
          html`<form method="post" class="inline" action="${ctx.base}/events/${encodeURIComponent(e.id)}/replay">${csrfField(ctx)}<input type="hidden" name="back" value="dead-letters"><button type="submit" class="secondary" aria-label="Replay ${e.name} ${e.id}">Replay</button></form>`,
      }
    : undefined;
  return page(
    ctx,
    { title: 'Dead letters', current: '/dead-letters', base: ctx.base },
    html`<h1>Dead letters</h1>
${options.flash ? html`<div class="notice ok" role="status">${options.flash}</div>` : ''}
${filterForm(parsed.query, { action, showStatus: false, eventNames: options.eventNames })}
${problemsNotice(parsed.problems)}
<p><strong>${options.matching.toLocaleString('en-US')}</strong> dead event${options.matching === 1 ? '' : 's'} match${options.matching === 1 ? 'es' : ''}.
${
  ctx.actions && options.matching > 0
    ? html` <a class="button" href="${ctx.base}/dead-letters/replay${filterSearch(parsed.query)}">Replay all ${options.matching.toLocaleString('en-US')}…</a>`
    : ctx.actions
      ? ''
      : html` <span class="muted">Replay is off: the dashboard is read-only.</span>`
}</p>
${eventsTable(ctx, result.events, { caption: 'Dead letters, newest first', ...(replayCell ? { extraColumn: replayCell } : {}) })}
${pager(action, parsed.query, result, parsed.cursor === undefined)}`,
  );
}

/**
 * The confirmation before a bulk replay: it names the count and carries it, so a changed count is noticed.
 *
 * @example
 * ```ts
 * replayAllConfirmPage(ctx, parseFilter(url.searchParams), await store.count({ status: 'dead' }))
 * ```
 */
export function replayAllConfirmPage(ctx: PageContext, parsed: ParsedFilter, matching: number): string {
  const q = parsed.query;
  const describe = [
    q.name && `name ${q.name}`,
    q.object && `object ${q.object}`,
    q.source && `source ${q.source}`,
    q.from && `created from ${q.from} UTC`,
    q.to && `created before ${q.to} UTC`,
  ].filter(Boolean);
  return page(
    ctx,
    { title: 'Replay dead letters', current: '/dead-letters', base: ctx.base },
    html`<h1>Replay ${matching.toLocaleString('en-US')} dead event${matching === 1 ? '' : 's'}?</h1>
<p>Every dead event ${describe.length > 0 ? `matching ${describe.join(', ')}` : '(no filter: all of them)'} goes back to pending, and the worker runs the handlers that have not succeeded yet.</p>
<form method="post" action="${ctx.base}/dead-letters/replay" class="stack">${csrfField(ctx)}
${Object.entries(q).map(([k, v]) => (v ? html`<input type="hidden" name="${k}" value="${v}">` : ''))}
<input type="hidden" name="expected" value="${matching}">
<div><button type="submit" class="danger">Replay ${matching.toLocaleString('en-US')} event${matching === 1 ? '' : 's'}</button>
<a class="button secondary" href="${ctx.base}/dead-letters${filterSearch(q)}">Cancel</a></div></form>`,
  );
}
