// How an API module plugs into the simulator: a list of routes over the shared state. The simulator does the
// key check, rate limit, faults and headers before a route runs; a route only reads the request and answers.
import type { KeyInflection } from '../../events/parse.js';
import type { SampleRandom } from '../random.js';
import type { createDeliveryEngine } from './delivery.js';
import type { EventLog } from './event-log.js';
import type { SimulatedWebhook } from './webhook-model.js';

/** What every route can reach. */
export interface SimulatorState {
  readonly events: EventLog;
  readonly webhooks: Map<string, SimulatedWebhook>;
  readonly delivery: ReturnType<typeof createDeliveryEngine>;
  readonly random: SampleRandom;
  readonly now: () => Date;
}

/** An authenticated API request, as a route sees it. */
export interface RouteRequest {
  readonly method: string;
  /** Path captures, e.g. `{ id: 'evt_…' }`. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** `Key-Inflection` asked for (or kebab). */
  readonly inflection: KeyInflection;
  /** `Persona-Version` asked for, if any. */
  readonly version: string | undefined;
  /** The parsed JSON body, if any. */
  readonly body: unknown;
  /** Permissions of the key that made the request. */
  readonly permissions: ReadonlySet<string>;
}

/** A route's answer; `body` is re-cased to the asked inflection by the simulator. */
export interface RouteReply {
  readonly status: number;
  readonly body: unknown;
}

/** One endpoint under the API base path (`/api/v1`). */
export interface SimulatorRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** e.g. `/events/:id`. */
  readonly path: string;
  /** The key permission it needs, e.g. `event.read`. */
  readonly permission: string;
  handle(request: RouteRequest, state: SimulatorState): RouteReply;
}

/**
 * Persona's error body: `{errors: [{title, details}]}`. @internal
 * @example
 * ```ts
 * return errorReply(404, 'Record not found')
 * ```
 */
export function errorReply(status: number, title: string, details?: string): RouteReply {
  return { status, body: { errors: [details === undefined ? { title } : { title, details }] } };
}

/**
 * @internal Matches `/events/:id` against a path; returns the captures or null.
 * @example
 * ```ts
 * matchPath('/events/:id', '/events/evt_1') // { id: 'evt_1' }
 * ```
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (g === '') return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return null;
  }
  return params;
}
