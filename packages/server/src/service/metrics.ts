// Prometheus metrics of the service. Labels are bounded, fixed vocabularies (outcome, error code, status,
// known event names): never payload content, ids or secrets.
import {
  isKnownEventName,
  type PruneResult,
  type ReceiveResult,
  type StoreStats,
  type WorkerEventInfo,
} from 'persona-webhooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The service's metrics and the hooks that feed them. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Feed from the receiver's `onResult`. */
  onReceive(result: ReceiveResult, durationMs: number): void;
  /** Feed from the worker's `onEvent`. */
  onWorkerEvent(info: WorkerEventInfo): void;
  /** Feed from each retention prune. */
  onPrune(result: PruneResult): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface ServiceMetricsOptions {
  /** Reads queue depth and the oldest pending event; called at scrape time. */
  readonly stats: () => Promise<StoreStats>;
  /** Include Node process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
}

const PREFIX = 'persona_webhooks_';
// Persona gives up after 5 s; our target is an ack under 10 ms at p99.
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const HANDLER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function eventLabel(name: string): string {
  // Unknown names are bounded to one label value: label sets must stay small whatever arrives.
  return isKnownEventName(name) ? name : 'other';
}

/**
 * Creates the metrics registry of `serve`.
 *
 * @example
 * ```ts
 * const metrics = createServiceMetrics({ stats: () => store.stats() })
 * const receiver = createWebhookReceiver({ ..., onResult: (r, i) => metrics.onReceive(r, i.durationMs) })
 * ```
 */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const deliveries = new Counter({
    name: `${PREFIX}deliveries_total`,
    help: 'Webhook deliveries answered, by outcome (accepted, duplicate, rejected, unavailable, failed, in_flight).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const received = new Counter({
    name: `${PREFIX}received_total`,
    help: 'New events verified and durably stored.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: `${PREFIX}rejected_total`,
    help: 'Deliveries rejected, by reason (error code: signature_mismatch, timestamp_too_old, payload_too_large, …).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const duplicates = new Counter({
    name: `${PREFIX}duplicates_total`,
    help: 'Deliveries of an event already stored (acknowledged, not processed again).',
    registers: [registry],
  });
  const processed = new Counter({
    name: `${PREFIX}processed_total`,
    help: 'Events whose handlers all succeeded.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: `${PREFIX}failed_total`,
    help: 'Failed processing attempts that will be retried.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const dead = new Counter({
    name: `${PREFIX}dead_total`,
    help: 'Events moved to dead letters after their last attempt.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const pruned = new Counter({
    name: `${PREFIX}pruned_total`,
    help: 'Retention pruning: payloads cleared (kind="payload") and dedupe records deleted (kind="record").',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  // Both series exist from the start, so a dashboard shows 0 rather than no data before the first prune.
  pruned.inc({ kind: 'payload' }, 0);
  pruned.inc({ kind: 'record' }, 0);
  const ackSeconds = new Histogram({
    name: `${PREFIX}ack_duration_seconds`,
    help: 'Time from request to answer inside receive() (verify, store, answer), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: ACK_BUCKETS,
    registers: [registry],
  });
  const handlerSeconds = new Histogram({
    name: `${PREFIX}handler_duration_seconds`,
    help: 'Time to run an event through its handlers, by result (succeeded, retrying, dead, lost, released).',
    labelNames: ['status'] as const,
    buckets: HANDLER_BUCKETS,
    registers: [registry],
  });

  let lastStats: Promise<StoreStats | null> | null = null;
  let lastStatsAt = 0;
  // Both gauges read the same stats() result within one scrape instead of querying twice.
  const readStats = (): Promise<StoreStats | null> => {
    const now = Date.now();
    if (lastStats === null || now - lastStatsAt > 500) {
      lastStatsAt = now;
      lastStats = options.stats().catch(() => null);
    }
    return lastStats;
  };
  new Gauge({
    name: `${PREFIX}queue_depth`,
    help: 'Stored events by status (pending, processing, retrying: the queue; succeeded, dead).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const stats = await readStats();
      if (stats === null) return;
      for (const [status, n] of Object.entries(stats.byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: `${PREFIX}oldest_pending_age_seconds`,
    help: 'Age of the oldest pending or retrying event (0 when the queue is empty).',
    registers: [registry],
    async collect() {
      const stats = await readStats();
      if (stats === null) return;
      const oldest = stats.oldestPendingReceivedAt;
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest.getTime()) / 1000));
    },
  });
  const storeUp = new Gauge({
    name: `${PREFIX}store_up`,
    help: '1 when the last stats query reached the database, else 0.',
    registers: [registry],
    async collect() {
      this.set((await readStats()) === null ? 0 : 1);
    },
  });
  void storeUp;

  return {
    registry,
    contentType: registry.contentType,
    onReceive(result, durationMs) {
      deliveries.inc({ outcome: result.outcome });
      ackSeconds.observe({ outcome: result.outcome }, durationMs / 1000);
      if (result.outcome === 'accepted' && result.eventName !== undefined) {
        received.inc({ event: eventLabel(result.eventName) });
      } else if (result.outcome === 'accepted') {
        received.inc({ event: 'other' });
      }
      if (result.outcome === 'duplicate') duplicates.inc();
      if (result.outcome === 'rejected') rejected.inc({ reason: result.code ?? 'unknown' });
    },
    onWorkerEvent(info) {
      handlerSeconds.observe({ status: info.status }, info.durationMs / 1000);
      const event = eventLabel(info.name);
      if (info.status === 'succeeded') processed.inc({ event });
      else if (info.status === 'retrying') failed.inc({ event });
      else if (info.status === 'dead') dead.inc({ event });
    },
    onPrune(result) {
      pruned.inc({ kind: 'payload' }, result.payloadsCleared);
      pruned.inc({ kind: 'record' }, result.recordsDeleted);
    },
    render: () => registry.metrics(),
  };
}
