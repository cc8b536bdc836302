// Persona's Events API: GET /events (newest first, cursor pages) and GET /events/{id}.
import { PersonaApiError, PersonaWebhookError } from '../errors.js';
import { type PersonaEvent, parseEvent } from '../events/parse.js';
import { numberOption } from '../options.js';
import type { PersonaClient } from './client.js';

/** Persona's page size bounds for `page[size]`. */
export const MAX_PAGE_SIZE = 100;

/**
 * Filters and cursor of `GET /events`. There is no time filter: walk pages newest first until `createdAt` is old
 * enough.
 *
 * @example
 * ```ts
 * const params: ListEventsParams = { size: 100, names: ['inquiry.approved', 'inquiry.declined'] }
 * ```
 */
export interface ListEventsParams {
  /** `page[size]`, 1 to 100. Default 100 (Persona's own default is 10: fewer events per request). */
  readonly size?: number;
  /** `page[after]`: the page after (older than) this event id. */
  readonly after?: string;
  /** `page[before]`: the page before (newer than) this event id. */
  readonly before?: string;
  /** `filter[name]`. */
  readonly names?: readonly string[];
  /** `filter[object-id]`: events about these objects (`inq_…`). */
  readonly objectIds?: readonly string[];
  /** `filter[id]`. */
  readonly ids?: readonly string[];
  readonly signal?: AbortSignal;
}

/** An event as the Events API returns it, in the envelope a webhook delivery has. */
export interface ApiEvent {
  readonly event: PersonaEvent;
  /** `{"data": <the API's event object>}`: the body a delivery of this event would have, minus `included`. */
  readonly body: string;
}

/** One page of `GET /events`. */
export interface EventsPage {
  /** Newest first. */
  readonly events: readonly ApiEvent[];
  /** `page[after]` of the next (older) page, or null on the last page. */
  readonly nextCursor: string | null;
  /** `page[before]` of the previous (newer) page, or null. */
  readonly prevCursor: string | null;
  readonly requestId: string | null;
}

/** @internal The cursor in a `links.next`/`links.prev` URL, or null. Also read by webhooks.ts. */
export function cursorOf(link: unknown, key: 'page[after]' | 'page[before]'): string | null {
  if (typeof link !== 'string' || link === '') return null;
  try {
    return new URL(link, 'https://api.invalid').searchParams.get(key);
  } catch {
    return null;
  }
}

function malformed(label: string, what: string, requestId: string | null): PersonaApiError {
  return new PersonaApiError(
    'api_bad_response',
    `${label} failed: the answer is not a page of events (${what})${requestId ? ` [Request-Id ${requestId}]` : ''}`,
    { details: { request: label, ...(requestId ? { requestId } : {}) } },
  );
}

function toApiEvent(item: unknown, label: string, index: number, requestId: string | null): ApiEvent {
  const envelope = { data: item };
  try {
    return { event: parseEvent(envelope), body: JSON.stringify(envelope) };
  } catch (error) {
    if (error instanceof PersonaWebhookError)
      throw malformed(
        label,
        `item ${index}: ${error.message.replace(/^Not a Persona event envelope: /, '')}`,
        requestId,
      );
    throw error;
  }
}

function csv(name: string, values: readonly string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const v of values) {
    if (typeof v !== 'string' || v === '' || v.includes(','))
      throw new PersonaWebhookError(
        'invalid_options',
        `${name}: each value must be a non-empty string without commas.`,
      );
  }
  return values.join(',');
}

/**
 * Fetches one page of events, newest first.
 *
 * @throws PersonaApiError when the API refuses or keeps failing; `api_bad_response` for a page that is not events.
 * @example
 * ```ts
 * let page = await listEvents(client, { size: 100 })
 * while (page.nextCursor) page = await listEvents(client, { size: 100, after: page.nextCursor })
 * ```
 */
export async function listEvents(client: PersonaClient, params: ListEventsParams = {}): Promise<EventsPage> {
  const size = numberOption('listEvents', 'size', params.size, MAX_PAGE_SIZE, {
    integer: true,
    min: 1,
    max: MAX_PAGE_SIZE,
  });
  const label = 'GET /events';
  const { body, requestId } = await client.request<{ data?: unknown; links?: { next?: unknown; prev?: unknown } }>({
    path: '/events',
    query: {
      'page[size]': size,
      'page[after]': params.after,
      'page[before]': params.before,
      'filter[name]': csv('names', params.names),
      'filter[object-id]': csv('objectIds', params.objectIds),
      'filter[id]': csv('ids', params.ids),
    },
    ...(params.signal ? { signal: params.signal } : {}),
  });
  if (body === null || typeof body !== 'object' || !Array.isArray(body.data))
    throw malformed(label, 'no "data" array', requestId);
  const events = body.data.map((item, i) => toApiEvent(item, label, i, requestId));
  const links = body.links ?? {};
  return {
    events,
    nextCursor: cursorOf(links.next, 'page[after]'),
    prevCursor: cursorOf(links.prev, 'page[before]'),
    requestId,
  };
}

/**
 * Walks every page newest first (one request per page), yielding each page. Stop whenever you have enough.
 *
 * @example
 * ```ts
 * for await (const page of iterateEvents(client, { names: ['inquiry.approved'] })) {
 *   for (const { event } of page.events) if (event.createdAt < since) return
 * }
 * ```
 */
export async function* iterateEvents(
  client: PersonaClient,
  params: ListEventsParams = {},
): AsyncGenerator<EventsPage, void, undefined> {
  let after = params.after;
  for (;;) {
    const page = await listEvents(client, { ...params, ...(after === undefined ? {} : { after }) });
    yield page;
    if (page.nextCursor === null || page.events.length === 0) return;
    after = page.nextCursor;
  }
}

/**
 * Fetches one event by id.
 *
 * @throws PersonaApiError `api_not_found` when Persona has no such event (or no longer: it keeps 30 days).
 * @example
 * ```ts
 * const { event } = await retrieveEvent(client, 'evt_ABC123')
 * ```
 */
export async function retrieveEvent(
  client: PersonaClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<ApiEvent> {
  if (typeof id !== 'string' || !/^[\w-]+$/.test(id))
    throw new PersonaWebhookError('invalid_options', 'retrieveEvent: id must be an event id such as evt_ABC123.');
  const label = `GET /events/${id}`;
  const { body, requestId } = await client.request<{ data?: unknown }>({
    path: `/events/${encodeURIComponent(id)}`,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (body === null || typeof body !== 'object' || body.data === null || typeof body.data !== 'object')
    throw malformed(label, 'no "data" object', requestId);
  return toApiEvent(body.data, label, 0, requestId);
}
