import type { Database, SqlSession } from '@dailydesk/event-store';
import { FolderState, type PendingReport, type TrackedMessage } from './folder-state';
import type { Needs } from './receipt-folder';

// The processor's own state (not a read model): what it needs to correlate reports. Lists travel as one jsonb
// parameter so the same SQL runs on PostgreSQL and PGlite.

export function processorMigration(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.proc_messages (
  message_id text PRIMARY KEY, business_id text NOT NULL, correlation_id text NOT NULL, tid integer NOT NULL,
  port text NOT NULL, to_e164 text NOT NULL, number_key text NOT NULL, sent_at_ms bigint NOT NULL,
  tx smallint NOT NULL, dlr smallint NOT NULL);
CREATE INDEX IF NOT EXISTS proc_messages_tid ON ${s}.proc_messages (tid);
CREATE INDEX IF NOT EXISTS proc_messages_number ON ${s}.proc_messages (number_key);
CREATE TABLE IF NOT EXISTS ${s}.proc_pending (id text PRIMARY KEY, tid integer, number_key text, report jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS proc_pending_tid ON ${s}.proc_pending (tid);
CREATE INDEX IF NOT EXISTS proc_pending_number ON ${s}.proc_pending (number_key);
CREATE TABLE IF NOT EXISTS ${s}.proc_seen (hash text PRIMARY KEY);
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

/** Loads what a batch needs into a fresh {@link FolderState}. */
export async function loadFolderState(db: SqlSession, schema: string, needs: Needs): Promise<FolderState> {
  const s = `"${schema}"`;
  const state = new FolderState();
  const tids = JSON.stringify([...needs.tids]);
  const keys = JSON.stringify([...needs.numberKeys]);
  if (needs.tids.size + needs.numberKeys.size > 0) {
    const rows = await db.query<MessageRow>(
      `SELECT * FROM ${s}.proc_messages
        WHERE tid IN (SELECT (jsonb_array_elements_text($1::jsonb))::int)
           OR number_key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [tids, keys],
    );
    for (const r of rows) {
      const m: TrackedMessage = {
        messageId: r.message_id, businessId: r.business_id, correlationId: r.correlation_id, tid: Number(r.tid),
        port: r.port, to: r.to_e164, numberKey: r.number_key, sentAtMs: Number(r.sent_at_ms),
        tx: Number(r.tx) as TrackedMessage['tx'], dlr: Number(r.dlr) as TrackedMessage['dlr'],
      };
      state.put(m, false);
    }
    const pending = await db.query<{ report: PendingReport | string }>(
      `SELECT report FROM ${s}.proc_pending
        WHERE tid IN (SELECT (jsonb_array_elements_text($1::jsonb))::int)
           OR number_key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [tids, keys],
    );
    for (const p of pending) state.keep(typeof p.report === 'string' ? (JSON.parse(p.report) as PendingReport) : p.report, true);
  }
  if (needs.rowHashes.size > 0) {
    const seen = await db.query<{ hash: string }>(
      `SELECT hash FROM ${s}.proc_seen WHERE hash IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify([...needs.rowHashes])],
    );
    for (const r of seen) state.seen.add(r.hash);
  }
  return state;
}

/** Writes back what the batch changed, and the checkpoint, in one transaction. */
export async function saveFolderState(db: Database, schema: string, state: FolderState, checkpoint: { name: string; position: number }): Promise<void> {
  const s = `"${schema}"`;
  await db.transaction(async (tx) => {
    const dirty = [...state.dirty].map((id) => state.messages.get(id)!);
    if (dirty.length > 0) {
      await tx.query(
        `INSERT INTO ${s}.proc_messages AS p
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(message_id text, business_id text, correlation_id text, tid integer,
           port text, to_e164 text, number_key text, sent_at_ms bigint, tx smallint, dlr smallint)
         ON CONFLICT (message_id) DO UPDATE SET business_id = EXCLUDED.business_id, correlation_id = EXCLUDED.correlation_id,
           tid = EXCLUDED.tid, port = EXCLUDED.port, to_e164 = EXCLUDED.to_e164, number_key = EXCLUDED.number_key,
           sent_at_ms = EXCLUDED.sent_at_ms, tx = GREATEST(p.tx, EXCLUDED.tx), dlr = GREATEST(p.dlr, EXCLUDED.dlr)`,
        [JSON.stringify(dirty.map((m) => ({
          message_id: m.messageId, business_id: m.businessId, correlation_id: m.correlationId, tid: m.tid, port: m.port,
          to_e164: m.to, number_key: m.numberKey, sent_at_ms: m.sentAtMs, tx: m.tx, dlr: m.dlr,
        })))],
      );
    }
    if (state.addedPending.size > 0) {
      await tx.query(
        `INSERT INTO ${s}.proc_pending (id, tid, number_key, report)
         SELECT r.id, r.tid, r.number_key, r.report FROM jsonb_to_recordset($1::jsonb) AS r(id text, tid integer, number_key text, report jsonb)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify([...state.addedPending.values()].map((p) => ({ id: p.id, tid: p.tid, number_key: p.key ? p.key.split('|')[1] : null, report: p })))],
      );
    }
    if (state.removedPending.size > 0) {
      await tx.query(`DELETE FROM ${s}.proc_pending WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`, [JSON.stringify([...state.removedPending])]);
    }
    if (state.newSeen.length > 0) {
      await tx.query(`INSERT INTO ${s}.proc_seen (hash) SELECT jsonb_array_elements_text($1::jsonb) ON CONFLICT DO NOTHING`, [JSON.stringify(state.newSeen)]);
    }
    await tx.query(
      `INSERT INTO ${s}.checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = GREATEST(${s}.checkpoints.position, EXCLUDED.position)`,
      [checkpoint.name, checkpoint.position],
    );
  });
}

export async function readProcessorCheckpoint(db: SqlSession, schema: string, name: string): Promise<number> {
  const rows = await db.query<{ position: string | number }>(`SELECT position FROM "${schema}".checkpoints WHERE name = $1`, [name]);
  return rows[0] ? Number(rows[0].position) : 0;
}
