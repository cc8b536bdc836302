// Who may use the dashboard and how a request proves it: a token or basic-auth credentials open a session
// (random id in an HttpOnly, SameSite=Strict cookie); each session has its own CSRF token, and every POST must
// carry it and come from the dashboard's own origin.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How operators sign in: a shared token (typed into the login form), or basic-auth credentials. */
export type DashboardAuth = { readonly token: string } | { readonly username: string; readonly password: string };

/** A signed-in operator. */
export interface Session {
  readonly id: string;
  readonly csrf: string;
  /** Who signed in: `token` or the basic-auth user name. */
  readonly user: string;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'persona_dashboard_session';
/** Sessions kept at once; the oldest goes first beyond this (a login loop cannot exhaust memory). */
const MAX_SESSIONS = 1000;

/**
 * Compares two secrets in constant time (hashing first, so the lengths do not leak either).
 *
 * @example
 * ```ts
 * sameSecret(form.get('token') ?? '', options.auth.token)
 * ```
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Generates a token for `serve --dashboard --dev` (printed once, never logged).
 *
 * @example
 * ```ts
 * generateDashboardToken() // 'pwd_…' (32 random bytes, base64url)
 * ```
 */
export function generateDashboardToken(): string {
  return `pwd_${randomBytes(32).toString('base64url')}`;
}

/**
 * In-memory sessions with an absolute lifetime.
 *
 * @example
 * ```ts
 * const sessions = new SessionStore(8 * 3600_000)
 * const session = sessions.create('token')
 * sessions.get(session.id)?.csrf
 * ```
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  constructor(readonly ttlMs: number) {}

  create(user: string, now = Date.now()): Session {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      user,
      expiresAt: now + this.ttlMs,
    };
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined, now = Date.now()): Session | null {
    if (id === undefined) return null;
    const session = this.#sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return null;
    }
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }
}

/**
 * Reads one cookie from a Cookie header.
 *
 * @example
 * ```ts
 * readCookie('a=1; persona_dashboard_session=xyz', SESSION_COOKIE) // 'xyz'
 * ```
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value of a session (or of its removal when `session` is null).
 *
 * @example
 * ```ts
 * sessionCookie(session, '/', false) // 'persona_dashboard_session=…; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict'
 * ```
 */
export function sessionCookie(session: Session | null, path: string, secure: boolean): string {
  const attributes = [`Path=${path}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  if (session === null) return [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ');
  const maxAge = Math.max(1, Math.floor((session.expiresAt - Date.now()) / 1000));
  return [`${SESSION_COOKIE}=${session.id}`, `Max-Age=${maxAge}`, ...attributes].join('; ');
}

/**
 * The user name of valid basic-auth credentials in an Authorization header, or null.
 *
 * @example
 * ```ts
 * basicAuthUser(`Basic ${btoa('ops:pw')}`, { username: 'ops', password: 'pw' }) // 'ops'
 * ```
 */
export function basicAuthUser(header: string | null, auth: DashboardAuth): string | null {
  if (!('username' in auth) || header === null || !/^basic /i.test(header)) return null;
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Both compared, always: which one was wrong must not show in the timing.
  const userOk = sameSecret(user, auth.username);
  const passwordOk = sameSecret(password, auth.password);
  return userOk && passwordOk ? user : null;
}

/**
 * Whether a state-changing request comes from the dashboard's own pages: its Origin (or, when a browser sent
 * none, Sec-Fetch-Site) must name one of the allowed origins. A request with neither is refused: every
 * browser sends Origin on a POST, and a script without a browser has no session cookie to abuse.
 *
 * @example
 * ```ts
 * isSameOrigin(request, [new URL(request.url).origin])
 * ```
 */
export function isSameOrigin(request: Request, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null) return allowedOrigins.includes(origin);
  return request.headers.get('sec-fetch-site') === 'same-origin';
}

/** Headers on every dashboard response. The CSP allows no inline script or style and no framing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it Chromium sends `Origin: null` with the dashboard's own form posts.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-store',
};
