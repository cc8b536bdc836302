// The running service: HTTP (webhook route, /healthz, /readyz, /metrics), the worker, and graceful shutdown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHandlers,
  createWebhookReceiver,
  createWorker,
  DEFAULT_BACKOFF,
  type Handlers,
  REDACTION_EVENT_NAMES,
  type Worker,
} from 'persona-webhooks';
import { DEFAULT_RECONCILE_MARGIN_MS } from 'persona-webhooks/api';
import { createNodeHandler } from 'persona-webhooks/node';
import { CliError } from '../cli/errors.js';
import { personaClientFromEnv } from '../cli/persona-api.js';
import type { ServiceConfig } from '../config.js';
import { createDashboard } from '../dashboard/dashboard.js';
import { type FetchServer, serveFetchHandler } from '../dashboard/node-server.js';
import { migrateDatabase, type OpenDatabase, openDatabase } from './database.js';
import { createForwardHandler } from './forward.js';
import { loadHandlersModule } from './handlers-module.js';
import { describeError, type Logger } from './logger.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { apiClient, apiSettings, processOwner } from './persona-api.js';
import { type Pruner, startPruner } from './pruner.js';
import { startReconciler } from './reconciler.js';
import { createServiceSecrets, type ServiceSecrets } from './secret-sources.js';

/** A started service. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly origin: string;
  /** The webhook URL (origin + path). */
  readonly webhookUrl: string;
  readonly port: number;
  readonly database: OpenDatabase;
  readonly metrics: ServiceMetrics;
  readonly worker: Worker | null;
  /** Base URL of the dashboard (`--dashboard`), or null. */
  readonly dashboardOrigin: string | null;
  /** Re-reads the secrets file (SIGHUP); open connections are untouched. */
  reloadSecrets(): Promise<void>;
  /**
   * Stops accepting, finishes or releases in-flight work, closes the database. Idempotent. Resolves with the
   * events whose handlers ignored their abort signal and still run: the caller should exit the process.
   */
  stop(reason?: string): Promise<{ readonly stillRunning: readonly string[] }>;
}

