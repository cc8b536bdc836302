// Webhook delivery as Persona does it: POST the envelope in the webhook's inflection, signed with every active
// secret, 5 s timeout, 8 attempts on Persona's backoff, any 2xx is done (https://docs.withpersona.com/webhooks).
import { signPayload } from '../../webhook-signature.js';
import { inflectKeys } from '../inflect.js';
import type { SampleRandom } from '../random.js';
import type { SimulatedEvent } from './event-log.js';
import { activeSecrets, type SimulatedWebhook } from './webhook-model.js';

/** Seconds between Persona's 8 attempts (≈ n⁶): the last retry comes about 51 h after the first attempt. */
export const PERSONA_RETRY_SCHEDULE_SECONDS: readonly number[] = [3, 64, 729, 4096, 15625, 46656, 117649];
/** Persona gives up on an attempt after 5 s. */
export const PERSONA_DELIVERY_TIMEOUT_MS = 5_000;

/** One delivery attempt (or a dropped delivery) as the simulator made it. */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly webhookId: string;
  /** 1 to 8; 0 for a dropped delivery, which is never sent. */
  readonly attempt: number;
  /** The receiver's HTTP status, 0 without an answer (refused, timed out), -1 for a dropped delivery. */
  readonly status: number;
  /** `ECONNREFUSED`, `timeout`, `dropped`, or null. */
  readonly error: string | null;
  readonly at: Date;
  /** A second copy sent after a success (the duplicate switch). */
  readonly duplicate: boolean;
  /** The attempt was the last one and failed: Persona gives up on this event. */
  readonly gaveUp: boolean;
}

/**
 * Switches that make delivery misbehave the ways Persona documents it can: duplicates, out-of-order arrival and
 * (for reconcile tests) deliveries that never happen.
 *
 * @example
 * ```ts
 * simulator.setDeliverySwitches({ duplicateRate: 0.2, outOfOrderMs: 500, dropRate: 0.1 })
 * ```
 */
export interface DeliverySwitches {
  /** Chance (0 to 1) that a delivered event is delivered once more. Default 0. */
  readonly duplicateRate?: number;
  /** Chance (0 to 1) that an event is never delivered at all (still listed by the Events API). Default 0. */
  readonly dropRate?: number;
  /** Delays each first attempt by a random 0 to this many ms, so newer events can arrive first. Default 0. */
  readonly outOfOrderMs?: number;
}

/**
 * @internal Schedules and makes deliveries.
 * @example
 * ```ts
 * const engine = createDeliveryEngine({ timeScale: 0.001, timeoutMs: 5000, random, now: () => new Date() })
 * engine.deliver(webhook, event); await engine.settled()
 * ```
 */
export function createDeliveryEngine(options: {
  timeScale: number;
  timeoutMs: number;
  random: SampleRandom;
  now: () => Date;
}) {
  let switches: Required<DeliverySwitches> = { duplicateRate: 0, dropRate: 0, outOfOrderMs: 0 };
  const records: DeliveryRecord[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const controllers = new Set<AbortController>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  let closed = false;

  const chance = (p: number) => p > 0 && options.random.int(1_000_000) < p * 1_000_000;

  function later(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  function finish() {
    pending--;
    if (pending === 0) {
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    }
  }

  async function attempt(
    webhook: SimulatedWebhook,
    event: SimulatedEvent,
    n: number,
    firstAt: Date,
    duplicate: boolean,
  ) {
    const total = PERSONA_RETRY_SCHEDULE_SECONDS.length + 1;
    const now = options.now();
    // Disabling a webhook cancels its pending retries; Persona marks those deliveries failed.
    if (closed || webhook.status !== 'enabled') {
      records.push({
        eventId: event.id,
        webhookId: webhook.id,
        attempt: n,
        status: 0,
        error: 'webhook disabled',
        at: now,
        duplicate,
        gaveUp: true,
      });
      return finish();
    }
    const body = JSON.stringify(inflectKeys(event.envelope, webhook.apiKeyInflection));
    const secrets = activeSecrets(webhook, now);
    const signature = await signPayload({ secret: secrets, body, timestamp: now });
    const controller = new AbortController();
    controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), options.timeoutMs);
    let status = 0;
    let error: string | null = null;
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Persona-Simulator (persona-webhooks; not Persona)',
          'Persona-Signature': signature,
          'Persona-Webhook-Attempts-Made': String(n),
          'Persona-Webhook-Attempts-Left': String(total - n),
          'Persona-Webhook-First-Attempted-At': String(Math.floor(firstAt.getTime() / 1000)),
        },
        body,
        signal: controller.signal,
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      const code = (e as { cause?: { code?: unknown } })?.cause?.code;
      error = controller.signal.aborted ? 'timeout' : typeof code === 'string' ? code : 'connection failed';
    } finally {
      clearTimeout(timeout);
      controllers.delete(controller);
    }
    const ok = status >= 200 && status < 300;
    const last = n >= total;
    records.push({
      eventId: event.id,
      webhookId: webhook.id,
      attempt: n,
      status,
      error,
      at: now,
      duplicate,
      gaveUp: !ok && last,
    });
    if (ok && !duplicate && chance(switches.duplicateRate)) {
      pending++;
      later(0, () => void attempt(webhook, event, n, firstAt, true));
    } else if (!ok && !last && !closed) {
      pending++;
      const wait = (PERSONA_RETRY_SCHEDULE_SECONDS[n - 1] ?? 0) * 1000 * options.timeScale;
      later(wait, () => void attempt(webhook, event, n + 1, firstAt, false));
    }
    finish();
  }

  return {
    setSwitches(next: DeliverySwitches): void {
      for (const [k, v] of Object.entries(next)) {
        if (v !== undefined && !(typeof v === 'number' && v >= 0 && (k === 'outOfOrderMs' || v <= 1)))
          throw new RangeError(`${k} must be ${k === 'outOfOrderMs' ? 'a number of ms ≥ 0' : 'from 0 to 1'}`);
      }
      switches = { ...switches, ...next } as Required<DeliverySwitches>;
    },
    switches(): Required<DeliverySwitches> {
      return switches;
    },
    /** Schedules the first attempt of one event to one webhook. */
    deliver(webhook: SimulatedWebhook, event: SimulatedEvent): void {
      if (closed) return;
      if (chance(switches.dropRate)) {
        records.push({
          eventId: event.id,
          webhookId: webhook.id,
          attempt: 0,
          status: -1,
          error: 'dropped',
          at: options.now(),
          duplicate: false,
          gaveUp: true,
        });
        return;
      }
      pending++;
      const delay = switches.outOfOrderMs > 0 ? options.random.int(Math.ceil(switches.outOfOrderMs) + 1) : 0;
      later(delay, () => void attempt(webhook, event, 1, options.now(), false));
    },
    records(): readonly DeliveryRecord[] {
      return records;
    },
    /** Resolves once no delivery is scheduled or in flight. */
    settled(): Promise<void> {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close(): void {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of controllers) c.abort();
      pending = 0;
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    },
  };
}
