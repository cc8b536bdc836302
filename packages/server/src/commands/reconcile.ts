import type { ReconcileRun } from 'persona-webhooks';
import {
  DEFAULT_RECONCILE_MARGIN_MS,
  PERSONA_EVENT_RETENTION_MS,
  type ReconcileProgress,
  reconcile,
} from 'persona-webhooks/api';
import { type CommandContext, type CommandSpec, flag, intOption, stringList, stringOption } from '../cli/command.js';
import { durationOption, formatDuration } from '../cli/duration.js';
import { CliError, EXIT_CODES } from '../cli/errors.js';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../service/database.js';
import { apiClient, apiFailure, apiSettings, processOwner } from '../service/persona-api.js';
import { parseTime } from './events.js';
import { DATABASE_OPTIONS } from './serve.js';

/**
 * Reads a share of the rate limit, as a fraction in (0, 1].
 * @example
 * ```ts
 * const share = shareOption(values, 'rate-share', 0.5)
 * ```
 */
export function shareOption(values: CommandContext['values'], name: string, fallback: number): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0 && n <= 1))
    throw new CliError('usage', `--${name} must be a fraction above 0 and at most 1 (got "${raw}")`);
  return n;
}

function runJson(run: ReconcileRun): Record<string, unknown> {
  return {
    ...run,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    windowFrom: run.windowFrom.toISOString(),
    windowTo: run.windowTo?.toISOString() ?? null,
    updatedAt: run.updatedAt.toISOString(),
  };
}

/** One redrawn line on a TTY: how far back the walk has come between the top and the watermark. */
function progressLine(p: ReconcileProgress): string {
  const top = p.windowTo?.getTime() ?? Date.now();
  const span = Math.max(1, top - p.windowFrom.getTime());
  const done = p.reachedBack === null ? 0 : Math.min(1, (top - p.reachedBack.getTime()) / span);
  const width = 24;
  const filled = Math.round(done * width);
  return `reconcile [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(done * 100)}%  ${p.seen} seen, ${p.inserted} inserted, ${p.alreadyStored} already stored${p.reachedBack ? `, back to ${p.reachedBack.toISOString().slice(0, 16)}Z` : ''}`;
}

