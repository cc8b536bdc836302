// The overview's per-minute chart as inline SVG drawn on the server: no chart library, no script.
import { html, type SafeHtml } from './html.js';

/** One bucket of the chart. */
export interface ChartBucket {
  readonly start: Date;
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
}

const SERIES = [
  { key: 'received', label: 'received', color: '#0b5cad' },
  { key: 'succeeded', label: 'processed', color: '#106b35' },
  { key: 'failed', label: 'failed', color: '#b3261e' },
] as const;

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

function hhmm(date: Date): string {
  return date.toISOString().slice(11, 16);
}

/**
 * Renders received / processed / failed per bucket as three lines, with a text summary for screen readers.
 *
 * @example
 * ```ts
 * activityChart(buckets).value // '<figure class="chart">…<svg …>'
 * ```
 */
export function activityChart(buckets: readonly ChartBucket[]): SafeHtml {
  const width = 720;
  const height = 200;
  const left = 40;
  const bottom = 22;
  const top = 8;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...buckets.flatMap((b) => [b.received, b.succeeded, b.failed])));
  const x = (i: number) => left + (buckets.length <= 1 ? 0 : (i * plotW) / (buckets.length - 1));
  const y = (v: number) => top + plotH - (v * plotH) / max;
  const totals = SERIES.map((s) => `${buckets.reduce((sum, b) => sum + b[s.key], 0)} ${s.label}`).join(', ');
  const first = buckets[0];
  const last = buckets.at(-1);
  const span = first && last ? `${hhmm(first.start)}–${hhmm(last.start)} UTC` : '';
  const grid = [0, 0.5, 1].map(
    (f) =>
      html`<line x1="${left}" x2="${width - 8}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#d0d5dc" /><text x="${left - 6}" y="${y(max * f) + 4}" text-anchor="end" font-size="11" fill="#4a5360">${Number.isInteger(max * f) ? max * f : (max * f).toFixed(1)}</text>`,
  );
  const ticks = buckets
    .map((b, i) => ({ b, i }))
    .filter(({ i }) => i % 15 === 0 || i === buckets.length - 1)
    .map(
      ({ b, i }) =>
        html`<text x="${x(i)}" y="${height - 6}" text-anchor="${i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle'}" font-size="11" fill="#4a5360">${hhmm(b.start)}</text>`,
    );
  const lines = SERIES.map((s) => {
    const points = buckets.map((b, i) => `${x(i).toFixed(1)},${y(b[s.key]).toFixed(1)}`).join(' ');
    return html`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points}" />`;
  });
  return html`<figure class="chart">
<svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title"><title id="chart-title">Events per minute, ${span}: ${totals}</title>${grid}${ticks}${lines}</svg>
<figcaption><ul class="legend">${SERIES.map((s) => html`<li><span class="sw-${s.key}"></span>${s.label}</li>`)}</ul>
<span class="muted">Per minute, ${span}. Totals: ${totals}.</span></figcaption></figure>`;
}
