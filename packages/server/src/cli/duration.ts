import { CliError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `30s`, `15m`, `6h`, `7d` (or `1h30m`) into milliseconds.
 *
 * @throws CliError `usage` naming the option when the text is not a duration or is out of bounds.
 * @example
 * ```ts
 * parseDuration('7d', '--since') // 604800000
 * ```
 */
export function parseDuration(text: string, option: string, bounds: { min?: number; max?: number } = {}): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const whole = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || whole !== trimmed) {
    throw new CliError('usage', `${option} must be a duration such as 30s, 15m, 6h or 7d (got "${text.slice(0, 40)}")`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] ?? 0), 0);
  const min = bounds.min ?? 1;
  if (ms < min || (bounds.max !== undefined && ms > bounds.max)) {
    throw new CliError(
      'usage',
      `${option} must be from ${formatDuration(min)} to ${formatDuration(bounds.max ?? Number.MAX_SAFE_INTEGER)} (got "${text.slice(0, 40)}")`,
    );
  }
  return Math.round(ms);
}

/**
 * Formats milliseconds with the largest fitting unit: `7d`, `51h`, `90s`, `250ms`.
 *
 * @example
 * ```ts
 * formatDuration(183_600_000) // '51h'
 * ```
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}
