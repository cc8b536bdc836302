// Events: the filter form (shareable as a URL), one page of events newest first, and cursor paging.
import { EVENT_STATUSES, type ListPage, type StoredEvent } from 'persona-webhooks';
import { type FilterQuery, filterSearch, isFiltered, type ParsedFilter } from './filters.js';
import { html, type SafeHtml } from './html.js';
import { formatTime, type PageContext, page, statusBadge } from './layout.js';

/** Which filter fields a form shows (dead letters fix the status). */
export interface FilterFormOptions {
  readonly action: string;
  readonly showStatus: boolean;
  readonly eventNames: readonly string[];
}

/**
 * The GET form of the filters: submitting it makes a shareable URL.
 *
 * @example
 * ```ts
 * filterForm(parsed.query, { action: '/events', showStatus: true, eventNames: EVENT_NAMES })
 * ```
 */
export function filterForm(query: FilterQuery, options: FilterFormOptions): SafeHtml {
  const option = (value: string, label: string, selected: string) =>
    html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="${options.action}" role="search" aria-label="Filter events">
<label>Event name<input name="name" list="event-names" value="${query.name}" autocomplete="off" placeholder="inquiry.approved"></label>
<datalist id="event-names">${options.eventNames.map((n) => html`<option value="${n}"></option>`)}</datalist>
${
  options.showStatus
    ? html`<label>Status<select name="status">${option('', 'any', query.status)}${EVENT_STATUSES.map((s) => option(s, s, query.status))}</select></label>`
    : ''
}
<label>Object id<input name="object" value="${query.object}" autocomplete="off" placeholder="inq_…"></label>
<label>Source<select name="source">${option('', 'any', query.source)}${option('webhook', 'webhook', query.source)}${option('api', 'API (reconcile)', query.source)}</select></label>
<label>Created from (UTC)<input type="datetime-local" name="from" value="${query.from}"></label>
<label>Created before (UTC)<input type="datetime-local" name="to" value="${query.to}"></label>
<button type="submit">Filter</button>
${isFiltered(query) ? html`<a class="button secondary" href="${options.action}">Clear</a>` : ''}
</form>`;
}

/**
 * Problems with the filter, shown above the results instead of an error page.
 *
 * @example
 * ```ts
 * problemsNotice(parseFilter(url.searchParams).problems)
 * ```
 */
export function problemsNotice(problems: readonly string[]): SafeHtml {
  if (problems.length === 0) return html``;
  return html`<div class="notice bad" role="alert"><p>Some filters were ignored:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
}

/**
 * The events table (shared with dead letters, which adds a replay column).
 *
 * @example
 * ```ts
 * eventsTable(ctx, page.events, { caption: 'Events, newest first' })
 * ```
 */
export function eventsTable(
  ctx: PageContext,
  events: readonly StoredEvent[],
  options: { caption: string; extraColumn?: { header: string; cell: (event: StoredEvent) => SafeHtml } },
): SafeHtml {
  if (events.length === 0) return html`<p class="notice">No events match.</p>`;
  const extra = options.extraColumn;
  return html`<table><caption class="visually-hidden">${options.caption}</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Object</th><th scope="col">Attempts</th><th scope="col">Last error</th>${extra ? html`<th scope="col">${extra.header}</th>` : ''}</tr></thead>
<tbody>${events.map(
    (e) => html`<tr><td>${formatTime(e.createdAt)}</td>
<td><a href="${ctx.base}/events/${encodeURIComponent(e.id)}">${e.name}</a><br><code class="muted">${e.id}</code></td>
<td>${statusBadge(e.status)}</td>
<td>${e.resourceId === null ? '—' : html`<a href="${ctx.base}/events?object=${encodeURIComponent(e.resourceId)}"><code>${e.resourceId}</code></a>`}</td>
<td>${e.attempts}</td><td>${e.lastError === null ? '' : e.lastError.slice(0, 140)}</td>${extra ? html`<td>${extra.cell(e)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

/**
 * Next / first page links that keep the filter in the URL.
 *
 * @example
 * ```ts
 * pager('/events', parsed.query, result, parsed.cursor === undefined)
 * ```
 */
export function pager(action: string, query: FilterQuery, page: ListPage, onFirstPage: boolean): SafeHtml {
  return html`<nav class="pager" aria-label="Pages">
${onFirstPage ? '' : html`<a href="${action}${filterSearch(query)}">First page</a>`}
${page.nextCursor === null ? html`<span class="muted">End of the list.</span>` : html`<a href="${action}${filterSearch(query, { cursor: page.nextCursor })}" rel="next">Next page</a>`}
</nav>`;
}

/**
 * The events list page.
 *
 * @example
 * ```ts
 * eventsPage(ctx, parsed, await store.list(parsed.filter), { eventNames })
 * ```
 */
export function eventsPage(
  ctx: PageContext,
  parsed: ParsedFilter,
  result: ListPage,
  options: { eventNames: readonly string[] },
): string {
  const action = `${ctx.base}/events`;
  return page(
    ctx,
    { title: 'Events', current: '/events', base: ctx.base },
    html`<h1>Events</h1>
${filterForm(parsed.query, { action, showStatus: true, eventNames: options.eventNames })}
${problemsNotice(parsed.problems)}
<h2>${parsed.cursor === undefined ? 'Newest first' : 'Older events'}</h2>
${eventsTable(ctx, result.events, { caption: 'Events, newest first' })}
${pager(action, parsed.query, result, parsed.cursor === undefined)}`,
  );
}
