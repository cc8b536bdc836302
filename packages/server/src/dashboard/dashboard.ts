// The dashboard as a Web fetch handler: `(Request) => Promise<Response>`, served by `serve --dashboard` on its
// own port or mounted in any framework that speaks Request/Response (Hono, Next, Bun, Deno, node via a glue).
import { EVENT_NAMES, type EventStore, type ListFilter, PersonaWebhookError } from 'persona-webhooks';
import { checkSignature, type SignatureCheck } from '../commands/verify.js';
import { describeError } from '../service/describe-error.js';
import { ASSETS } from './assets.js';
import {
  basicAuthUser,
  type DashboardAuth,
  isSameOrigin,
  readCookie,
  SECURITY_HEADERS,
  SESSION_COOKIE,
  type Session,
  SessionStore,
  sameSecret,
  sessionCookie,
} from './auth.js';
import { deadLettersPage, replayAllConfirmPage } from './dead-letters-page.js';
import { eventPage } from './event-page.js';
import { eventsPage } from './events-page.js';
import { filterSearch, parseFilter } from './filters.js';
import { html } from './html.js';
import { type PageContext, page } from './layout.js';
import { loginPage } from './login-page.js';
import { overviewPage, type ReconcileRunSummary } from './overview-page.js';
import { signaturePage } from './signature-page.js';

/** The newest reconcile run, as the overview shows it (what Persona sent that webhooks never brought). */
async function lastReconcileRun(store: EventStore): Promise<ReconcileRunSummary | null> {
  const [run] = await store.listReconcileRuns({ limit: 1 });
  if (run === undefined) return null;
  return {
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    fetched: run.seen,
    recovered: run.inserted,
    error: run.error,
  };
}

/** A Web fetch handler. */
export type DashboardHandler = (request: Request) => Promise<Response>;

/** Something the dashboard records: sign-ins, reveals of personal data, replays. Never a secret or a payload. */
export interface DashboardAuditEntry {
  readonly action: 'login' | 'login_failed' | 'logout' | 'reveal' | 'replay' | 'replay_all' | 'refused';
  readonly user: string | null;
  readonly eventId?: string;
  readonly count?: number;
  /** The filter of a bulk replay, as a query string. */
  readonly filter?: string;
  /** Why a request was refused (cross-site, bad CSRF token). */
  readonly reason?: string;
  readonly at: Date;
}

export interface DashboardOptions {
  readonly store: EventStore;
  /** A token (typed into the login form) or basic-auth credentials. Required: there is no anonymous mode. */
  readonly auth: DashboardAuth;
  /** Allow replay (one event, or all dead letters matching a filter). Default false: read-only. */
  readonly actions?: boolean;
  /** Path the dashboard is mounted under, e.g. `/ops/persona`. Default: the root. */
  readonly basePath?: string;
  /**
   * Origins a POST may come from, e.g. `https://ops.example.com` behind a TLS proxy. Default: the origin of
   * the request URL the handler receives.
   */
  readonly allowedOrigins?: readonly string[];
  /** Webhook secrets the signature check tries when none is pasted. */
  readonly secret?: string | readonly string[];
  /** Receives every audit entry (reveals, replays, sign-ins). Default: one JSON line on stderr. */
  readonly onAudit?: (entry: DashboardAuditEntry) => void;
  /** Receives an unexpected failure behind a 500 or 503 page. Default: its first line on stderr. */
  readonly onError?: (error: unknown) => void;
  /** How long a session lasts. Default 8 hours. */
  readonly sessionTtlMs?: number;
}

const FORM_LIMIT_BYTES = 2 * 1024 * 1024;
const PAGE_SIZE = 50;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function respond(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers },
  });
}

function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { location, ...SECURITY_HEADERS, ...headers } });
}

async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'Send the form as application/x-www-form-urlencoded.');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > FORM_LIMIT_BYTES) throw new HttpError(413, 'The form is larger than 2 MiB.');
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > FORM_LIMIT_BYTES) throw new HttpError(413, 'The form is larger than 2 MiB.');
      chunks.push(chunk);
    }
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function defaultAudit(entry: DashboardAuditEntry): void {
  process.stderr.write(`${JSON.stringify({ msg: 'dashboard audit', ...entry })}\n`);
}

