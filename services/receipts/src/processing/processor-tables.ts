import type { SqlSession } from '@dailydesk/event-store';
import { FolderState, type PendingReport, type TrackedMessage } from './folder-state';
import type { Needs } from './folder-input';

// The processor's own state (not a read model): what it needs to correlate reports. Lookups take arrays
// (`= ANY($1)`, one index scan per key list); whole rows travel as one jsonb parameter. Same SQL on PostgreSQL and PGlite.

export function processorMigration(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.proc_messages (
  message_id text PRIMARY KEY, business_id text NOT NULL, correlation_id text NOT NULL, tid integer NOT NULL,
  port text NOT NULL, to_e164 text NOT NULL, number_key text NOT NULL, sent_at_ms bigint NOT NULL,
  tx smallint NOT NULL, dlr smallint NOT NULL) WITH (fillfactor = 70);
-- Each row's tx and dlr are updated after its insert (not indexed): room on the page lets them be HOT updates.
ALTER TABLE ${s}.proc_messages SET (fillfactor = 70);
CREATE INDEX IF NOT EXISTS proc_messages_tid ON ${s}.proc_messages (tid);
CREATE INDEX IF NOT EXISTS proc_messages_number ON ${s}.proc_messages (number_key);
CREATE TABLE IF NOT EXISTS ${s}.proc_pending (id text PRIMARY KEY, tid integer, number_key text, report jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS proc_pending_tid ON ${s}.proc_pending (tid);
CREATE INDEX IF NOT EXISTS proc_pending_number ON ${s}.proc_pending (number_key);
CREATE TABLE IF NOT EXISTS ${s}.proc_seen (hash text PRIMARY KEY);
-- Occurrences of identical inbound rows per source (see SeenCount); a row stored before the counts was folded once.
ALTER TABLE ${s}.proc_seen ADD COLUMN IF NOT EXISTS pushed integer NOT NULL DEFAULT 1;
ALTER TABLE ${s}.proc_seen ADD COLUMN IF NOT EXISTS pulled integer NOT NULL DEFAULT 1;
CREATE TABLE IF NOT EXISTS ${s}.checkpoints (name text PRIMARY KEY, position bigint NOT NULL);
`;
}

interface MessageRow {
  message_id: string;
  business_id: string;
  correlation_id: string;
  tid: number;
  port: string;
  to_e164: string;
  number_key: string;
  sent_at_ms: string | number;
  tx: number;
  dlr: number;
}

const toTracked = (r: MessageRow): TrackedMessage => ({
  messageId: r.message_id, businessId: r.business_id, correlationId: r.correlation_id, tid: Number(r.tid),
  port: r.port, to: r.to_e164, numberKey: r.number_key, sentAtMs: Number(r.sent_at_ms),
  tx: Number(r.tx) as TrackedMessage['tx'], dlr: Number(r.dlr) as TrackedMessage['dlr'],
});

/**
 * Loads what a batch needs into a fresh {@link FolderState}. The three lookups go out together (the pool runs them
 * side by side): on a loaded machine each round trip waits for a CPU, so their number sets the processor's pace.
 */
export async function loadFolderState(db: SqlSession, schema: string, needs: Needs): Promise<FolderState> {
  const s = `"${schema}"`;
  const state = new FolderState();
  const tids = [...needs.tids];
  const keys = [...needs.numberKeys];
  const byKeys = tids.length + keys.length > 0;
  const [messages, pending, seen] = await Promise.all([
    // Two index scans joined by UNION: an OR of the two lists made the planner scan the table.
    byKeys
      ? db.query<MessageRow>(
          `SELECT * FROM ${s}.proc_messages WHERE tid = ANY($1::int[])
           UNION SELECT * FROM ${s}.proc_messages WHERE number_key = ANY($2::text[])`,
          [tids, keys],
        )
      : [],
    byKeys
      ? db.query<{ report: PendingReport | string }>(
          `SELECT report FROM ${s}.proc_pending WHERE id IN (
             SELECT id FROM ${s}.proc_pending WHERE tid = ANY($1::int[])
             UNION SELECT id FROM ${s}.proc_pending WHERE number_key = ANY($2::text[]))`,
          [tids, keys],
        )
      : [],
    needs.rowHashes.size > 0
      ? db.query<{ hash: string; pushed: number; pulled: number }>(`SELECT hash, pushed, pulled FROM ${s}.proc_seen WHERE hash = ANY($1::text[])`, [[...needs.rowHashes]])
      : [],
  ]);
  for (const r of messages) state.put(toTracked(r), false);
  for (const p of pending) state.keep(typeof p.report === 'string' ? (JSON.parse(p.report) as PendingReport) : p.report, true);
  for (const r of seen) state.seen.set(r.hash, { pushed: Number(r.pushed), pulled: Number(r.pulled) });
  return state;
}

/**
 * Writes back what the batch changed, and the checkpoint, as ONE statement (data-modifying CTEs): atomic like a
 * transaction, in one round trip instead of seven. The CTEs touch disjoint rows (`touched` excludes `dirty`).
 */
export async function saveFolderState(db: SqlSession, schema: string, state: FolderState, checkpoint: { name: string; position: number }): Promise<void> {
  const s = `"${schema}"`;
  const dirty = [...state.dirty].map((id) => state.messages.get(id)!);
  const touched = [...state.touched].map((id) => state.messages.get(id)!);
  const seen = [...state.changedSeen].map((h) => [h, state.seen.get(h)!] as const);
  await db.query(
    `WITH touched AS (
       -- Only the outcome columns moved (a report for a known message): no indexed column changes.
       UPDATE ${s}.proc_messages AS p SET tx = GREATEST(p.tx, u.tx), dlr = GREATEST(p.dlr, u.dlr)
       FROM unnest($1::text[], $2::smallint[], $3::smallint[]) AS u(message_id, tx, dlr) WHERE p.message_id = u.message_id
       RETURNING 1),
     dirty AS (
       INSERT INTO ${s}.proc_messages AS p
       SELECT * FROM jsonb_to_recordset($4::jsonb) AS r(message_id text, business_id text, correlation_id text, tid integer,
         port text, to_e164 text, number_key text, sent_at_ms bigint, tx smallint, dlr smallint)
       ON CONFLICT (message_id) DO UPDATE SET business_id = EXCLUDED.business_id, correlation_id = EXCLUDED.correlation_id,
         tid = EXCLUDED.tid, port = EXCLUDED.port, to_e164 = EXCLUDED.to_e164, number_key = EXCLUDED.number_key,
         sent_at_ms = EXCLUDED.sent_at_ms, tx = GREATEST(p.tx, EXCLUDED.tx), dlr = GREATEST(p.dlr, EXCLUDED.dlr)
       RETURNING 1),
     kept AS (
       INSERT INTO ${s}.proc_pending (id, tid, number_key, report)
       SELECT r.id, r.tid, r.number_key, r.report FROM jsonb_to_recordset($5::jsonb) AS r(id text, tid integer, number_key text, report jsonb)
       ON CONFLICT (id) DO NOTHING
       RETURNING 1),
     resolved AS (DELETE FROM ${s}.proc_pending WHERE id = ANY($6::text[]) RETURNING 1),
     seen AS (
       INSERT INTO ${s}.proc_seen AS p (hash, pushed, pulled) SELECT * FROM unnest($7::text[], $10::int[], $11::int[])
       ON CONFLICT (hash) DO UPDATE SET pushed = GREATEST(p.pushed, EXCLUDED.pushed), pulled = GREATEST(p.pulled, EXCLUDED.pulled)
       RETURNING 1)
     INSERT INTO ${s}.checkpoints (name, position) VALUES ($8, $9)
     ON CONFLICT (name) DO UPDATE SET position = GREATEST(${s}.checkpoints.position, EXCLUDED.position)`,
    [
      touched.map((m) => m.messageId),
      touched.map((m) => m.tx),
      touched.map((m) => m.dlr),
      JSON.stringify(dirty.map((m) => ({
        message_id: m.messageId, business_id: m.businessId, correlation_id: m.correlationId, tid: m.tid, port: m.port,
        to_e164: m.to, number_key: m.numberKey, sent_at_ms: m.sentAtMs, tx: m.tx, dlr: m.dlr,
      }))),
      JSON.stringify([...state.addedPending.values()].map((p) => ({ id: p.id, tid: p.tid, number_key: p.key ? p.key.split('|')[1] : null, report: p }))),
      [...state.removedPending],
      seen.map(([h]) => h),
      checkpoint.name,
      checkpoint.position,
      seen.map(([, c]) => c.pushed),
      seen.map(([, c]) => c.pulled),
    ],
  );
}

export async function readProcessorCheckpoint(db: SqlSession, schema: string, name: string): Promise<number> {
  const rows = await db.query<{ position: string | number }>(`SELECT position FROM "${schema}".checkpoints WHERE name = $1`, [name]);
  return rows[0] ? Number(rows[0].position) : 0;
}
