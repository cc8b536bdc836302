import { PersonaWebhookError } from '../errors.js';
import type { EventName } from '../events/names.js';
import type { PersonaEvent } from '../events/parse.js';

/** What a handler learns besides the event. */
export interface HandlerContext {
  /** This handler's stable name (what `completedHandlers` records). */
  readonly handlerName: string;
  /** 1-based attempt number of the event (1 on the first run). */
  readonly attempt: number;
  /** Aborted when the worker stops past its deadline or loses the lease: stop early if you can. */
  readonly signal: AbortSignal;
}

/** A handler: resolve to succeed, throw (or reject) to fail this attempt. */
export type EventHandler<E extends PersonaEvent = PersonaEvent> = (
  event: E,
  context: HandlerContext,
) => unknown | Promise<unknown>;

export interface HandlerOptions {
  /**
   * Stable name recorded when the handler succeeds, so a retry skips it. Default: derived from the event
   * name and the function's name (`inquiry.approved:sendEmail`), with `#2`, `#3` … for repeats. Give an
   * explicit name to anonymous handlers whose registration order may change between deployments.
   */
  readonly name?: string;
}

/** Information passed to `onError` listeners. */
export interface HandlerErrorInfo {
  readonly handlerName: string;
  readonly attempt: number;
}

export type ErrorListener = (error: unknown, event: PersonaEvent, info: HandlerErrorInfo) => void | Promise<void>;

/** A registered handler. */
export interface RegisteredHandler {
  readonly name: string;
  /** The event name it was registered for, or `*` for `onAny`. */
  readonly eventName: string;
  readonly handler: EventHandler;
}

/** Per-handler outcome of one dispatch. */
export interface DispatchResult {
  /** Every handler for the event has now succeeded (in this or an earlier attempt). */
  readonly ok: boolean;
  /** Names of the handlers that succeeded, earlier ones included. */
  readonly completedHandlers: string[];
  /** The handlers that failed in this attempt, with the description kept as the event's `lastError`. */
  readonly failures: { readonly handlerName: string; readonly error: unknown; readonly description?: string }[];
}

/**
 * Options of {@link createHandlers}.
 *
 * @example
 * ```ts
 * createHandlers({ describeError: (error) => (error instanceof CrmError ? `crm ${error.status}` : 'failed') })
 * ```
 */
export interface HandlersOptions {
  /**
   * What a handler's failure leaves in the store's `lastError` (shown by `events list`, the dashboard and
   * logs). Default: the error's class and code and its message with quoted text, e-mail addresses, URLs and
   * numbers removed, since handlers often put the data they were working on in their messages. Return text
   * with nothing personal in it.
   */
  readonly describeError?: (error: unknown, event: PersonaEvent) => string;
}

export interface DispatchOptions {
  /** Handlers that already succeeded in an earlier attempt: not run again. */
  readonly completedHandlers?: readonly string[];
  readonly attempt?: number;
  readonly signal?: AbortSignal;
}

/**
 * A typed registry of event handlers. `on('inquiry.approved', h)` narrows `h`'s event to
 * `PersonaEvent<'inquiry.approved'>`. Unknown names can be registered too: Persona adds events at any time.
 *
 * @example
 * ```ts
 * const handlers: Handlers = createHandlers().on(['inquiry.approved', 'inquiry.declined'], decide)
 * ```
 */
export interface Handlers {
  on<N extends EventName>(
    name: N | readonly N[],
    handler: EventHandler<PersonaEvent<N>>,
    options?: HandlerOptions,
  ): this;
  on(name: string | readonly string[], handler: EventHandler, options?: HandlerOptions): this;
  /** Runs for every event, known or unknown names alike. */
  onAny(handler: EventHandler, options?: HandlerOptions): this;
  /** Called for each handler failure (for logging/alerts); its own errors are swallowed. */
  onError(listener: ErrorListener): this;
  /** The handlers that run for an event name, in registration order (specific ones first, then `onAny`). */
  handlersFor(name: string): readonly RegisteredHandler[];
  /** Event names with specific handlers, or `null` when an `onAny` handler means every name matters. */
  eventNames(): readonly string[] | null;
  /** Runs the handlers not yet completed, all of them even if one fails, sequentially in registration order. */
  dispatch(event: PersonaEvent, options?: DispatchOptions): Promise<DispatchResult>;
}