/** A `next` target inside the dashboard only: an open redirect would turn the login page into a phishing aid. */
function safeNext(base: string, next: string | null): string {
  if (next?.startsWith(`${base}/`) && !next.startsWith('//') && !/[\\\r\n]/.test(next)) return next;
  return `${base}/`;
}

/**
 * Creates the operator dashboard: overview, events, event pages with masked payloads, dead letters with
 * replay, and a signature check. Server-rendered HTML; every action is a POST with a CSRF token from the
 * dashboard's own origin.
 *
 * @example
 * ```ts
 * import { createDashboard } from 'persona-webhooks-server/dashboard'
 *
 * const dashboard = createDashboard({ store, auth: { token: process.env.PERSONA_DASHBOARD_TOKEN! }, basePath: '/ops' })
 * app.all('/ops/*', (c) => dashboard(c.req.raw)) // Hono; any (Request) => Response framework works the same
 * ```
 */
export function createDashboard(options: DashboardOptions): DashboardHandler {
  const store = options?.store;
  if (store === undefined || typeof store.list !== 'function') {
    throw new PersonaWebhookError('invalid_options', 'createDashboard: pass { store } (an EventStore)');
  }
  const auth = options.auth;
  const tokenAuth = auth !== undefined && 'token' in auth && typeof auth.token === 'string' && auth.token.length >= 16;
  const basicAuth =
    auth !== undefined &&
    'username' in auth &&
    typeof auth.username === 'string' &&
    auth.username !== '' &&
    typeof auth.password === 'string' &&
    auth.password.length >= 12;
  if (!tokenAuth && !basicAuth) {
    throw new PersonaWebhookError(
      'invalid_options',
      'createDashboard: auth must be { token } (at least 16 characters) or { username, password } (a password of at least 12 characters): the dashboard shows personal data and has no anonymous mode',
    );
  }
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  if (base !== '' && !base.startsWith('/')) {
    throw new PersonaWebhookError('invalid_options', 'createDashboard: basePath must start with "/"');
  }
  const actions = options.actions === true;
  const secrets =
    options.secret === undefined ? [] : typeof options.secret === 'string' ? [options.secret] : [...options.secret];
  const audit = options.onAudit ?? defaultAudit;
  const onError =
    options.onError ??
    ((error: unknown) => {
      process.stderr.write(`${JSON.stringify({ msg: 'dashboard page failed', error: describeError(error) })}\n`);
    });
  const sessions = new SessionStore(options.sessionTtlMs ?? 8 * 3600_000);
  const eventNames = EVENT_NAMES as readonly string[];

  const record = (entry: Omit<DashboardAuditEntry, 'at'>) => audit({ ...entry, at: new Date() });

  const listPage = (filter: ListFilter, cursor?: string) =>
    store.list(filter, { limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });

  async function route(request: Request, url: URL, path: string): Promise<Response> {
    const method = request.method.toUpperCase();
    const secure = url.protocol === 'https:';
    const cookiePath = base === '' ? '/' : base;

    if (path.startsWith('/assets/')) {
      const asset = ASSETS[path.slice('/assets/'.length)];
      if (asset === undefined || (method !== 'GET' && method !== 'HEAD')) throw new HttpError(404, 'No such asset.');
      return new Response(method === 'HEAD' ? null : asset.text, {
        headers: {
          ...SECURITY_HEADERS,
          'content-type': asset.type,
          etag: asset.etag,
          'cache-control': 'public, max-age=31536000, immutable',
        },
      });
    }

    if (method === 'POST') {
      const allowed = options.allowedOrigins ?? [url.origin];
      if (!isSameOrigin(request, allowed)) {
        record({ action: 'refused', user: null, reason: 'cross-site request' });
        throw new HttpError(
          403,
          'Cross-site request refused: actions are accepted only from the dashboard’s own pages.',
        );
      }
    } else if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, 'Only GET and POST are used here.');
    }

    if (path === '/login') {
      if (!tokenAuth) return redirect(`${base}/`);
      if (method === 'GET') {
        return respond(200, loginPage(base, { next: safeNext(base, url.searchParams.get('next')), error: null }));
      }
      const form = await readForm(request);
      const next = safeNext(base, form.get('next'));
      if (!sameSecret(form.get('token') ?? '', (auth as { token: string }).token)) {
        record({ action: 'login_failed', user: null });
        return respond(401, loginPage(base, { next, error: 'That token is not the dashboard token.' }));
      }
      const session = sessions.create('token');
      record({ action: 'login', user: session.user });
      return redirect(next, { 'set-cookie': sessionCookie(session, cookiePath, secure) });
    }

    let session: Session | null = sessions.get(readCookie(request.headers.get('cookie'), SESSION_COOKIE));
    let setCookie: Record<string, string> = {};
    if (session === null && basicAuth) {
      const user = basicAuthUser(request.headers.get('authorization'), auth);
      if (user !== null) {
        session = sessions.create(user);
        setCookie = { 'set-cookie': sessionCookie(session, cookiePath, secure) };
      }
    }
    if (session === null) {
      if (basicAuth) {
        return respond(401, page(null, { title: 'Sign in', base }, html`<h1>Sign in required</h1>`), {
          'www-authenticate': 'Basic realm="persona-webhooks dashboard", charset="UTF-8"',
        });
      }
      if (method === 'GET' || method === 'HEAD') {
        return redirect(`${base}/login?next=${encodeURIComponent(`${base}${path}${url.search}`)}`);
      }
      throw new HttpError(401, 'Sign in first: this action needs a session.');
    }

    let form: URLSearchParams | null = null;
    if (method === 'POST') {
      form = await readForm(request);
      if (!sameSecret(form.get('_csrf') ?? '', session.csrf)) {
        record({ action: 'refused', user: session.user, reason: 'missing or wrong CSRF token' });
        throw new HttpError(403, 'The form’s CSRF token is missing or stale: reload the page and try again.');
      }
    }

    const ctx: PageContext = { base, csrf: session.csrf, actions, user: session.user, now: new Date() };
    const ok = (body: string) => respond(200, body, setCookie);
    const needActions = () => {
      if (!actions) throw new HttpError(403, 'This dashboard is read-only: start it with actions enabled to replay.');
    };

    if (path === '/logout' && form !== null) {
      sessions.delete(session.id);
      record({ action: 'logout', user: session.user });
      return redirect(tokenAuth ? `${base}/login` : `${base}/`, {
        'set-cookie': sessionCookie(null, cookiePath, secure),
      });
    }

    if (path === '/' && form === null) {
      const since = new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000 - 59 * 60_000);
      const [stats, buckets, dead, reconcile] = await Promise.all([
        store.stats(),
        store.activity({ since, bucketMs: 60_000 }),
        store.list({ status: 'dead' }, { limit: 5 }),
        lastReconcileRun(store),
      ]);
      return ok(overviewPage(ctx, { stats, buckets, dead: dead.events, reconcile }));
    }

    if (path === '/events' && form === null) {
      const parsed = parseFilter(url.searchParams);
      return ok(eventsPage(ctx, parsed, await listPage(parsed.filter, parsed.cursor), { eventNames }));
    }

    const eventMatch = /^\/events\/([^/]+)(\/reveal|\/replay)?$/.exec(path);
    if (eventMatch?.[1] !== undefined) {
      const id = decodeURIComponent(eventMatch[1]);
      const sub = eventMatch[2];
      if (sub === '/replay') {
        if (form === null) throw new HttpError(405, 'Replay is a POST from the event page.');
        needActions();
        const count = await store.requeue({ id });
        record({ action: 'replay', user: session.user, eventId: id, count });
        const back = form.get('back') === 'dead-letters' ? `${base}/dead-letters?replayed=${count}` : null;
        return redirect(back ?? `${base}/events/${encodeURIComponent(id)}?replayed=${count}`, setCookie);
      }
      if (sub === '/reveal' && form === null) throw new HttpError(405, 'Reveal is a POST from the event page.');
      if (sub === undefined && form !== null) throw new HttpError(405, 'Nothing to POST here.');
      const event = await store.get(id);
      if (event === null) throw new HttpError(404, `No event ${id} is stored (it may have been pruned by retention).`);
      if (sub === '/reveal') record({ action: 'reveal', user: session.user, eventId: id });
      const related =
        event.resourceId === null
          ? []
          : (await store.list({ resourceId: event.resourceId }, { limit: 11 })).events
              .filter((e) => e.id !== id)
              .slice(0, 10);
      const replayed = url.searchParams.get('replayed');
      const flash =
        replayed === null
          ? null
          : replayed === '1'
            ? 'Replayed: the event is back to pending, and this page refreshes until it finishes.'
            : 'Nothing replayed: only succeeded or dead events can be replayed.';
      return respond(200, eventPage(ctx, event, { revealed: sub === '/reveal', related, flash }), setCookie);
    }

    if (path === '/dead-letters' && form === null) {
      const parsed = parseFilter(url.searchParams);
      const filter = { ...parsed.filter, status: 'dead' as const };
      const [result, matching] = await Promise.all([listPage(filter, parsed.cursor), store.count(filter)]);
      const replayed = Number(url.searchParams.get('replayed'));
      const flash =
        Number.isInteger(replayed) && url.searchParams.has('replayed')
          ? `Replayed ${replayed} event${replayed === 1 ? '' : 's'}.`
          : null;
      return ok(deadLettersPage(ctx, parsed, result, { matching, eventNames, flash }));
    }

    if (path === '/dead-letters/replay') {
      needActions();
      const parsed = parseFilter(form ?? url.searchParams);
      const filter = { ...parsed.filter, status: 'dead' as const };
      const matching = await store.count(filter);
      if (form === null) return ok(replayAllConfirmPage(ctx, parsed, matching));
      const expected = Number(form.get('expected'));
      if (expected !== matching) {
        return respond(
          409,
          replayAllConfirmPage(ctx, parsed, matching).replace(
            '<h1>',
            `<div class="notice warn" role="alert">The number of matching dead events changed from ${Number.isFinite(expected) ? expected : '?'} to ${matching} since the confirmation: check and confirm again.</div><h1>`,
          ),
        );
      }
      const count = await store.requeue({ filter });
      record({ action: 'replay_all', user: session.user, count, filter: filterSearch(parsed.query) });
      return redirect(`${base}/dead-letters?replayed=${count}`, setCookie);
    }

    if (path === '/signature') {
      if (form === null) {
        return ok(
          signaturePage(
            ctx,
            { header: '', body: '', skipTimestamp: false },
            { result: null, configuredSecrets: secrets.length, problem: null },
          ),
        );
      }
      const input = {
        header: form.get('header') ?? '',
        body: form.get('body') ?? '',
        skipTimestamp: form.get('skipTimestamp') === '1',
      };
      const pasted = (form.get('secret') ?? '').trim();
      const tryWith = pasted === '' ? secrets : [pasted];
      if (tryWith.length === 0) {
        return ok(
          signaturePage(ctx, input, {
            result: null,
            configuredSecrets: 0,
            problem: 'No secret: paste the webhook secret (wbhsec_…).',
          }),
        );
      }
      const check = (body: string) =>
        checkSignature({ body, header: input.header, secret: tryWith, skipTimestampCheck: input.skipTimestamp });
      let result: SignatureCheck = await check(input.body);
      let problem: string | null = null;
      // Browsers submit a textarea's line breaks as CRLF: a body that had LF would never match as typed.
      if (!result.valid && result.code === 'signature_mismatch' && input.body.includes('\r\n')) {
        const lf = await check(input.body.replaceAll('\r\n', '\n'));
        if (lf.valid) {
          result = lf;
          problem = 'Matched after turning the pasted CRLF line breaks back into LF (the form sends CRLF).';
        }
      }
      return ok(signaturePage(ctx, input, { result, configuredSecrets: secrets.length, problem }));
    }

    throw new HttpError(404, 'No such page.');
  }

  return async function dashboard(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (base !== '' && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      return respond(404, page(null, { title: 'Not found', base }, html`<h1>Not found</h1>`));
    }
    const path = url.pathname.slice(base.length) || '/';
    try {
      return await route(request, url, path);
    } catch (error) {
      const status =
        error instanceof HttpError
          ? error.status
          : error instanceof PersonaWebhookError && error.status >= 400 && error.status < 500
            ? error.status
            : error instanceof PersonaWebhookError && error.code === 'store_unavailable'
              ? 503
              : 500;
      const message =
        error instanceof HttpError || (error instanceof PersonaWebhookError && status < 500)
          ? error.message
          : status === 503
            ? 'The database is unreachable: the page will work again once it answers.'
            : 'Something failed while building this page.';
      if (status >= 500) onError(error);
      const headers: Record<string, string> = status === 405 ? { allow: 'GET, POST' } : {};
      return respond(
        status,
        page(
          null,
          { title: `Error ${status}`, base },
          html`<h1>${status === 403 ? 'Refused' : `Error ${status}`}</h1><p class="notice bad" role="alert">${message}</p><p><a href="${base}/">Back to the overview</a></p>`,
        ),
        headers,
      );
    }
  };
}
