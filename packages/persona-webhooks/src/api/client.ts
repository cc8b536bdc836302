import { PersonaApiError, type PersonaApiErrorCode, PersonaWebhookError } from '../errors.js';
import type { KeyInflection } from '../events/parse.js';
import { numberOption } from '../options.js';
import { createPacer, type Pacer, type RateLimitState } from './rate-limit.js';

/** Persona's API base URL; `PERSONA_API_URL` overrides it in the service (tests point it at the simulator). */
export const DEFAULT_PERSONA_API_URL = 'https://api.withpersona.com/api/v1';

/** The backoff on 429 Persona suggests: 5, 10, 20, 40 s (https://docs.withpersona.com/rate-limiting). */
export const RATE_LIMIT_BACKOFF_MS: readonly number[] = [5_000, 10_000, 20_000, 40_000];
/** Waits before retrying a 5xx, a timeout or a lost connection. */
export const SERVER_ERROR_BACKOFF_MS: readonly number[] = [1_000, 2_000, 4_000];

/** The fetch this client calls: the global one, or any function with its shape. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One finished HTTP exchange, for logs and metrics: no key, no query values, no body. */
export interface ApiRequestInfo {
  readonly method: string;
  /** The path without the query, e.g. `/events`. */
  readonly path: string;
  /** HTTP status, or 0 when no answer came (connection refused, timeout). */
  readonly status: number;
  readonly durationMs: number;
  /** 1 for the first try of this call, 2 for the first retry … */
  readonly attempt: number;
  readonly requestId: string | null;
  /** What the client does next: `done`, or the wait before retrying in milliseconds. */
  readonly retryInMs: number | null;
}

/**
 * Options of {@link createPersonaClient}.
 *
 * @example
 * ```ts
 * const options: PersonaClientOptions = { apiKey: process.env.PERSONA_API_KEY!, apiVersion: '2025-12-08', rateLimitShare: 0.5 }
 * ```
 */
export interface PersonaClientOptions {
  /** A Persona API key (`persona_production_…`, `persona_sandbox_…`). Sent as a bearer token, never logged. */
  readonly apiKey: string;
  /** Default {@link DEFAULT_PERSONA_API_URL}. */
  readonly baseUrl?: string;
  /** `Persona-Version`: pick the webhook's `api-version` so API events look like delivered ones. Default: the key's. */
  readonly apiVersion?: string;
  /** `Key-Inflection`: pick the webhook's `api-key-inflection`. Default: the key's (kebab unless changed). */
  readonly keyInflection?: KeyInflection;
  /**
   * Fraction of the environment's rate limit (300 requests/minute, shared by all keys) this client may use, in
   * (0, 1]. Default 1. Reconcile and listen use 0.5, leaving room for the application's own calls.
   */
  readonly rateLimitShare?: number;
  /** Retries of a 5xx, a timeout or a lost connection, on {@link SERVER_ERROR_BACKOFF_MS}. Default 3. */
  readonly maxRetries?: number;
  /** Retries of a 429, on {@link RATE_LIMIT_BACKOFF_MS}. Default 4. */
  readonly maxRateLimitRetries?: number;
  /** Per request. Default 30,000 ms. */
  readonly timeoutMs?: number;
  /**
   * Multiplies every wait: backoffs, the 60 s rate window and `RateLimit-Reset` (read as seconds of the scaled
   * clock). For tests against the simulator run with the same scale. Default 1.
   */
  readonly timeScale?: number;
  readonly fetch?: FetchLike;
  /** Called after every HTTP exchange (retries included). Its errors are ignored. */
  readonly onRequest?: (info: ApiRequestInfo) => void;
  /** Sent as `User-Agent`. Default `persona-webhooks`. */
  readonly userAgent?: string;
}

/** One call through the client. */
export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, e.g. `/events` or `/webhooks/wbh_123/rotate-secret`. */
  readonly path: string;
  /** Query parameters; undefined values are left out. Keys are sent as written (`page[after]`). */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** Sent as `Idempotency-Key` (POST retries are only safe with one). */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

/** A successful answer. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly requestId: string | null;
}

/**
 * The request core every Persona API call goes through: bearer auth, version and inflection headers, rate-limit
 * pacing, bounded retries and typed errors. Endpoint helpers (`listEvents`, …) take it as their first argument.
 *
 * @example
 * ```ts
 * const client = createPersonaClient({ apiKey })
 * const { body } = await client.request<{ data: unknown[] }>({ path: '/events', query: { 'page[size]': 100 } })
 * ```
 */
