// Loads the user's handlers module (`--handlers ./handlers.mjs`) into a registry.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { EventHandler, EventName, Handlers, PersonaEvent } from 'persona-webhooks';
import { CliError, firstLine } from '../cli/errors.js';

/**
 * A handler map: event name → handler, `*` for every event. Handlers of known names get the event typed by
 * its name; a name Persona added after this release can be given too (its handler gets a `PersonaEvent`).
 */
export type HandlerMap = {
  readonly [N in EventName]?: EventHandler<PersonaEvent<N>>;
} & { readonly '*'?: EventHandler };

/**
 * What a handlers module may export (any combination):
 * - `default`: a handler map, or one function that receives every event;
 * - `handlers`: a handler map;
 * - `register(handlers)`: full control (`on`, `onAny`, `onError`, handler names).
 */
export interface HandlersModule {
  readonly default?: HandlerMap | EventHandler;
  readonly handlers?: HandlerMap;
  readonly register?: (handlers: Handlers) => void | Promise<void>;
  /** For `doctor`: the API version whose payload shapes the handlers read. Default the newest typed one. */
  readonly apiVersion?: string;
  /** For `doctor`: the key inflection the handlers read. Default `kebab`. */
  readonly keyInflection?: 'kebab' | 'camel' | 'snake';
  /** For `doctor`: the personal attributes the handlers read (`name-first`, `address-*` …); the rest can be blocklisted. */
  readonly personalAttributes?: readonly string[];
}

/**
 * Types a handler map in a TypeScript handlers module (identity at run time).
 *
 * @example
 * ```ts
 * // handlers.ts, compiled to handlers.mjs
 * import { defineHandlers } from 'persona-webhooks-server'
 * export default defineHandlers({
 *   'inquiry.approved': async (event) => markVerified(event.payload.data.id),
 *   '*': (event) => console.log(event.name),
 * })
 * ```
 */
export function defineHandlers<const M extends HandlerMap>(map: M): M {
  return map;
}

function addMap(registry: Handlers, map: unknown, where: string): number {
  if (map === null || typeof map !== 'object') {
    throw new CliError('config', `${where} must be an object of event name → handler function`);
  }
  let n = 0;
  for (const [name, handler] of Object.entries(map as Record<string, unknown>)) {
    if (typeof handler !== 'function') {
      throw new CliError('config', `${where}: the handler for "${name}" is not a function`);
    }
    const h = handler as EventHandler;
    // Handler names are stable (event name + key) so completedHandlers survive a redeploy.
    if (name === '*') registry.onAny(h, { name: 'module:*' });
    else registry.on(name, h, { name: `module:${name}` });
    n++;
  }
  return n;
}

/**
 * Imports a handlers module and registers what it exports. Returns how many handlers were added.
 *
 * @example
 * ```ts
 * const count = await loadHandlersModule('/srv/app/handlers.mjs', registry)
 * ```
 */
export async function loadHandlersModule(path: string, registry: Handlers): Promise<number> {
  if (!existsSync(path)) throw new CliError('config', `the handlers module ${path} does not exist`);
  let mod: HandlersModule;
  try {
    mod = (await import(pathToFileURL(path).href)) as HandlersModule;
  } catch (error) {
    const why = firstLine(error);
    const hint = path.endsWith('.ts') ? ' (compile it to .mjs, or run the CLI with node --import tsx)' : '';
    throw new CliError('config', `cannot load the handlers module ${path}: ${why}${hint}`);
  }
  let count = 0;
  if (typeof mod.default === 'function') {
    registry.onAny(mod.default, { name: 'module:default' });
    count++;
  } else if (mod.default !== undefined) {
    count += addMap(registry, mod.default, `the default export of ${path}`);
  }
  if (mod.handlers !== undefined) count += addMap(registry, mod.handlers, `the "handlers" export of ${path}`);
  if (mod.register !== undefined) {
    if (typeof mod.register !== 'function') throw new CliError('config', `"register" in ${path} is not a function`);
    await mod.register(registry);
    count++;
  }
  if (count === 0) {
    throw new CliError(
      'config',
      `the handlers module ${path} exports no handlers: export default { 'inquiry.approved': fn }, a function, or register(handlers)`,
    );
  }
  return count;
}
