// The events filter as it appears in a shareable URL (?name=&status=&object=&source=&from=&to=&cursor=),
// and its translation to the store's ListFilter. A bad value is reported to the page, never thrown.
import { EVENT_STATUSES, type EventStatus, type ListFilter } from 'persona-webhooks';

/** Where an event came from: a webhook delivery or the Events API (reconcile). Recorded once issue 10's `source` lands. */
export type EventSource = 'webhook' | 'api';

/** The filter fields of the URL, as typed. */
export interface FilterQuery {
  readonly name: string;
  readonly status: EventStatus | '';
  readonly object: string;
  readonly source: EventSource | '';
  /** `YYYY-MM-DDTHH:MM` (UTC), as a datetime-local input gives it. */
  readonly from: string;
  readonly to: string;
}

/** A filter ready for the store, with what could not be understood. */
export interface ParsedFilter {
  readonly query: FilterQuery;
  /** The store filter; `source` is passed through for stores that record it. */
  readonly filter: ListFilter & { readonly source?: EventSource };
  readonly cursor: string | undefined;
  readonly problems: readonly string[];
}

function parseTime(text: string, field: string, problems: string[]): Date | undefined {
  if (text === '') return undefined;
  // datetime-local has no zone: the page says the times are UTC.
  const withZone = /[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) {
    problems.push(`${field}: "${text}" is not a date and time (expected YYYY-MM-DDTHH:MM, UTC)`);
    return undefined;
  }
  return date;
}

/**
 * Reads the filter from a URL's query string.
 *
 * @example
 * ```ts
 * parseFilter(new URLSearchParams('status=dead&name=inquiry.failed')).filter
 * // { status: 'dead', name: 'inquiry.failed' }
 * ```
 */
export function parseFilter(params: URLSearchParams): ParsedFilter {
  const problems: string[] = [];
  const get = (key: string) => (params.get(key) ?? '').trim().slice(0, 200);
  const statusText = get('status');
  const status = (EVENT_STATUSES as readonly string[]).includes(statusText) ? (statusText as EventStatus) : '';
  if (statusText !== '' && status === '')
    problems.push(`status: "${statusText}" is not one of ${EVENT_STATUSES.join(', ')}`);
  const sourceText = get('source');
  const source = sourceText === 'webhook' || sourceText === 'api' ? sourceText : '';
  if (sourceText !== '' && source === '') problems.push(`source: "${sourceText}" is not webhook or api`);
  const query: FilterQuery = {
    name: get('name'),
    status,
    object: get('object'),
    source,
    from: get('from'),
    to: get('to'),
  };
  const since = parseTime(query.from, 'from', problems);
  const until = parseTime(query.to, 'to', problems);
  const cursor = get('cursor');
  return {
    query,
    filter: {
      ...(query.name === '' ? {} : { name: query.name }),
      ...(status === '' ? {} : { status }),
      ...(query.object === '' ? {} : { resourceId: query.object }),
      ...(source === '' ? {} : { source }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    },
    cursor: cursor === '' ? undefined : cursor,
    problems,
  };
}

/**
 * The query string of a filter (empty fields left out), for links that keep it.
 *
 * @example
 * ```ts
 * filterSearch({ name: '', status: 'dead', object: '', source: '', from: '', to: '' }) // '?status=dead'
 * ```
 */
export function filterSearch(query: Partial<FilterQuery>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Whether any filter field is set.
 *
 * @example
 * ```ts
 * isFiltered({ name: '', status: '', object: '', source: '', from: '', to: '' }) // false
 * ```
 */
export function isFiltered(query: FilterQuery): boolean {
  return Object.values(query).some((v) => v !== '');
}
