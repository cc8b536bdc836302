// The `deliveries.failed` check: Persona's delivery records of the last 24 h through POST /webhook-events/search.
// That endpoint is documented for API version 2020-05-18 only and its request body is not in the spec we ship,
// so any refusal is a `warn` that says where to look instead, never a failure of the run.
import { PersonaApiError, type PersonaClient } from 'persona-webhooks/api';
import type { Check } from './checks.js';

const ID = 'deliveries.failed';
const DAY_MS = 24 * 3600 * 1000;

interface DeliveryRecord {
  readonly status: string;
  readonly updatedAt: Date | null;
}

function records(body: unknown, webhookId: string): DeliveryRecord[] | null {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return null;
  const out: DeliveryRecord[] = [];
  for (const item of data as { attributes?: Record<string, unknown>; relationships?: Record<string, unknown> }[]) {
    const a = item?.attributes ?? {};
    const hook = (item?.relationships?.webhook as { data?: { id?: unknown } } | undefined)?.data?.id;
    if (typeof hook === 'string' && hook !== webhookId) continue;
    const updated = a['updated-at'] ?? a.updatedAt ?? a.updated_at;
    const date = typeof updated === 'string' ? new Date(updated) : null;
    out.push({ status: String(a.status ?? 'unknown'), updatedAt: date && !Number.isNaN(date.getTime()) ? date : null });
  }
  return out;
}

/**
 * Reads the failed deliveries of the last 24 h. `failed` is Persona's final delivery status (its retries are
 * spent), so any is a `fail` whose fix is `reconcile`; a refusal of the search is a `warn`.
 *
 * @example
 * ```ts
 * const line = await failedDeliveriesCheck(client, 'wbh_ABC123', new Date())
 * ```
 */
export async function failedDeliveriesCheck(client: PersonaClient, webhookId: string, now: Date): Promise<Check> {
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  let body: unknown;
  try {
    ({ body } = await client.request({
      method: 'POST',
      path: '/webhook-events/search',
      body: {
        query: {
          and: [
            { attribute: 'webhook_id', operator: 'eq', value: webhookId },
            { attribute: 'status', operator: 'eq', value: 'failed' },
            { attribute: 'updated_at', operator: 'gte', value: since },
          ],
        },
      },
    }));
  } catch (error) {
    if (!(error instanceof PersonaApiError)) throw error;
    const where = `see the Dashboard (Webhooks → ${webhookId} → Events, filter failed) instead`;
    if (error.code === 'api_forbidden')
      return {
        id: ID,
        status: 'warn',
        message: `the key may not search delivery records (give it webhook.read); ${where}`,
      };
    if (error.code === 'api_not_found' || error.code === 'api_bad_request')
      return {
        id: ID,
        status: 'warn',
        message: `Persona's API did not answer the delivery search (documented for API version 2020-05-18 only); ${where}`,
      };
    return { id: ID, status: 'warn', message: `the delivery search failed (${error.code}); ${where}` };
  }
  const list = records(body, webhookId);
  if (list === null)
    return {
      id: ID,
      status: 'warn',
      message: 'the delivery search answered something other than a list of delivery records',
    };
  const failed = list.filter((r) => r.status === 'failed');
  if (failed.length === 0) return { id: ID, status: 'ok', message: 'no failed delivery in the last 24 h' };
  const latest = failed.reduce<Date | null>(
    (max, r) => (r.updatedAt && (!max || r.updatedAt > max) ? r.updatedAt : max),
    null,
  );
  return {
    id: ID,
    status: 'fail',
    message: `${failed.length} deliveries failed for good in the last 24 h (latest ${latest?.toISOString() ?? 'unknown'}, status failed: Persona's retries are spent); run persona-webhooks reconcile --since 1d to fetch them from the Events API`,
  };
}
