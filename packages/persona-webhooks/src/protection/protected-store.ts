// A store wrapper that keeps personal data out of the database: payloads encrypted with a keyring, events
// about (or linking to) a redacted object stored scrubbed, and the erasure and key rotation that work on
// the stored rows. Wrapping the store, not the receiver, puts every path that stores an event (webhooks,
// reconcile, replay) under the same rules.
import { PersonaWebhookError } from '../errors.js';
import { PROCESSING_DEFAULTS } from '../processing/defaults.js';
import type { EventStore, ListFilter, ListOptions, NewEvent, SetBodyOptions, StoredEvent } from '../store/store.js';
import type { Keyring } from './keyring.js';
import { encryptedKeyId } from './keyring.js';
import { candidateObjectIds, eventReferences, isScrubbed, type ObjectRef, scrubEnvelope } from './references.js';
import { createTombstoneLookups } from './tombstone-lookups.js';

/** A payload no key opens is tried again this much later (a retired key may be added back meanwhile). */
const UNREADABLE_RETRY_MS = 10 * 60_000;

/**
 * The Persona object types whose `<type>.redacted` event starts the redaction cascade.
 *
 * @example
 * ```ts
 * REDACTED_TYPES.map((t) => `${t}.redacted`) // ['account.redacted', 'inquiry.redacted', …]
 * ```
 */
export const REDACTED_TYPES = [
  'account',
  'inquiry',
  'case',
  'transaction',
  'account-property',
  'authentication',
] as const;

/** The event names that start the redaction cascade. */
export const REDACTION_EVENT_NAMES: readonly string[] = REDACTED_TYPES.map((t) => `${t}.redacted`);

const REDACTION_NAMES = new Set(REDACTION_EVENT_NAMES);
/** Objects an account's (or an inquiry's) erasure reaches through the events that link them. */
const LINKED_TYPES = /^(inquiry|verification|report|document)(\/|$)/;
const CASCADING_TYPES = /^(account|inquiry)$/;
const CASCADING_PREFIX = /^(act|inq)_/;
const PAGE = 500;

/** Options of {@link createProtectedStore}. */
export interface ProtectedStoreOptions {
  /** Encrypt stored payloads with this keyring. Default: payloads stored in clear. */
  readonly keyring?: Keyring;
  /** Apply tombstones: store events about redacted objects scrubbed, and tombstone on `*.redacted`. Default true. */
  readonly redaction?: boolean;
}

/** What an erasure touched (or, in a dry run, would touch). Ids and names only. */
export interface ErasureReport {
  /** The objects tombstoned: the requested ones and, for an account or inquiry, the objects linked to them. */
  readonly objectIds: readonly string[];
  /** Stored events whose payload is (or would be) scrubbed. */
  readonly events: readonly { readonly id: string; readonly name: string }[];
  readonly dryRun: boolean;
}

/** Progress of a key rotation. */
export interface RotationReport {
  /** Stored payloads looked at. */
  readonly examined: number;
  /** Payloads re-encrypted with the newest key (or encrypted for the first time). */
  readonly reencrypted: number;
}

/**
 * An EventStore that encrypts payloads and applies redaction tombstones, plus erasure and key rotation.
 *
 * @example
 * ```ts
 * const store: ProtectedStore = createProtectedStore(createSqliteStore({ database }), { keyring })
 * await store.erase('act_123', { dryRun: true })
 * ```
 */