async function history(context: CommandContext): Promise<number> {
  const { values, out, env, cwd } = context;
  const config = loadConfig({ flags: values as never, env, cwd });
  const db = await openDatabase(config.database, { sqliteThread: false });
  try {
    await migrateDatabase(db);
    const runs = await db.store.listReconcileRuns({ limit: intOption(values, 'limit', 20, { min: 1, max: 1000 }) });
    out.data({ runs: runs.map(runJson) });
    if (runs.length === 0) out.line(out.dim('no reconcile run recorded yet'));
    for (const r of runs) {
      const status =
        r.status === 'succeeded' ? out.green(r.status) : r.status === 'failed' ? out.red(r.status) : r.status;
      out.line(
        `${r.startedAt.toISOString()}  ${status.padEnd(9)}  ${r.id}  seen ${r.seen}, inserted ${r.inserted}, already ${r.alreadyStored}, failed ${r.failed}  window ${r.windowFrom.toISOString()} → ${r.windowTo?.toISOString() ?? '?'}${r.dryRun ? '  (dry run)' : ''}${r.error ? out.dim(`  ${r.error}`) : ''}`,
      );
    }
    return EXIT_CODES.ok;
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * `persona-webhooks reconcile`: recover the events Persona could not deliver, from its Events API.
 *
 * @example
 * ```sh
 * PERSONA_API_KEY=persona_production_… persona-webhooks reconcile --since 7d
 * ```
 */
export const reconcileCommand: CommandSpec = {
  name: 'reconcile',
  summary: 'recover events Persona could not deliver, from its Events API, into the store',
  usage: 'persona-webhooks reconcile [--since 7d] [--names a,b] [--dry-run] [--json] [--history]',
  description: [
    'Persona retries a failed delivery for about 51 hours, then stops. reconcile walks GET /events newest',
    'first back to a watermark and stores every event the database lacks (source "api"); a running worker',
    '(serve) then handles it as if it had been delivered. Each run is recorded; a failed run is resumed by',
    'the next one. The first run needs --since (Persona keeps events 30 days); later runs start from the last',
    'successful run minus --margin (default 72h, beyond the 51 h retry tail). Needs PERSONA_API_KEY with the',
    'event.read permission; PERSONA_API_URL points elsewhere (e.g. persona-webhooks simulate). Costs one',
    'request per 100 events, within --rate-share of the 300 requests/minute the environment shares.',
  ].join('\n'),
  options: {
    ...DATABASE_OPTIONS,
    since: {
      type: 'string',
      value: 'AGE|TIME',
      description: 'Walk back to events created since then: 7d, 36h, 2026-01-02.',
    },
    names: {
      type: 'string',
      multiple: true,
      value: 'NAMES',
      description: 'Only these event names (comma list), e.g. inquiry.approved,inquiry.declined.',
    },
    'dry-run': { type: 'boolean', description: 'Count what is missing; insert nothing.' },
    margin: {
      type: 'string',
      value: 'DURATION',
      description: 'Overlap with the last successful run (default 72h).',
    },
    'rate-share': {
      type: 'string',
      value: 'F',
      description: 'Fraction of the rate limit to use, leaving the rest to your app (default 0.5).',
    },
    history: { type: 'boolean', description: 'List the recorded runs instead of running one.' },
    limit: { type: 'string', value: 'N', description: 'history: how many runs (default 20).' },
  },
  examples: [
    '$ PERSONA_API_KEY=persona_production_… persona-webhooks reconcile --since 7d',
    '$ persona-webhooks reconcile --names inquiry.approved,inquiry.declined --dry-run',
    '$ persona-webhooks reconcile --history',
    '$ DATABASE_URL=postgres://app@db/app persona-webhooks reconcile --json',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'the run finished (inserted or not)'],
    [EXIT_CODES.failure, 'the API kept failing, or another process is reconciling: the run is recorded as failed'],
    [EXIT_CODES.usage, 'bad option'],
    [EXIT_CODES.config, 'no PERSONA_API_KEY, key refused or lacking event.read, or a first run without --since'],
    [EXIT_CODES.database, 'the database is unreachable'],
  ],
  async run(context) {
    if (flag(context.values, 'history')) return history(context);
    const { values, out, env, cwd } = context;
    const now = new Date();
    const sinceText = stringOption(values, 'since');
    let since: Date | undefined;
    if (sinceText !== undefined) {
      const parsed = parseTime(sinceText, now);
      if (parsed === null || parsed > now)
        throw new CliError('usage', `--since must be an age like 7d or a past date (got "${sinceText.slice(0, 40)}")`);
      since = parsed;
      if (now.getTime() - parsed.getTime() > PERSONA_EVENT_RETENTION_MS)
        out.note(out.yellow('note: Persona keeps events 30 days; older ones cannot be recovered.'));
    }
    const names = stringList(values, 'names')
      .flatMap((n) => n.split(',').map((x) => x.trim()))
      .filter((n) => n !== '');
    const marginText = stringOption(values, 'margin');
    const marginMs =
      marginText === undefined
        ? DEFAULT_RECONCILE_MARGIN_MS
        : durationOption(marginText, '--margin', { min: 0, max: 30 * 86_400_000 });
    const share = shareOption(values, 'rate-share', 0.5);
    const settings = apiSettings(env, 'reconcile');
    let requests = 0;
    const client = apiClient(settings, share, () => {
      requests++;
    });
    const config = loadConfig({ flags: values as never, env, cwd });
    const db = await openDatabase(config.database, { sqliteThread: false });
    const started = performance.now();
    const tty = (process.stderr as { isTTY?: boolean }).isTTY === true && !out.json;
    try {
      await migrateDatabase(db);
      const result = await reconcile({
        client,
        store: db.store,
        ...(since ? { since } : {}),
        marginMs,
        ...(names.length > 0 ? { names } : {}),
        dryRun: flag(values, 'dry-run'),
        owner: processOwner(),
        onProgress: (p) => {
          if (tty) process.stderr.write(`\r${progressLine(p)}\u001b[K`);
        },
      }).catch((error: unknown) => {
        const code = (error as { code?: unknown })?.code;
        if (code === 'invalid_options' && /no earlier successful run/.test(String((error as Error).message)))
          throw new CliError(
            'config',
            'reconcile: a first run needs --since, e.g. --since 7d (Persona keeps events 30 days)',
          );
        throw apiFailure(
          error,
          code === 'reconcile_locked'
            ? 'reconcile skipped'
            : 'reconcile failed (run recorded; the next run resumes from it)',
        );
      });
      if (tty) process.stderr.write('\n');
      const seconds = (performance.now() - started) / 1000;
      const { run } = result;
      out.data({ run: runJson(run), pages: result.pages, requests, seconds, resumedFrom: result.resumedFrom });
      const window = `${run.windowFrom.toISOString()} → ${run.windowTo?.toISOString() ?? 'now'}`;
      out.line(
        `${out.bold(run.dryRun ? 'reconcile (dry run)' : 'reconcile')} ${run.id}: ${run.seen} events seen (${window})`,
      );
      out.line(
        `  ${out.green(`${run.inserted} ${run.dryRun ? 'missing (not inserted: dry run)' : 'inserted'}`)}, ${run.alreadyStored} already stored, ${run.failed} failed`,
      );
      if (result.resumedFrom) out.line(out.dim(`  resumed failed run ${result.resumedFrom}`));
      out.line(
        out.dim(
          `  ${requests} API requests in ${seconds.toFixed(1)} s (≤ ${Math.floor(300 * share)}/min); margin ${formatDuration(marginMs)}`,
        ),
      );
      if (run.inserted > 0 && !run.dryRun)
        out.line(out.dim('  a running worker (persona-webhooks serve) handles them; they have source "api"'));
      return EXIT_CODES.ok;
    } catch (error) {
      if (tty) process.stderr.write('\n');
      throw apiFailure(error, 'reconcile failed');
    } finally {
      await db.close().catch(() => undefined);
    }
  },
};