export interface PersonaClient {
  readonly baseUrl: string;
  readonly apiVersion: string | undefined;
  readonly keyInflection: KeyInflection | undefined;
  request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>>;
  /** What the last answer said about the rate limit. */
  rateLimit(): RateLimitState;
}

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', `createPersonaClient: ${message}`);
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * @internal A timer that an AbortSignal cancels.
 * @example
 * ```ts
 * await sleep(5000 * timeScale, signal)
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Up to +25 %, so that several clients backing off together do not come back together. */
function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.25));
}

/** `ECONNREFUSED 127.0.0.1:9`-style words from a fetch failure's cause: no header, no key. */
function connectionProblem(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Persona's error body is `{errors: [{title, details}]}`: one short line of it, or ''. */
function personaReason(body: unknown): string {
  const first = (body as { errors?: unknown })?.errors;
  if (!Array.isArray(first) || first.length === 0) return '';
  const e = first[0] as { title?: unknown; details?: unknown };
  const parts = [e.title, e.details].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts
    .join(': ')
    .replace(/[\r\n\t]+/g, ' ')
    .slice(0, 200);
}

const STATUS_CODES: Readonly<Record<number, PersonaApiErrorCode>> = {
  400: 'api_bad_request',
  401: 'api_unauthorized',
  403: 'api_forbidden',
  404: 'api_not_found',
};

const HINTS: Readonly<Record<PersonaApiErrorCode, string>> = {
  api_unauthorized:
    'the API key was refused (wrong, revoked, or from another environment): check PERSONA_API_KEY and PERSONA_API_URL',
  api_forbidden:
    'the API key lacks a permission (events need event.read, webhooks webhook.read or webhook.write) or this IP is not allowed',
  api_not_found: 'not found',
  api_bad_request: 'Persona rejected the request',
  api_rate_limited:
    'still rate limited after backing off: another client is using the environment’s 300 requests/minute; lower the share or try later',
  api_server_error: 'Persona kept answering with server errors; try again later',
  api_unreachable: 'could not reach the API: check PERSONA_API_URL and the network',
  api_bad_response:
    'the answer is not the JSON the endpoint documents (a proxy in between, or a wrong PERSONA_API_URL)',
};

/**
 * Creates the Persona API request core. Fetch-based with no dependency: Node ≥ 20, Deno, Bun, Workers.
 *
 * @throws PersonaWebhookError `invalid_options` for a missing key or a bad option.
 * @example
 * ```ts
 * import { createPersonaClient, listEvents } from 'persona-webhooks/api'
 * const client = createPersonaClient({ apiKey: process.env.PERSONA_API_KEY!, rateLimitShare: 0.5 })
 * const page = await listEvents(client, { size: 100, names: ['inquiry.approved'] })
 * ```
 */
export function createPersonaClient(options: PersonaClientOptions): PersonaClient {
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') throw invalid('apiKey is required (PERSONA_API_KEY).');
  if (/\s/.test(apiKey)) throw invalid('apiKey contains whitespace: copy the key again without spaces or newlines.');
  const baseUrl = (options.baseUrl ?? DEFAULT_PERSONA_API_URL).replace(/\/+$/, '');
  let parsedBase: URL;
  try {
    parsedBase = new URL(baseUrl);
  } catch {
    // Not quoted: a mistyped URL may still carry a password.
    throw invalid('baseUrl is not a URL: it must start with https:// (or http:// for a local simulator).');
  }
  if (parsedBase.protocol !== 'https:' && parsedBase.protocol !== 'http:') throw invalid('baseUrl must be http(s).');
  const owner = 'createPersonaClient';
  const share = numberOption(owner, 'rateLimitShare', options.rateLimitShare, 1, { max: 1 });
  const timeScale = numberOption(owner, 'timeScale', options.timeScale, 1);
  const retries = { integer: true, min: 0, max: 10 };
  const maxRetries = numberOption(owner, 'maxRetries', options.maxRetries, 3, retries);
  const maxRateLimitRetries = numberOption(
    owner,
    'maxRateLimitRetries',
    options.maxRateLimitRetries,
    RATE_LIMIT_BACKOFF_MS.length,
    retries,
  );
  const timeoutMs = numberOption(owner, 'timeoutMs', options.timeoutMs, 30_000, { unit: 'ms' });
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const pacer: Pacer = createPacer({ share, timeScale, now: () => performance.now(), sleep });

  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${apiKey}`,
    'User-Agent': options.userAgent ?? 'persona-webhooks',
  };
  if (options.apiVersion !== undefined) headers['Persona-Version'] = options.apiVersion;
  if (options.keyInflection !== undefined) headers['Key-Inflection'] = options.keyInflection;

  function report(info: ApiRequestInfo) {
    try {
      options.onRequest?.(info);
    } catch {
      // A metrics hook must not break a request.
    }
  }

  function fail(
    code: PersonaApiErrorCode,
    label: string,
    facts: {
      httpStatus: number;
      requestId: string | null;
      attempts: number;
      reason?: string;
      note?: string;
      cause?: unknown;
    },
  ): PersonaApiError {
    const status = facts.httpStatus === 0 ? 'no answer' : `HTTP ${facts.httpStatus}`;
    const reason = facts.reason ? ` (Persona: "${facts.reason}")` : facts.note ? ` (${facts.note})` : '';
    const tries = facts.attempts > 1 ? `, ${facts.attempts} attempts` : '';
    const req = facts.requestId ? `, Request-Id ${facts.requestId}` : '';
    return new PersonaApiError(code, `${label} failed: ${HINTS[code]}${reason} [${status}${tries}${req}]`, {
      cause: facts.cause,
      details: {
        request: label,
        httpStatus: facts.httpStatus,
        attempts: facts.attempts,
        ...(facts.requestId ? { requestId: facts.requestId } : {}),
      },
    });
  }

  async function request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    const method = req.method ?? 'GET';
    const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
    const label = `${method} ${path}`;
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const init: RequestInit = { method, headers: { ...headers } };
    if (req.body !== undefined) {
      init.body = JSON.stringify(req.body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    if (req.idempotencyKey !== undefined)
      (init.headers as Record<string, string>)['Idempotency-Key'] = req.idempotencyKey;

    let serverRetries = 0;
    let rateRetries = 0;
    for (let attempt = 1; ; attempt++) {
      await pacer.acquire(req.signal);
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let response: Response;
      let parsed: unknown;
      let badBody: unknown;
      try {
        response = await doFetch(url.href, { ...init, signal });
        const text = await response.text();
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch (error) {
          badBody = error;
        }
      } catch (error) {
        if (req.signal?.aborted) throw abortError(req.signal);
        const retry = serverRetries < maxRetries;
        const wait = retry ? jitter((SERVER_ERROR_BACKOFF_MS[serverRetries] ?? 4_000) * timeScale) : null;
        report({
          method,
          path,
          status: 0,
          durationMs: performance.now() - started,
          attempt,
          requestId: null,
          retryInMs: wait,
        });
        if (wait === null) {
          throw fail('api_unreachable', label, {
            httpStatus: 0,
            requestId: null,
            attempts: attempt,
            note: timeout.aborted ? `no answer within ${timeoutMs} ms` : connectionProblem(error),
            cause: error,
          });
        }
        serverRetries++;
        await sleep(wait, req.signal);
        continue;
      }
      const receivedAt = performance.now();
      pacer.observe(response.headers, receivedAt);
      const requestId = response.headers.get('request-id');
      const status = response.status;
      let wait: number | null = null;
      let code: PersonaApiErrorCode | null = null;
      if (status === 429) {
        code = 'api_rate_limited';
        if (rateRetries < maxRateLimitRetries) {
          const backoff = (RATE_LIMIT_BACKOFF_MS[rateRetries] ?? 40_000) * timeScale;
          // Persona's window is fixed: retrying before it resets only spends another request.
          wait = jitter(Math.max(backoff, pacer.msUntilReset(receivedAt)));
          rateRetries++;
        }
      } else if (status >= 500 || (status >= 200 && status < 300 && badBody !== undefined)) {
        code = status >= 500 ? 'api_server_error' : 'api_bad_response';
        if (serverRetries < maxRetries) {
          wait = jitter((SERVER_ERROR_BACKOFF_MS[serverRetries] ?? 4_000) * timeScale);
          serverRetries++;
        }
      } else if (status < 200 || status >= 300) {
        code = STATUS_CODES[status] ?? 'api_bad_request';
      }
      report({ method, path, status, durationMs: receivedAt - started, attempt, requestId, retryInMs: wait });
      if (code === null) return { status, body: parsed as T, requestId };
      if (wait !== null) {
        await sleep(wait, req.signal);
        continue;
      }
      throw fail(code, label, {
        httpStatus: status,
        requestId,
        attempts: attempt,
        reason: personaReason(parsed),
        cause: badBody,
      });
    }
  }

  return {
    baseUrl,
    apiVersion: options.apiVersion,
    keyInflection: options.keyInflection,
    request,
    rateLimit: () => pacer.state(),
  };
}
