import { userInfo } from 'node:os';
import {
  EVENT_STATUSES,
  type EventStatus,
  type ListFilter,
  maskPersonalData,
  type StoredEvent,
} from 'persona-webhooks';
import { type CommandContext, type CommandSpec, flag, intOption, stringList, stringOption } from '../cli/command.js';
import { CliError, EXIT_CODES, firstLine } from '../cli/errors.js';
import type { Output } from '../cli/output.js';
import { loadConfig } from '../config.js';
import { type OpenDatabase, openDatabase } from '../service/database.js';
import { DATABASE_OPTIONS } from './serve.js';

/**
 * Parses a point in time: ISO 8601 (`2026-01-02`, `2026-01-02T03:04:05Z`), unix seconds, or an age
 * (`30m`, `6h`, `2d` ago).
 *
 * @example
 * ```ts
 * parseTime('6h', new Date('2026-01-02T12:00:00Z')) // 2026-01-02T06:00:00Z
 * ```
 */
export function parseTime(text: string, now: Date = new Date()): Date | null {
  const age = /^(\d+)\s*(s|m|h|d|w)$/i.exec(text.trim());
  if (age) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(age[2] as string).toLowerCase() as 's'];
    return new Date(now.getTime() - Number(age[1]) * unit * 1000);
  }
  if (/^\d{9,11}$/.test(text.trim())) return new Date(Number(text) * 1000);
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

function filterFrom(values: CommandContext['values']): ListFilter {
  const statuses = stringList(values, 'status').flatMap((s) => s.split(','));
  for (const s of statuses) {
    if (!EVENT_STATUSES.includes(s as EventStatus)) {
      throw new CliError('usage', `--status must be one of ${EVENT_STATUSES.join(', ')} (got "${s}")`);
    }
  }
  const names = stringList(values, 'name').flatMap((s) => s.split(','));
  const time = (flagName: string) => {
    const text = stringOption(values, flagName);
    if (text === undefined) return undefined;
    const d = parseTime(text);
    if (d === null)
      throw new CliError(
        'usage',
        `--${flagName} must be a date (2026-01-02T03:04:05Z), unix seconds or an age like 6h (got "${text}")`,
      );
    return d;
  };
  const since = time('since');
  const until = time('until');
  const resourceId = stringOption(values, 'resource');
  return {
    ...(statuses.length > 0 ? { status: statuses as EventStatus[] } : {}),
    ...(names.length > 0 ? { name: names } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(resourceId ? { resourceId } : {}),
  };
}

async function withDatabase<T>(context: CommandContext, fn: (db: OpenDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig({ flags: context.values as never, env: context.env, cwd: context.cwd });
  const db = await openDatabase(config.database, {
    sqliteThread: false,
    protection: { encryptionKeys: config.encryptionKeys, redaction: config.redaction },
  });
  try {
    return await fn(db);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const why = firstLine(error);
    if (/no such table|does not exist/i.test(why)) {
      throw new CliError(
        'database',
        `${db.description} has no events table yet: run "persona-webhooks migrate" (serve does it at start)`,
      );
    }
    if ((error as { code?: string }).code === 'store_unavailable') {
      throw new CliError('database', `${db.description} is unavailable: ${why}`);
    }
    throw error;
  } finally {
    await db.close().catch(() => undefined);
  }
}

function eventJson(e: StoredEvent): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    createdAt: e.createdAt.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    resourceId: e.resourceId,
    source: e.source,
    attempts: e.attempts,
    finishedAttempts: e.finishedAttempts,
    deliveries: e.deliveries,
    runAt: e.runAt.toISOString(),
    lockedBy: e.lockedBy,
    lockedUntil: e.lockedUntil?.toISOString() ?? null,
    lastError: e.lastError,
    completedHandlers: e.completedHandlers,
    updatedAt: e.updatedAt.toISOString(),
  };
}

function colourStatus(out: Output, status: EventStatus): string {
  const text = status.padEnd(10);
  if (status === 'succeeded') return out.green(text);
  if (status === 'dead') return out.red(text);
  if (status === 'retrying') return out.yellow(text);
  return text;
}

async function list(context: CommandContext): Promise<number> {
  const { values, out } = context;
  const filter = filterFrom(values);
  const limit = intOption(values, 'limit', 50, { min: 1, max: 1000 });
  const cursor = stringOption(values, 'cursor');
  const page = await withDatabase(context, (db) =>
    db.store.list(filter, { limit, ...(cursor === undefined ? {} : { cursor }) }),
  );
  out.data({ events: page.events.map(eventJson), nextCursor: page.nextCursor });
  if (page.events.length === 0) {
    out.line(out.dim('no events match'));
    return EXIT_CODES.ok;
  }
  out.line(
    out.dim(
      `${'created at'.padEnd(24)}  ${'status'.padEnd(10)}  tries  ${'source'.padEnd(7)}  ${'name'.padEnd(32)}  id`,
    ),
  );
  for (const e of page.events) {
    // `api`: recovered by reconcile from the Events API (no `included` in its payload).
    const source = e.source === 'api' ? out.yellow('api'.padEnd(7)) : 'webhook';
    out.line(
      `${e.createdAt.toISOString().padEnd(24)}  ${colourStatus(out, e.status)}  ${String(e.attempts).padStart(5)}  ${source}  ${e.name.padEnd(32)}  ${e.id}${e.lastError ? out.dim(`  ${e.lastError.slice(0, 80)}`) : ''}`,
    );
  }
  if (page.nextCursor) out.line(out.dim(`more: --cursor ${page.nextCursor}`));
  return EXIT_CODES.ok;
}

