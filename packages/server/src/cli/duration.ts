import { formatDuration, parseDuration as parseDurationText } from '../config.js';
import { CliError } from './errors.js';

/**
 * Parses a command option's duration (`30s`, `15m`, `6h`, `7d`: the settings' syntax) into milliseconds, within
 * bounds.
 *
 * @throws CliError `usage` naming the option when the text is not a duration or is out of bounds.
 * @example
 * ```ts
 * durationOption('7d', '--since') // 604800000
 * ```
 */
export function durationOption(text: string, option: string, bounds: { min?: number; max?: number } = {}): number {
  const ms = parseDurationText(text);
  const min = bounds.min ?? 1;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (ms === null || ms < min || ms > max) {
    throw new CliError(
      'usage',
      `${option} must be a duration from ${formatDuration(min)} to ${formatDuration(max)}, such as 30s, 15m, 6h or 7d (got "${text.slice(0, 40)}")`,
    );
  }
  return ms;
}

export { formatDuration };