function invalid(message: string): PersonaWebhookError {
  return new PersonaWebhookError('invalid_options', message);
}

/**
 * Creates a handler registry for the receiver (inline mode) and the worker.
 *
 * @example
 * ```ts
 * const handlers = createHandlers()
 *   .on('inquiry.approved', async (event) => {
 *     await db.users.markVerified(event.payload.data.id)   // event: PersonaEvent<'inquiry.approved'>
 *   }, { name: 'mark-verified' })
 *   .onAny((event) => log.info({ id: event.id, name: event.name }))
 *   // Log ids and codes, not the error itself: a handler's message may quote the person it was about.
 *   .onError((error, event, { handlerName }) => log.error({ id: event.id, handlerName, error: scrubMessage(String(error)) }))
 * ```
 */
export function createHandlers(options: HandlersOptions = {}): Handlers {
  const describe = options.describeError ?? describeError;
  const byName = new Map<string, RegisteredHandler[]>();
  const any: RegisteredHandler[] = [];
  const names = new Set<string>();
  const errorListeners: ErrorListener[] = [];

  function register(eventName: string, handler: unknown, options: HandlerOptions | undefined): void {
    if (typeof handler !== 'function') throw invalid(`The handler for "${eventName}" is not a function.`);
    let name = options?.name;
    if (name !== undefined) {
      if (typeof name !== 'string' || name.trim() === '') throw invalid('A handler name must be a non-empty string.');
      if (names.has(name)) throw invalid(`Two handlers are named "${name}": handler names must be unique.`);
    } else {
      const base = `${eventName}:${(handler as { name?: string }).name || 'anonymous'}`;
      name = base;
      for (let i = 2; names.has(name); i++) name = `${base}#${i}`;
    }
    names.add(name);
    const entry: RegisteredHandler = { name, eventName, handler: handler as EventHandler };
    if (eventName === '*') any.push(entry);
    else {
      const list = byName.get(eventName);
      if (list === undefined) byName.set(eventName, [entry]);
      else list.push(entry);
    }
  }

  const registry: Handlers = {
    on(name: string | readonly string[], handler: unknown, options?: HandlerOptions) {
      const list = typeof name === 'string' ? [name] : name;
      if (!Array.isArray(list) || list.length === 0) throw invalid('on() needs an event name or a list of names.');
      for (const n of list) {
        if (typeof n !== 'string' || n === '' || n === '*')
          throw invalid(`Not an event name: ${JSON.stringify(n)} (use onAny for every event).`);
        // One handler under several names keeps one name per event, so each event records it separately.
        register(
          n,
          handler,
          list.length > 1 && options?.name !== undefined ? { name: `${options.name}@${n}` } : options,
        );
      }
      return this;
    },
    onAny(handler: EventHandler, options?: HandlerOptions) {
      register('*', handler, options);
      return this;
    },
    onError(listener: ErrorListener) {
      if (typeof listener !== 'function') throw invalid('onError() needs a function.');
      errorListeners.push(listener);
      return this;
    },
    handlersFor(name: string) {
      const specific = byName.get(name);
      return specific === undefined ? any : [...specific, ...any];
    },
    eventNames() {
      return any.length > 0 ? null : [...byName.keys()];
    },
    async dispatch(event: PersonaEvent, options: DispatchOptions = {}) {
      const done = new Set(options.completedHandlers ?? []);
      const completedHandlers = [...done];
      const failures: { handlerName: string; error: unknown; description: string }[] = [];
      const attempt = options.attempt ?? 1;
      const signal = options.signal ?? new AbortController().signal;
      let stopped = false;
      for (const entry of registry.handlersFor(event.name)) {
        if (done.has(entry.name)) continue;
        // Stopped (a graceful stop, or a lease lost to another worker that may run them now): start no more.
        if (signal.aborted) {
          stopped = true;
          break;
        }
        try {
          await entry.handler(event, { handlerName: entry.name, attempt, signal });
          completedHandlers.push(entry.name);
        } catch (error) {
          let description: string;
          try {
            description = String(describe(error, event)).slice(0, 300);
          } catch {
            description = describeError(error);
          }
          failures.push({ handlerName: entry.name, error, description });
          for (const listener of errorListeners) {
            try {
              await listener(error, event, { handlerName: entry.name, attempt });
            } catch {
              // A failing error listener must not turn into a second failure of the event.
            }
          }
        }
      }
      return { ok: failures.length === 0 && !stopped, completedHandlers, failures };
    },
  };
  return registry;
}

