import type { Database } from '@dailydesk/event-store';

/** How often the leading dispatcher prunes (real time, not the injected clock). */
export const PRUNE_EVERY_MS = 3_600_000;
const CHUNK = 5_000;

/**
 * Deletes what the service no longer needs: audit rows (`gateway_calls`) older than `auditDays` (0 keeps them all),
 * in chunks so no statement holds many row locks or a long snapshot, and per-SIM day counts older than a week (the
 * daily cap reads only today's). The texts themselves need nothing here: `messages` holds only waiting ones, and their
 * history is the event log. Returns the audit rows deleted.
 */
export async function pruneOldRows(db: Database, schema: string, auditDays: number): Promise<number> {
  const s = `"${schema}"`;
  let deleted = 0;
  for (let n = CHUNK; auditDays > 0 && n === CHUNK; deleted += n) {
    const [row] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM ${s}.gateway_calls WHERE id IN (
           SELECT id FROM ${s}.gateway_calls WHERE at < now() - make_interval(days => $1::int) ORDER BY at LIMIT ${CHUNK})
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [auditDays],
    );
    n = Number(row?.n ?? 0);
  }
  await db.query(`DELETE FROM ${s}.port_day_sent WHERE day < (now() AT TIME ZONE 'UTC')::date - 7`);
  return deleted;
}