export interface StartServiceOptions {
  readonly logger: Logger;
  /** Where PERSONA_API_KEY and PERSONA_API_URL are read (reconcile). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

async function buildHandlers(config: ServiceConfig, db: OpenDatabase, log: Logger): Promise<Handlers | null> {
  const registry = createHandlers();
  let handlers = 0;
  if (config.handlers !== null) {
    handlers += await loadHandlersModule(config.handlers, registry);
    log.info({ module: config.handlers, handlers }, 'handlers module loaded');
  }
  if (config.forwardTo !== null) {
    registry.onAny(
      createForwardHandler({
        url: config.forwardTo,
        secret: config.forwardSecrets,
        timeoutMs: config.forwardTimeoutMs,
        store: db.store,
      }),
      { name: 'forward' },
    );
    handlers++;
    log.info({ forwardTo: new URL(config.forwardTo).origin }, 'forwarding events');
  }
  if (config.redaction) {
    // The cascade over events already stored: tombstoning at insert time covers events stored afterwards.
    registry.on(
      REDACTION_EVENT_NAMES,
      async (event) => {
        const subject = (event.payload.data as { id?: unknown } | null)?.id;
        if (typeof subject !== 'string' || subject === '') return;
        const report = await db.store.erase(subject, { eventId: event.id });
        log.info(
          { eventId: event.id, event: event.name, objects: report.objectIds.length, scrubbed: report.events.length },
          'redaction applied to stored events',
        );
      },
      { name: 'redaction' },
    );
  }
  if (handlers === 0 && config.dev) {
    // Dev mode without handlers: show each event being processed, so a first trigger visibly does something.
    registry.onAny(
      (event, context) => {
        log.info(
          { eventId: event.id, event: event.name, attempt: context.attempt },
          'dev: event processed (no handlers configured)',
        );
      },
      { name: 'dev-log' },
    );
    handlers++;
  }
  registry.onError((error, event, info) => {
    // Handlers put the data they worked on in their messages: the log gets the scrubbed description only.
    log.warn(
      {
        eventId: event.id,
        event: event.name,
        handler: info.handlerName,
        attempt: info.attempt,
        error: describeError(error),
      },
      'handler failed',
    );
  });
  if (handlers === 0 && config.redaction && config.role !== 'web') {
    log.warn('no --handlers module and no --forward-to: events are stored, only *.redacted events are processed');
  }
  return handlers > 0 || config.redaction ? registry : null;
}

/**
 * Starts `serve`: opens and migrates the database, loads handlers, listens, starts the worker.
 * Configuration problems throw `CliError` before anything listens.
 *
 * @example
 * ```ts
 * const service = await startService(loadConfig({ env: process.env }), { logger: createLogger('info') })
 * process.on('SIGTERM', () => service.stop('SIGTERM'))
 * ```
 */
export async function startService(config: ServiceConfig, options: StartServiceOptions): Promise<RunningService> {
  const log = options.logger;
  const receives = config.role !== 'worker';
  if (receives && config.secrets.length === 0 && config.webhookId === null && config.secretsFile === null) {
    throw new CliError(
      'config',
      'no webhook secret: set PERSONA_WEBHOOK_SECRET (or --secret wbhsec_…), --webhook-id wbh_… with PERSONA_API_KEY to read it from Persona, --secrets-file FILE, or run with --dev to generate one for local testing',
    );
  }
  // Checked before the database opens: a missing API key is a configuration error at start, not at the first run.
  const reconcileClient =
    config.reconcileEveryMs !== null && config.role !== 'web'
      ? apiClient(apiSettings(options.env ?? process.env, 'serve --reconcile-every'), config.reconcileShare)
      : null;
  const secretsClient =
    receives && config.webhookId !== null
      ? personaClientFromEnv(options.env ?? process.env, '--webhook-id', 'webhook.read', {
          maxRetries: 1,
          timeoutMs: 10_000,
          rateLimitShare: 0.1,
        })
      : null;
  if (config.encryptionKeys.length === 0 && !config.dev) {
    log.warn(
      'payloads (names, birthdates, ID numbers, document links) are stored unencrypted: set PERSONA_ENCRYPTION_KEYS (see docs/threat-model.md)',
    );
  }
  const db = await openDatabase(config.database, {
    sqliteThread: config.sqliteThread,
    protection: { encryptionKeys: config.encryptionKeys, redaction: config.redaction },
  });
  if (config.sqliteThread && config.database.kind === 'sqlite') log.info('SQLite runs in its own thread');
  let registry: Handlers | null;
  try {
    await migrateDatabase(db);
    registry = await buildHandlers(config, db, log);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  log.info({ database: db.description, role: config.role }, 'database ready');

  const metrics = createServiceMetrics({ stats: () => db.store.stats() });

  let secrets: ServiceSecrets | null = null;
  if (receives) {
    try {
      secrets = await createServiceSecrets({
        configured: config.secrets,
        file: config.secretsFile,
        persona:
          config.webhookId !== null && secretsClient !== null
            ? { webhookId: config.webhookId, client: secretsClient, refreshMs: config.secretsRefreshMs }
            : null,
        logger: log,
      });
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  const receiver = secrets
    ? createWebhookReceiver({
        secret: secrets.provider,
        store: db.store,
        toleranceSeconds: config.toleranceSeconds,
        onResult(result, info) {
          metrics.onReceive(result, info.durationMs);
          const facts = {
            eventId: result.eventId,
            event: result.eventName,
            status: result.status,
            ms: info.durationMs,
          };
          // The operator's log gets the cause and its hints (how many secrets were tried…), the sender only the code.
          const cause = result.error === undefined ? {} : { error: describeError(result.error) };
          if (result.outcome === 'rejected') log.info({ ...facts, code: result.code, ...cause }, 'delivery rejected');
          else if (result.outcome === 'unavailable')
            log.warn({ ...facts, code: result.code, ...cause }, 'store unavailable: answered 503');
          else if (result.outcome === 'failed')
            log.error({ ...facts, code: result.code, ...cause }, 'delivery failed: answered 500');
          else log.debug({ ...facts, outcome: result.outcome }, 'delivery acknowledged');
        },
      })
    : null;
  // The routing below already chose the path.
  const webhook = receiver ? createNodeHandler(receiver, { maxBodyBytes: config.bodyLimit, path: null }) : null;

  let worker: Worker | null = null;
  if (config.role !== 'web') {
    if (registry === null) {
      log.warn('no --handlers module and no --forward-to: events are stored but nothing processes them');
    } else {
      worker = createWorker({
        store: db.store,
        handlers: registry,
        concurrency: config.concurrency,
        maxAttempts: config.maxAttempts,
        pollIntervalMs: config.pollIntervalMs,
        backoff: { ...DEFAULT_BACKOFF, baseMs: config.retryBaseMs },
        onEvent(info) {
          metrics.onWorkerEvent(info);
          const facts = { eventId: info.id, event: info.name, attempt: info.attempt, ms: Math.round(info.durationMs) };
          if (info.status === 'succeeded') log.debug(facts, 'event processed');
          else if (info.status === 'dead') log.error({ ...facts, error: info.error }, 'event dead: no attempts left');
          else if (info.status === 'retrying') log.warn({ ...facts, error: info.error }, 'event failed: will retry');
          else log.info({ ...facts, status: info.status }, 'event not finished');
        },
        onStoreError(error) {
          log.warn({ error: describeError(error) }, 'worker: store error');
        },
      });
    }
  }

  let stopping = false;
  // A sender that connects and goes quiet, trickles its headers or never finishes its body is cut off once
  // the request has taken longer than requestTimeoutMs: Node checks every connectionsCheckingInterval
  // (30 s by default, too coarse), headers included (also on Node 20). Persona sends a whole delivery in
  // milliseconds and gives up after 5 s itself.
  const server: Server = createServer(
    {
      keepAliveTimeout: 65_000,
      headersTimeout: config.requestTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
    },
    (req, res) => {
      if (stopping) res.setHeader('connection', 'close');
      void route(req, res);
    },
  );
  // Past the cap, new sockets are closed at once: memory stays bounded by maxConnections × bodyLimit.
  server.maxConnections = config.maxConnections;
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    try {
      if (webhook !== null && path === config.path) return await webhook(req, res);
      if (path === '/healthz') return json(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        if (stopping) return json(res, 503, { status: 'stopping' });
        try {
          await db.ping();
          return json(res, 200, { status: 'ready', database: 'reachable', migrations: 'applied', role: config.role });
        } catch {
          return json(res, 503, { status: 'unavailable', database: 'unreachable' });
        }
      }
      if (path === '/metrics') {
        const text = await metrics.render();
        res.statusCode = 200;
        res.setHeader('content-type', metrics.contentType);
        return void res.end(text);
      }
      return json(res, 404, {
        error: 'not_found',
        message: receives
          ? `Persona webhooks are received at POST ${config.path}`
          : 'This process runs the worker only.',
      });
    } catch (error) {
      log.error({ error: describeError(error), path }, 'request failed');
      if (!res.headersSent) {
        json(res, 500, {
          error: 'internal_error',
          message: 'The service failed unexpectedly; nothing was acknowledged.',
        });
      } else res.destroy();
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await db.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new CliError('config', `cannot listen on ${config.host}:${config.port}: ${why} (set --port or PORT)`);
  }
  let dashboard: FetchServer | null = null;
  if (config.dashboard !== null) {
    dashboard = await startDashboard(config, db, log).catch(async (error: unknown) => {
      server.close();
      server.closeAllConnections();
      await db.close().catch(() => undefined);
      throw error;
    });
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  worker?.start();
  // Keys rotate without downtime: payloads under an older key are re-encrypted in the background by the
  // processes that run the worker; a crash or restart resumes with what is left.
  if (config.role !== 'web' && config.encryptionKeys.length > 1) {
    void db.store.rotateKeys().then(
      (report) => report.reencrypted > 0 && log.info(report, 'payloads re-encrypted with the newest key'),
      (error: unknown) =>
        log.warn({ error: describeError(error) }, 'background key rotation stopped; it resumes at the next start'),
    );
  }
  // Retention runs where the worker runs (role worker or all), even without handlers: web-only processes
  // stay on the hot path. Several workers pruning the same store is harmless (prune is idempotent).
  const pruner: Pruner | null =
    config.role !== 'web'
      ? startPruner({
          store: db.store,
          recordDays: config.recordRetentionDays,
          payloadDays: config.payloadRetentionDays,
          intervalMs: config.pruneIntervalMs,
          logger: log,
          onPruned: (result) => metrics.onPrune(result),
        })
      : null;
  const reconciler =
    config.role !== 'web' && reconcileClient !== null && config.reconcileEveryMs !== null
      ? startReconciler({
          store: db.store,
          client: reconcileClient,
          intervalMs: config.reconcileEveryMs,
          firstWindowMs: DEFAULT_RECONCILE_MARGIN_MS,
          owner: processOwner(),
          logger: log,
        })
      : null;
  log.info(
    {
      url: `${origin}${config.path}`,
      port: address.port,
      role: config.role,
      worker: worker !== null,
      reconcileEveryMs: reconciler === null ? null : config.reconcileEveryMs,
    },
    'listening',
  );

  let stopped: Promise<{ readonly stillRunning: readonly string[] }> | null = null;
  const stop = (reason = 'stop'): Promise<{ readonly stillRunning: readonly string[] }> => {
    stopped ??= (async () => {
      stopping = true;
      const deadline = Date.now() + config.shutdownTimeoutMs;
      log.info({ reason, deadlineMs: config.shutdownTimeoutMs }, 'shutting down: no new connections');
      // Requests already being read finish (their events are stored before any 2xx); idle sockets close now.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const dashboardClosed = dashboard?.close();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
      await closed;
      await dashboardClosed;
      clearTimeout(timer);
      const stillRunning =
        worker === null ? [] : (await worker.stop({ deadlineMs: Math.max(100, deadline - Date.now()) })).stillRunning;
      if (stillRunning.length > 0) {
        log.warn(
          { events: stillRunning.length, eventIds: stillRunning.slice(0, 20) },
          'handlers ignored their abort signal past the shutdown deadline: their events stay leased and are retried once the lease expires',
        );
      }
      await pruner?.stop();
      await reconciler?.stop();
      secrets?.stop();
      await db.close().catch((error: unknown) => {
        log.warn({ error: describeError(error) }, 'closing the database failed');
      });
      log.info('stopped');
      return { stillRunning };
    })();
    return stopped;
  };

  return {
    origin,
    webhookUrl: `${origin}${config.path}`,
    port: address.port,
    database: db,
    metrics,
    worker,
    dashboardOrigin: dashboard?.origin ?? null,
    reloadSecrets: async () => {
      await secrets?.reloadFile();
    },
    stop,
  };
}

async function startDashboard(config: ServiceConfig, db: OpenDatabase, log: Logger): Promise<FetchServer> {
  const settings = config.dashboard;
  if (settings === null || settings.auth === null) throw new CliError('config', 'the dashboard needs a sign-in');
  const handler = createDashboard({
    store: db.store,
    auth: settings.auth,
    actions: settings.actions,
    secret: config.secrets,
    onAudit: (entry) => log.info({ audit: entry }, `dashboard: ${entry.action}`),
    onError: (error) => log.error({ error: describeError(error) }, 'dashboard: page failed'),
  });
  if (!['127.0.0.1', '::1', 'localhost'].includes(settings.host)) {
    log.warn(
      { host: settings.host },
      'the dashboard listens beyond loopback: put it behind TLS (a reverse proxy) so the token and the session cookie stay private',
    );
  }
  try {
    const served = await serveFetchHandler(handler, { host: settings.host, port: settings.port });
    log.info({ url: `${served.origin}/`, actions: settings.actions }, 'dashboard listening');
    return served;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : (code ?? String(error));
    throw new CliError(
      'config',
      `cannot listen on ${settings.host}:${settings.port} for the dashboard: ${why} (set --dashboard-port)`,
    );
  }
}
