// What another connection reads as an event's deliveries in a SQLite store's file: the count in the event's row
// plus the duplicates counted apart (migration 7).
import type Database from 'better-sqlite3';

/** Every event's id and deliveries, as written to the file. */
export const DELIVERIES_IN_FILE = `SELECT e.id, e.deliveries + COALESCE(d.n, 0) AS deliveries
  FROM persona_webhook_events e LEFT JOIN persona_webhook_events_deliveries d ON d.id = e.id`;

/** The deliveries of `id` as written to the file (not what the store still holds in memory). */
export function deliveriesInFile(db: Database.Database, id: string): number {
  return (db.prepare(`${DELIVERIES_IN_FILE} WHERE e.id = ?`).get(id) as { deliveries: number }).deliveries;
}
