// The Events API subset: GET /events (cursor pages, filters) and GET /events/{id}, as the spec describes them.
// An API event's payload has `data` and no `included`.
import { BadQueryError, type EventQuery, type SimulatedEvent } from './event-log.js';
import { errorReply, type RouteRequest, type SimulatorRoute, type SimulatorState } from './routes.js';

/** The API's view of a stored event: the envelope's `data`, without `payload.included`. */
function apiEvent(event: SimulatedEvent): unknown {
  const { data } = event.envelope;
  const attributes = data.attributes;
  const { included: _included, ...payload } = attributes.payload as Record<string, unknown>;
  return { ...data, attributes: { ...attributes, payload } };
}

function list(values: string | null): string[] | undefined {
  if (values === null || values === '') return undefined;
  return values.split(',').filter((v) => v !== '');
}

function readQuery(request: RouteRequest): EventQuery | string {
  const q = request.query;
  const sizeText = q.get('page[size]');
  const size = sizeText === null ? 10 : Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > 100) return 'page[size] must be an integer from 1 to 100';
  const after = q.get('page[after]') ?? undefined;
  const before = q.get('page[before]') ?? undefined;
  if (after !== undefined && before !== undefined) return 'page[after] and page[before] cannot both be given';
  const names = list(q.get('filter[name]'));
  const objectIds = list(q.get('filter[object-id]'));
  const ids = list(q.get('filter[id]'));
  return {
    size,
    ...(after === undefined ? {} : { after }),
    ...(before === undefined ? {} : { before }),
    ...(names === undefined ? {} : { names }),
    ...(objectIds === undefined ? {} : { objectIds }),
    ...(ids === undefined ? {} : { ids }),
  };
}

/** The link Persona puts in `links.next` / `links.prev`, keeping the filters and size. */
function link(request: RouteRequest, key: 'page[after]' | 'page[before]', id: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of request.query) if (k !== 'page[after]' && k !== 'page[before]') q.set(k, v);
  q.set(key, id);
  return `/api/v1/events?${q.toString()}`;
}

/** @internal */
export const eventsRoutes: readonly SimulatorRoute[] = [
  {
    method: 'GET',
    path: '/events',
    permission: 'event.read',
    handle(request: RouteRequest, state: SimulatorState) {
      const query = readQuery(request);
      if (typeof query === 'string') return errorReply(400, 'Bad Request', query);
      let page: ReturnType<SimulatorState['events']['page']>;
      try {
        page = state.events.page(query);
      } catch (error) {
        if (error instanceof BadQueryError) return errorReply(400, 'Bad Request', error.message);
        throw error;
      }
      const first = page.items[0];
      const last = page.items[page.items.length - 1];
      return {
        status: 200,
        body: {
          data: page.items.map(apiEvent),
          links: {
            prev: page.hasNewer && first ? link(request, 'page[before]', first.id) : null,
            next: page.hasOlder && last ? link(request, 'page[after]', last.id) : null,
          },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/events/:id',
    permission: 'event.read',
    handle(request: RouteRequest, state: SimulatorState) {
      const event = state.events.get(request.params.id ?? '');
      if (!event) return errorReply(404, 'Record not found');
      return { status: 200, body: { data: apiEvent(event) } };
    },
  },
];