export interface ProtectedStore extends EventStore {
  /** The wrapped store (rows as stored: encrypted bodies). */
  readonly inner: EventStore;
  readonly keyring: Keyring | undefined;
  /**
   * Erases Persona objects by hand (a request that does not come through Persona): tombstones them and the
   * objects linked to an account or inquiry, and scrubs the stored payload of every event about or linking
   * to any of them. With `dryRun`, only reports what it would touch.
   */
  erase(
    objectIds: string | readonly string[],
    options?: { dryRun?: boolean; eventId?: string },
  ): Promise<ErasureReport>;
  /**
   * Re-encrypts every stored payload not under the keyring's newest key (and encrypts those stored in
   * clear). Safe to stop at any time and to run again: it resumes with what is left.
   */
  rotateKeys(options?: { onProgress?: (report: RotationReport) => void }): Promise<RotationReport>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface Indexed {
  readonly id: string;
  readonly name: string;
  readonly refs: readonly ObjectRef[];
}

/**
 * Wraps a store so that payloads are encrypted at rest (with a keyring) and redacted objects stay redacted:
 * a `*.redacted` event tombstones its object, and any event about or linking to a tombstoned object is
 * stored scrubbed, whether it arrives later, earlier-dated, by replay or by reconcile. Run the cascade over
 * events already stored with `erase()` (serve does it in the worker for each `*.redacted` event).
 *
 * @example
 * ```ts
 * import { createKeyring, createProtectedStore } from 'persona-webhooks'
 * const keyring = createKeyring([{ id: 'k1', key: process.env.PERSONA_ENCRYPTION_KEY }])
 * const store = createProtectedStore(createSqliteStore({ database }), { keyring })
 * await store.migrate()
 * const receiver = createWebhookReceiver({ secret, store })
 * ```
 */
export function createProtectedStore(inner: EventStore, options: ProtectedStoreOptions = {}): ProtectedStore {
  if (inner === null || typeof inner !== 'object' || typeof inner.findTombstones !== 'function') {
    throw new PersonaWebhookError(
      'invalid_options',
      'createProtectedStore: pass an EventStore (memory, SQLite or PostgreSQL)',
    );
  }
  const { keyring } = options;
  const redaction = options.redaction ?? true;

  const seal = (id: string, body: string): Promise<string> | string => (keyring ? keyring.encrypt(id, body) : body);
  const open = async (event: StoredEvent): Promise<StoredEvent> =>
    keyring && event.body !== null ? { ...event, body: await keyring.decrypt(event.id, event.body) } : event;
  const openAll = (events: StoredEvent[]): Promise<StoredEvent[]> => Promise.all(events.map(open));
  const tombstoneLookups = createTombstoneLookups((ids) => inner.findTombstones(ids));

  /** Every stored event with a payload, page by page, decrypted. */
  async function* storedPayloads(): AsyncGenerator<{ raw: StoredEvent; body: string }> {
    let cursor: string | undefined;
    do {
      const page = await inner.list({}, { limit: PAGE, withBody: true, ...(cursor ? { cursor } : {}) });
      // A page is decrypted at once: Web Crypto works off the main thread, one await per row would serialize it.
      const withBody = page.events.filter((raw) => raw.body !== null);
      const bodies = await Promise.all(
        withBody.map((raw) => (keyring ? keyring.decrypt(raw.id, raw.body as string) : (raw.body as string))),
      );
      for (const [i, raw] of withBody.entries()) yield { raw, body: bodies[i] as string };
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Scrubs one stored payload unless a concurrent write got there first (then reads again, at most 3 times). */
  async function scrubStored(id: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const raw = await inner.get(id);
      if (raw === null || raw.body === null) return;
      const body = keyring ? await keyring.decrypt(id, raw.body) : raw.body;
      if (isScrubbed(body)) return;
      const scrubbed = await seal(id, scrubEnvelope(parse(body)));
      if (await inner.setBody(id, scrubbed, { expected: raw.body })) return;
    }
  }

  const store: ProtectedStore = {
    inner,
    keyring,
    migrate: () => inner.migrate(),
    async insertIfAbsent(event: NewEvent) {
      let body = event.body;
      let resourceId = event.resourceId;
      if (redaction && typeof body === 'string') {
        const redacts = REDACTION_NAMES.has(event.name);
        // Most deliveries name no tombstoned object. A text scan for their ids settles that without parsing:
        // the store checks them inside the insert (`insertUnlessTombstoned`: no separate lookup to wait for),
        // or, for a store without that method, one lookup answers every delivery of the same moment. Only a
        // redaction, a text the scan cannot read, or a hit is parsed to find the exact references.
        const candidates = redacts ? null : candidateObjectIds(body);
        let mustParse = candidates === null;
        if (candidates !== null && candidates.length > 0) {
          if (inner.insertUnlessTombstoned === undefined) mustParse = await tombstoneLookups.any(candidates);
          else {
            const sealed = await seal(event.id, body);
            const result = await inner.insertUnlessTombstoned({ ...event, body: sealed }, candidates);
            if (result !== null) return result;
            mustParse = true;
          }
        }
        if (mustParse) {
          const envelope = parse(body);
          if (envelope !== undefined) {
            const refs = eventReferences(envelope);
            // The tombstone comes first: an event about the object stored meanwhile is then scrubbed too.
            if (redacts && refs.subject !== null) {
              await inner.addTombstones([{ objectId: refs.subject.id, eventId: event.id }]);
              // Not held back by per-resource order behind older events about the object (some may never
              // run: no handler wants them): the cascade must not wait for them.
              resourceId = null;
            }
            const ids = refs.all.map((r) => r.id);
            if (ids.length > 0 && (await inner.findTombstones(ids)).length > 0) body = scrubEnvelope(envelope);
          }
        }
      }
      return inner.insertIfAbsent({
        ...event,
        resourceId,
        body: typeof body === 'string' ? await seal(event.id, body) : body,
      });
    },
    claim: async (claimOptions) => {
      // Each claimed payload is opened alone. One that no key opens (a key retired from the keyring too soon, a
      // tampered row) fails on its own, with the reason, and the others of the batch run: dropped silently, it
      // would keep its lease until expiry and come back with the same batch until every event in it went dead.
      const claimed = await inner.claim(claimOptions);
      const opened = await Promise.allSettled(claimed.map(open));
      const ready: StoredEvent[] = [];
      for (const [i, outcome] of opened.entries()) {
        const event = claimed[i] as StoredEvent;
        if (outcome.status === 'fulfilled') {
          ready.push(outcome.value);
          continue;
        }
        const spent = event.attempts >= (claimOptions.maxAttempts ?? PROCESSING_DEFAULTS.maxAttempts);
        const reason = outcome.reason instanceof Error ? outcome.reason.message : 'decryption failed';
        await inner
          .fail(event.id, claimOptions.owner, {
            error: `payload not readable: ${reason}`,
            retryAt: spent ? null : new Date((claimOptions.now?.getTime() ?? Date.now()) + UNREADABLE_RETRY_MS),
          })
          .catch(() => undefined); // the lease then expires, as for a crashed worker
      }
      return ready;
    },
    extendLease: (id, owner, leaseMs) => inner.extendLease(id, owner, leaseMs),
    complete: (id, owner, completeOptions) => inner.complete(id, owner, completeOptions),
    fail: (id, owner, failOptions) => inner.fail(id, owner, failOptions),
    release: (id, owner, options) => inner.release(id, owner, options),
    async get(id) {
      const event = await inner.get(id);
      return event === null ? null : open(event);
    },
    async list(filter?: ListFilter, listOptions?: ListOptions) {
      const page = await inner.list(filter, listOptions);
      return { ...page, events: await openAll(page.events) };
    },
    requeue: (target) => inner.requeue(target),
    prune: (pruneOptions) => inner.prune(pruneOptions),
    stats: () => inner.stats(),
    count: (filter) => inner.count(filter),
    activity: (activityOptions) => inner.activity(activityOptions),
    saveReconcileRun: (run) => inner.saveReconcileRun(run),
    listReconcileRuns: (runsOptions) => inner.listReconcileRuns(runsOptions),
    acquireReconcileLock: (owner, ttlMs) => inner.acquireReconcileLock(owner, ttlMs),
    releaseReconcileLock: (owner) => inner.releaseReconcileLock(owner),
    async setBody(id: string, body: string | null, setOptions?: SetBodyOptions) {
      const sealed = body === null ? null : await seal(id, body);
      if (setOptions?.expected === undefined) return inner.setBody(id, sealed);
      // `expected` is plaintext here: compare after decrypting, then set only if the stored row is unchanged.
      const raw = await inner.get(id);
      if (raw === null) return false;
      const current = raw.body === null ? null : keyring ? await keyring.decrypt(id, raw.body) : raw.body;
      if (current !== setOptions.expected) return false;
      return inner.setBody(id, sealed, { expected: raw.body });
    },
    addTombstones: (list) => inner.addTombstones(list),
    findTombstones: (ids) => inner.findTombstones(ids),
    close: () => inner.close(),

    async erase(objectIds, eraseOptions = {}) {
      const requested = (typeof objectIds === 'string' ? [objectIds] : [...objectIds]).filter((id) => id !== '');
      if (requested.length === 0)
        throw new PersonaWebhookError('invalid_options', 'erase: pass at least one object id');
      const index: Indexed[] = [];
      for await (const { raw, body } of storedPayloads()) {
        const envelope = parse(body);
        if (envelope === undefined || isScrubbed(body)) continue;
        index.push({ id: raw.id, name: raw.name, refs: eventReferences(envelope).all });
      }
      const targets = new Map<string, string>(requested.map((id) => [id, '']));
      for (const e of index) for (const r of e.refs) if (targets.has(r.id) && r.type !== '') targets.set(r.id, r.type);
      // An account's (or inquiry's) erasure reaches the inquiries, verifications, reports and documents
      // linked to it in stored events; those links can chain (account → inquiry → verification), so repeat.
      for (let round = 0; round < 4; round++) {
        let grew = false;
        for (const e of index) {
          const cascades = e.refs.some((r) => {
            const type = targets.get(r.id);
            return type !== undefined && (CASCADING_TYPES.test(type || r.type) || CASCADING_PREFIX.test(r.id));
          });
          if (!cascades) continue;
          for (const r of e.refs) {
            if (!targets.has(r.id) && LINKED_TYPES.test(r.type)) {
              targets.set(r.id, r.type);
              grew = true;
            }
          }
        }
        if (!grew) break;
      }
      const affected = index.filter((e) => e.refs.some((r) => targets.has(r.id)));
      const report: ErasureReport = {
        objectIds: [...targets.keys()],
        events: affected.map((e) => ({ id: e.id, name: e.name })),
        dryRun: eraseOptions.dryRun === true,
      };
      if (report.dryRun) return report;
      await inner.addTombstones(
        report.objectIds.map((objectId) => ({ objectId, eventId: eraseOptions.eventId ?? null })),
      );
      for (const e of affected) await scrubStored(e.id);
      return report;
    },

    async rotateKeys(rotateOptions = {}) {
      if (keyring === undefined) {
        throw new PersonaWebhookError('invalid_options', 'rotateKeys: this store has no keyring (encryption is off)');
      }
      let examined = 0;
      let reencrypted = 0;
      let cursor: string | undefined;
      do {
        const page = await inner.list({}, { limit: PAGE, withBody: true, ...(cursor ? { cursor } : {}) });
        for (const raw of page.events) {
          if (raw.body === null) continue;
          examined++;
          if (encryptedKeyId(raw.body) === keyring.currentId) continue;
          const body = await keyring.encrypt(raw.id, await keyring.decrypt(raw.id, raw.body));
          // Compare-and-set: a payload scrubbed meanwhile is left as the scrub wrote it.
          if (await inner.setBody(raw.id, body, { expected: raw.body })) reencrypted++;
        }
        rotateOptions.onProgress?.({ examined, reencrypted });
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return { examined, reencrypted };
    },
  };
  return store;
}
