// The small command framework: node:util parseArgs, one spec per command, generated --help.
import { parseArgs } from 'node:util';
import { CliError, firstLine } from './errors.js';
import type { Output } from './output.js';

/** One option of a command: parseArgs' fields plus what `--help` prints. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder in help, e.g. `URL`. */
  readonly value?: string;
  readonly description: string;
}

/** The parsed command line as a command sees it. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What a command runs with. */
export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** A subcommand of `persona-webhooks`. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** How many positionals are allowed (default 0). */
  readonly positionals?: number;
  readonly examples: readonly string[];
  /** Exit codes this command uses, with their meaning. */
  readonly exitCodes: readonly (readonly [number, string])[];
  run(context: CommandContext): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'Print machine-readable JSON on stdout instead of human output.' },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
};

/**
 * Parses argv for one command; unknown options and bad arity become a usage error with a hint.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandLine(signCommand, ['--secret', 'wbhsec_x', 'body.json'])
 * ```
 */
export function parseCommandLine(
  spec: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...COMMON_OPTIONS, ...spec.options })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = firstLine(error);
    throw new CliError('usage', `${message} (see: persona-webhooks ${spec.name} --help)`);
  }
  const values = parsed.values as OptionValues;
  if (values.help === true) return { values, positionals: parsed.positionals };
  const max = spec.positionals ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).join(' ');
    throw new CliError('usage', `unexpected argument "${extra}" (see: persona-webhooks ${spec.name} --help)`);
  }
  return { values, positionals: parsed.positionals };
}

/**
 * Renders `--help` for a command.
 *
 * @example
 * ```ts
 * process.stdout.write(formatHelp(signCommand))
 * ```
 */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`persona-webhooks ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`];
  if (spec.description) lines.push('', spec.description);
  lines.push('', 'Options:');
  const all = { ...spec.options, ...COMMON_OPTIONS };
  const labels = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...labels.map(([f]) => f.length)) + 2;
  for (const [flag, text] of labels) lines.push(`  ${flag.padEnd(width)}${text}`);
  lines.push('', 'Examples:');
  for (const example of spec.examples) lines.push(`  ${example}`);
  lines.push('', 'Exit codes:');
  for (const [code, meaning] of spec.exitCodes) lines.push(`  ${String(code).padEnd(4)}${meaning}`);
  return `${lines.join('\n')}\n`;
}

/** @internal Reads a string option (the last one if repeated). */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** @internal Reads a repeatable string option. */
export function stringList(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** @internal Reads a boolean flag. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** @internal Parses an integer option with bounds, or throws a usage error naming the option. */
export function intOption(
  values: OptionValues,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < bounds.min || n > bounds.max) {
    throw new CliError('usage', `--${name} must be a whole number from ${bounds.min} to ${bounds.max} (got "${raw}")`);
  }
  return n;
}
