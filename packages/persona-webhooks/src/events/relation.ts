import type { PersonaEvent } from './parse.js';

/** The other end of an `account.*-relation` / `transaction.*-relation` event. */
export interface RelationTarget {
  /** The relationship schema's key, e.g. `business`. */
  readonly schemaKey: string | null;
  /** The related account (`act_…`), when the related object is an account. */
  readonly accountId: string | null;
  /** The related transaction (`txn_…`), when the related object is a transaction. */
  readonly transactionId: string | null;
}

function read(context: Readonly<Record<string, unknown>>, ...words: readonly string[][]): string | null {
  for (const parts of words) {
    const [first = '', ...rest] = parts;
    const camel = first + rest.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
    for (const key of [parts.join('-'), parts.join('_'), camel]) {
      const value = context[key];
      if (typeof value === 'string') return value;
    }
  }
  return null;
}

/**
 * The related object of a relation event, from its `context`, in any key inflection. Persona's spec names the
 * keys `target-account-id` / `target-txn-id` and its 2026-03-30 changelog `related-account-id` /
 * `related-txn-id`: both are read. `undefined` when the event carries no context.
 *
 * @example
 * ```ts
 * if (isEvent(event, 'account.added-relation')) {
 *   const target = relationTargetOf(event) // { schemaKey: 'business', accountId: 'act_…', transactionId: null }
 * }
 * ```
 */
export function relationTargetOf(event: Pick<PersonaEvent, 'context'>): RelationTarget | undefined {
  const context = event.context as Readonly<Record<string, unknown>> | undefined;
  if (context === undefined) return undefined;
  return {
    schemaKey: read(context, ['relation', 'schema', 'key']),
    accountId: read(context, ['target', 'account', 'id'], ['related', 'account', 'id']),
    transactionId: read(context, ['target', 'txn', 'id'], ['related', 'txn', 'id']),
  };
}
