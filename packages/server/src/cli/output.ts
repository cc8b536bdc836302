// Human output (colour only on a TTY, NO_COLOR respected) and JSON output for scripts.
import type { Writable } from 'node:stream';
import { styleText } from 'node:util';

/** Where a command writes, and how. */
export interface Output {
  /** `--json`: print one JSON document per result on stdout, nothing decorative. */
  readonly json: boolean;
  readonly color: boolean;
  /** A line of human output on stdout (suppressed under `--json`). */
  line(text?: string): void;
  /** A JSON document on stdout (only under `--json`). */
  data(value: unknown): void;
  /** A note on stderr (kept out of stdout so pipes stay clean). */
  note(text: string): void;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  /** A progress bar on stderr when it is a TTY; silent otherwise. */
  progress(total: number, label: string): Progress;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export interface OutputOptions {
  json?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds the CLI's output channel.
 *
 * @example
 * ```ts
 * const out = createOutput({ json: false })
 * out.line(out.green('ok'))
 * ```
 */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const json = options.json === true;
  const color =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
      ? true
      : env.NO_COLOR === undefined && stdout.isTTY === true && env.TERM !== 'dumb';
  // node:util's styleText writes the escape codes; whether to colour at all is decided above (TTY, NO_COLOR).
  const paint = (style: Parameters<typeof styleText>[0]) => (text: string) => (color ? styleText(style, text) : text);
  const errTty = stderr.isTTY === true && !json;
  return {
    json,
    color,
    line(text = '') {
      if (!json) stdout.write(`${text}\n`);
    },
    data(value) {
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    green: paint('green'),
    red: paint('red'),
    yellow: paint('yellow'),
    dim: paint('dim'),
    bold: paint('bold'),
    progress(total, label) {
      let count = 0;
      let last = 0;
      const draw = (force: boolean) => {
        if (!errTty) return;
        const now = Date.now();
        if (!force && now - last < 80) return;
        last = now;
        const width = 30;
        const ratio = total === 0 ? 1 : Math.min(1, count / total);
        const filled = Math.round(ratio * width);
        stderr.write(
          `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${Math.round(ratio * 100)}%`,
        );
      };
      draw(true);
      return {
        tick(n = 1) {
          count += n;
          draw(false);
        },
        done() {
          draw(true);
          if (errTty) stderr.write('\n');
        },
      };
    },
  };
}
