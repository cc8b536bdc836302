// One check for every numeric option of the library (receiver, worker, backoff, verification, HTTP rules,
// stores): the same rules, the same message, and the same error code everywhere.
import { PersonaWebhookError } from './errors.js';

/** What a numeric option must be. */
export interface NumberRule {
  /** Whole numbers only (milliseconds given to a store, counts). */
  readonly integer?: boolean;
  /** Smallest accepted value. Default: any number > 0 (`positive`). */
  readonly min?: number;
  /** Largest accepted value. Default: no bound. */
  readonly max?: number;
  /** The unit named in the message: `ms`, `seconds`, `bytes`. */
  readonly unit?: string;
  /** Extra advice appended to the message (e.g. how to turn a check off instead). */
  readonly hint?: string;
}

function describe(rule: NumberRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  const unit = rule.unit === undefined ? '' : ` (${rule.unit})`;
  if (rule.min === undefined && rule.max === undefined)
    return `${rule.integer ? 'a positive whole number' : 'a positive number'}${unit}`;
  if (rule.max === undefined) return `${kind} ≥ ${rule.min}${unit}`;
  if (rule.min === undefined) return `${kind} > 0 and ≤ ${rule.max}${unit}`;
  return `${kind} from ${rule.min ?? 0} to ${rule.max}${unit}`;
}

/**
 * Checks one numeric option and returns it, or `fallback` when it is undefined.
 * @internal
 * @throws PersonaWebhookError `invalid_options`, naming the option, the rule and the value given.
 * @example
 * ```ts
 * const leaseMs = numberOption('createWorker', 'leaseMs', options.leaseMs, 30_000, { integer: true, min: 10, unit: 'ms' })
 * ```
 */
export function numberOption(
  owner: string,
  name: string,
  value: unknown,
  fallback: number,
  rule: NumberRule = {},
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    (rule.min === undefined ? value > 0 : value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (ok) return value;
  const hint = rule.hint === undefined ? '' : ` ${rule.hint}`;
  throw new PersonaWebhookError(
    'invalid_options',
    `${owner}: ${name} must be ${describe(rule)}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}.${hint}`,
  );
}
