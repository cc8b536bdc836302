// The frame around every page (navigation, mode, sign-out) and small formatting helpers the pages share.
import type { EventStatus } from 'persona-webhooks';
import { ASSETS } from './assets.js';
import { html, type SafeHtml } from './html.js';

/** What every page needs to know about the request. */
export interface PageContext {
  /** Mount path without a trailing slash ('' at the root). */
  readonly base: string;
  /** The CSRF token of the session, for every form that POSTs. */
  readonly csrf: string;
  /** Whether replay is allowed (`actions: true`). */
  readonly actions: boolean;
  readonly user: string;
  readonly now: Date;
}

const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/events', label: 'Events' },
  { path: '/dead-letters', label: 'Dead letters' },
  { path: '/signature', label: 'Signature check' },
] as const;

/**
 * The hidden CSRF field every POST form carries.
 *
 * @example
 * ```ts
 * html`<form method="post" action="/logout">${csrfField(ctx)}<button>Sign out</button></form>`
 * ```
 */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

function assetUrl(base: string, name: string): string {
  return `${base}/assets/${name}?v=${ASSETS[name]?.etag.replaceAll('"', '') ?? ''}`;
}

/**
 * A whole page. `refreshSeconds` makes the script reload it (an event still in flight).
 *
 * @example
 * ```ts
 * page(ctx, { title: 'Events', current: '/events', base: ctx.base }, html`<h1>Events</h1>`)
 * ```
 */
export function page(
  ctx: PageContext | null,
  options: { title: string; current?: string; base: string; refreshSeconds?: number },
  body: SafeHtml,
): string {
  const nav =
    ctx === null
      ? ''
      : html`<nav aria-label="Main"><ul>${NAV.map(
          (item) =>
            html`<li><a href="${ctx.base}${item.path}"${item.path === options.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
        )}</ul></nav>
<span class="mode">${ctx.actions ? 'actions enabled' : 'read-only'} · ${ctx.user}</span>
<form method="post" action="${ctx.base}/logout">${csrfField(ctx)}<button type="submit">Sign out</button></form>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · persona-webhooks</title>
<link rel="stylesheet" href="${assetUrl(options.base, 'dashboard.css')}">
<script src="${assetUrl(options.base, 'dashboard.js')}" defer></script></head>
<body${options.refreshSeconds ? html` data-refresh="${options.refreshSeconds}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">persona-webhooks</span>${nav}</header>
<main id="main">${body}</main></body></html>`.value;
}

/**
 * A time as `YYYY-MM-DD HH:MM:SS UTC`.
 *
 * @example
 * ```ts
 * formatTime(new Date(0)) // '1970-01-01 00:00:00 UTC'
 * ```
 */
export function formatTime(date: Date | null): string {
  return date === null ? '—' : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A duration in the largest sensible unit: `42 s`, `7 min`, `3 h 5 min`, `2 d 4 h`.
 *
 * @example
 * ```ts
 * formatAge(3_900_000) // '1 h 5 min'
 * ```
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/**
 * A status as a labelled badge (text, not colour alone).
 *
 * @example
 * ```ts
 * statusBadge('dead').value // '<span class="status status-dead">dead</span>'
 * ```
 */
export function statusBadge(status: EventStatus): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}