async function show(context: CommandContext): Promise<number> {
  const { values, positionals, out } = context;
  const id = positionals[1];
  if (id === undefined) throw new CliError('usage', 'missing the event id: persona-webhooks events show evt_…');
  const event = await withDatabase(context, (db) => db.store.get(id));
  if (event === null) {
    out.data({ error: 'not_found', id });
    out.note(`no event ${id} in the database`);
    return EXIT_CODES.failure;
  }
  const reveal = flag(values, 'reveal');
  const withBody = flag(values, 'body') || reveal;
  const body = event.body === null || !withBody ? event.body : reveal ? event.body : maskedBody(event.body);
  if (reveal && event.body !== null) {
    // An audit line on stderr (when, which event, by whom; never the values), for whoever collects the logs.
    out.note(
      JSON.stringify({
        time: new Date().toISOString(),
        msg: 'personal data revealed',
        command: 'events show --reveal',
        eventId: event.id,
        event: event.name,
        user: userName(),
      }),
    );
  }
  out.data({ ...eventJson(event), ...(withBody ? { body } : {}) });
  for (const [k, v] of Object.entries(eventJson(event))) {
    out.line(`${out.dim(k.padEnd(18))}${Array.isArray(v) ? v.join(', ') || '-' : (v ?? '-')}`);
  }
  out.line(
    `${out.dim('body'.padEnd(18))}${event.body === null ? 'pruned' : `${Buffer.byteLength(event.body)} bytes${withBody ? (reveal ? '' : out.dim(' (personal fields masked: --reveal shows them, and is logged)')) : out.dim(' (--body prints it with personal fields masked)')}`}`,
  );
  if (withBody && body !== null) out.line(body);
  return EXIT_CODES.ok;
}

