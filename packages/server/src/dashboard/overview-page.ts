// Overview: what an on-call engineer checks first. Counts per status, how long the oldest waiting event has
// waited, the last hour per minute, the newest dead letters, and the last reconcile run.
import { EVENT_STATUSES, type StoredEvent, type StoreStats } from 'persona-webhooks';
import { activityChart, type ChartBucket } from './chart.js';
import { eventsTable } from './events-page.js';
import { html, type SafeHtml } from './html.js';
import { formatAge, formatTime, type PageContext, page } from './layout.js';

/**
 * The last reconcile run, as a store that records runs reports it (`lastReconcileRun()`, from the reconcile
 * feature). Until a store offers it, the panel says that no run is recorded.
 */
export interface ReconcileRunSummary {
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** Events read from Persona's Events API. */
  readonly fetched: number;
  /** Events Persona sent that had never been received, stored by this run. */
  readonly recovered: number;
  readonly error?: string | null;
}

/** Waiting longer than this shows the age as a warning. */
const OLD_WAITING_MS = 5 * 60_000;

function reconcilePanel(ctx: PageContext, run: ReconcileRunSummary | null | undefined): SafeHtml {
  const body =
    run === undefined
      ? html`<p class="muted">No reconcile run recorded: this store does not record reconcile runs.</p>`
      : run === null
        ? html`<p class="muted">No reconcile run recorded yet.</p>`
        : html`<dl class="facts"><dt>Started</dt><dd>${formatTime(run.startedAt)}</dd>
<dt>Finished</dt><dd>${run.finishedAt === null ? 'still running' : formatTime(run.finishedAt)}</dd>
<dt>Read from the Events API</dt><dd>${run.fetched}</dd>
<dt>Sent by Persona, never received</dt><dd>${run.recovered}${run.recovered > 0 ? html` · <a href="${ctx.base}/events?source=api">see them</a>` : ''}</dd>
${run.error ? html`<dt>Error</dt><dd>${run.error}</dd>` : ''}</dl>`;
  return html`<section class="panel" aria-labelledby="reconcile"><h2 id="reconcile">Last reconcile run</h2>${body}</section>`;
}

/**
 * The overview page.
 *
 * @example
 * ```ts
 * overviewPage(ctx, { stats, buckets, dead: [], reconcile: undefined })
 * ```
 */
export function overviewPage(
  ctx: PageContext,
  data: {
    stats: StoreStats;
    buckets: readonly ChartBucket[];
    dead: readonly StoredEvent[];
    reconcile: ReconcileRunSummary | null | undefined;
  },
): string {
  const { stats } = data;
  const waited =
    stats.oldestPendingReceivedAt === null ? null : ctx.now.getTime() - stats.oldestPendingReceivedAt.getTime();
  return page(
    ctx,
    { title: 'Overview', current: '/', base: ctx.base, refreshSeconds: 30 },
    html`<h1>Overview</h1>
<section aria-labelledby="counts"><h2 id="counts">Events by status</h2><ul class="cards" role="list">
${EVENT_STATUSES.map(
  (s) =>
    html`<li class="card"><a href="${ctx.base}/events?status=${s}"><span class="n">${stats.byStatus[s].toLocaleString('en-US')}</span><span class="label">${s}</span></a></li>`,
)}
<li class="card"><a href="${ctx.base}/events"><span class="n">${stats.total.toLocaleString('en-US')}</span><span class="label">total</span></a></li>
</ul></section>
<div class="grid2"><section class="panel" aria-labelledby="waiting"><h2 id="waiting">Oldest waiting event</h2>
${
  waited === null
    ? html`<p>Nothing is waiting: no pending or retrying event.</p>`
    : html`<p class="${waited > OLD_WAITING_MS ? 'notice warn' : ''}">Waiting for <strong>${formatAge(waited)}</strong> (received ${formatTime(stats.oldestPendingReceivedAt)}).
 <a href="${ctx.base}/events?status=pending">Pending</a> · <a href="${ctx.base}/events?status=retrying">retrying</a></p>`
}</section>
${reconcilePanel(ctx, data.reconcile)}</div>
<section class="panel" aria-labelledby="activity"><h2 id="activity">Last hour</h2>${activityChart(data.buckets)}
<p class="muted">Received: by arrival. Processed and failed: by the time of each event's latest outcome (an event that failed and then succeeded counts once, as processed).</p></section>
<section aria-labelledby="newest-dead"><h2 id="newest-dead">Newest dead letters</h2>
${eventsTable(ctx, data.dead, { caption: 'Newest dead letters' })}
${stats.byStatus.dead > data.dead.length ? html`<p><a href="${ctx.base}/dead-letters">All ${stats.byStatus.dead.toLocaleString('en-US')} dead letters</a></p>` : ''}</section>`,
  );
}