/** @deprecated Renamed to {@link createHandlers} (the name of the `handlers` option it fills); removed in 1.0. */
export const createDispatcher: typeof createHandlers = createHandlers;
/** @deprecated Renamed to {@link Handlers}; removed in 1.0. */
export type Dispatcher = Handlers;
/** @deprecated Renamed to {@link HandlersOptions}; removed in 1.0. */
export type DispatcherOptions = HandlersOptions;

/**
 * A short, payload-free description of a handler failure for the store's `lastError`: the handler's name,
 * the error's class and code, and at most 200 characters of its message.
 *
 * @example
 * ```ts
 * describeFailures([{ handlerName: 'crm', error: new TypeError('x is undefined') }])
 * // 'crm: TypeError: x is undefined'
 * ```
 */
export function describeFailures(failures: DispatchResult['failures']): string {
  return failures
    .map(({ handlerName, error, description }) => `${handlerName}: ${description ?? describeError(error)}`)
    .join('; ')
    .slice(0, 500);
}

/** @internal */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const codePart = typeof code === 'string' || typeof code === 'number' ? ` [${code}]` : '';
    return `${error.name}${codePart}: ${scrubMessage(error.message)}`;
  }
  return `non-error thrown (${typeof error})`;
}

/**
 * An error message with what is most likely personal or secret taken out: quoted text, e-mail addresses, URLs
 * (they carry access tokens), numbers of three digits or more (dates, ID and phone numbers), Persona secrets and
 * API keys, `Bearer`/`Basic` credentials and long opaque runs (tokens). At most 200 characters. A heuristic:
 * pass `describeError` to `createHandlers` to decide exactly.
 *
 * @example
 * ```ts
 * scrubMessage('no user "Jane Doe" <jane@example.com> born 1987-03-14') // 'no user "…" <…> born …'
 * ```
 */
export function scrubMessage(message: string): string {
  return (
    message
      .replace(/\s+/g, ' ')
      .replace(/\b(wbhsec_|whsec_|persona_(?:sandbox|production)_)[A-Za-z0-9_-]+/g, '$1…')
      .replace(/\b(Bearer|Basic) [A-Za-z0-9+/=._~-]{8,}/g, '$1 …')
      // A long opaque run with digits in it is a token; a file path's segments and dashed names have no such run.
      .replace(/[A-Za-z0-9+/=_-]{32,}/g, (run) =>
        run
          .split('/')
          .map((part) => (part.length >= 24 && /\d.*\d/.test(part) ? '…' : part))
          .join('/'),
      )
      .replace(/"[^"]*"|'[^']*'|`[^`]*`|“[^”]*”/g, (q) => `${q[0]}…${q[q.length - 1]}`)
      .replace(/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, '…')
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '…')
      // Dates and ID or phone numbers (three digits or more, separators included); a status like 503 goes too.
      .replace(/\d[\d./:-]*\d/g, (n) => (n.replace(/\D/g, '').length >= 3 ? '…' : n))
      .slice(0, 200)
  );
}