function maskedBody(body: string): string {
  try {
    return JSON.stringify(maskPersonalData(JSON.parse(body)), null, 2);
  } catch {
    return '(not JSON: not shown; --reveal prints it as stored)';
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function expunge(context: CommandContext): Promise<number> {
  const { values, out } = context;
  const objects = stringList(values, 'object').flatMap((s) => s.split(','));
  if (objects.length === 0) {
    throw new CliError('usage', 'say which Persona object to erase: events expunge --object act_… [--dry-run]');
  }
  const dryRun = flag(values, 'dry-run');
  const report = await withDatabase(context, (db) => db.store.erase(objects, { dryRun }));
  out.data(report);
  out.line(
    `${dryRun ? out.yellow('dry run: would erase') : out.green('erased')} ${report.objectIds.length} object(s): ${report.objectIds.join(', ')}`,
  );
  out.line(
    `${dryRun ? 'would scrub' : 'scrubbed'} ${report.events.length} stored event(s)${report.events.length > 0 ? ':' : ''}`,
  );
  for (const e of report.events) out.line(`  ${e.id}  ${e.name}`);
  if (!dryRun)
    out.line(out.dim('tombstoned: later deliveries, replays and reconciles of these objects are stored scrubbed'));
  return EXIT_CODES.ok;
}

async function replay(context: CommandContext): Promise<number> {
  const { values, positionals, out } = context;
  const ids = positionals.slice(1);
  const all = flag(values, 'dead');
  if (ids.length === 0 && !all) {
    throw new CliError(
      'usage',
      'say what to replay: event ids (events replay evt_1 evt_2) or --dead for every dead event',
    );
  }
  if (ids.length > 0 && all) throw new CliError('usage', 'give either event ids or --dead, not both');
  return withDatabase(context, async (db) => {
    let targets = ids;
    if (all) {
      const filter: ListFilter = { ...filterFrom(values), status: 'dead' };
      targets = [];
      let cursor: string | null = null;
      do {
        const page = await db.store.list(filter, { limit: 1000, ...(cursor ? { cursor } : {}) });
        targets.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    const bar = targets.length >= 20 ? out.progress(targets.length, 'replaying') : null;
    let requeued = 0;
    const skipped: string[] = [];
    for (const id of targets) {
      const n = await db.store.requeue({ id });
      if (n > 0) requeued += n;
      else skipped.push(id);
      bar?.tick();
    }
    bar?.done();
    out.data({ requeued, skipped });
    out.line(`${out.green(`${requeued} requeued`)}${requeued > 0 ? ': a running worker picks them up' : ''}`);
    if (skipped.length > 0) {
      out.line(
        out.yellow(
          `${skipped.length} not replayed (unknown, or not succeeded/dead): ${skipped.slice(0, 10).join(', ')}`,
        ),
      );
    }
    return skipped.length > 0 && requeued === 0 && !all ? EXIT_CODES.failure : EXIT_CODES.ok;
  });
}

async function stats(context: CommandContext): Promise<number> {
  const { out } = context;
  const s = await withDatabase(context, (db) => db.store.stats());
  const age = s.oldestPendingReceivedAt ? (Date.now() - s.oldestPendingReceivedAt.getTime()) / 1000 : null;
  out.data({ byStatus: s.byStatus, total: s.total, oldestPendingAgeSeconds: age });
  for (const status of EVENT_STATUSES)
    out.line(`${colourStatus(out, status)} ${String(s.byStatus[status]).padStart(8)}`);
  out.line(`${'total'.padEnd(10)} ${String(s.total).padStart(8)}`);
  out.line(out.dim(`oldest pending: ${age === null ? 'none' : `${Math.round(age)} s ago`}`));
  return EXIT_CODES.ok;
}

/**
 * `persona-webhooks events`: list, show, replay and count stored events.
 *
 * @example
 * ```sh
 * persona-webhooks events list --status dead --since 1d
 * ```
 */
export const eventsCommand: CommandSpec = {
  name: 'events',
  summary: 'list, show, replay and count the stored events',
  usage:
    'persona-webhooks events list|show <id>|replay <id…>|replay --dead|stats|expunge --object <id> [filters] [--database-url URL]',
  description: [
    'Reads the database serve writes to (DATABASE_URL, --database-url, or ./.data/persona-webhooks.db).',
    'list pages newest first; filters: --status, --name, --since, --until (ISO date, unix seconds or an age',
    'like 6h), --resource. replay puts succeeded or dead events back to pending: a running worker runs them again.',
    'expunge erases a Persona object by hand (a request that does not come through Persona): it scrubs every',
    'stored event about or linking to it (for an account: its inquiries, verifications, reports, documents)',
    'and leaves a tombstone so that later deliveries, replays and reconciles are stored scrubbed.',
  ].join('\n'),
  positionals: 1000,
  options: {
    ...DATABASE_OPTIONS,
    status: {
      type: 'string',
      multiple: true,
      value: 'S',
      description: `Filter: ${EVENT_STATUSES.join('|')} (comma list ok).`,
    },
    name: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      description: 'Filter by event name, e.g. inquiry.approved.',
    },
    since: {
      type: 'string',
      value: 'TIME',
      description: 'Events created at or after TIME (2026-01-02, 1700000000, 6h).',
    },
    until: { type: 'string', value: 'TIME', description: 'Events created before TIME.' },
    resource: { type: 'string', value: 'ID', description: 'Events about one Persona object (inq_…).' },
    limit: { type: 'string', value: 'N', description: 'list: page size (default 50, at most 1000).' },
    cursor: { type: 'string', value: 'C', description: 'list: the next page (printed after a full page).' },
    dead: { type: 'boolean', description: 'replay: every dead event (narrowed by --name/--since/--until).' },
    body: { type: 'boolean', description: 'show: print the stored body, personal fields masked.' },
    reveal: {
      type: 'boolean',
      description: 'show: print the body unmasked (writes an audit line to stderr: when, which event, who).',
    },
    object: {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'expunge: the Persona object to erase (act_…, inq_…); an account reaches its linked objects.',
    },
    'dry-run': { type: 'boolean', description: 'expunge: list what would be erased, change nothing.' },
  },
  examples: [
    '$ persona-webhooks events list',
    '$ persona-webhooks events list --status dead,retrying --since 1d --json',
    '$ persona-webhooks events show evt_2CVZ4HyVg7qaboXz8ps8Lm5b',
    '$ persona-webhooks events replay --dead --name inquiry.approved',
    '$ DATABASE_URL=postgres://app@db/app persona-webhooks events stats',
    '$ persona-webhooks events expunge --object act_5sZ1XjUqS7Fm2xXbGf3W --dry-run',
  ],
  exitCodes: [
    [EXIT_CODES.ok, 'done'],
    [EXIT_CODES.failure, 'show: no such event; replay: nothing could be replayed'],
    [EXIT_CODES.usage, 'unknown subcommand or bad filter'],
    [EXIT_CODES.config, 'invalid configuration'],
    [EXIT_CODES.database, 'the database is unreachable or not migrated'],
  ],
  async run(context) {
    const sub = context.positionals[0];
    if (sub !== 'show' && sub !== 'replay' && context.positionals.length > 1) {
      throw new CliError('usage', `unexpected argument "${context.positionals[1]}"`);
    }
    if (sub === 'list') return list(context);
    if (sub === 'show') return show(context);
    if (sub === 'replay') return replay(context);
    if (sub === 'stats') return stats(context);
    if (sub === 'expunge') return expunge(context);
    throw new CliError(
      'usage',
      sub === undefined
        ? 'missing subcommand: list, show, replay, stats or expunge'
        : `unknown subcommand "${sub}": use list, show, replay, stats or expunge`,
    );
  },
};
