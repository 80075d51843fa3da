import type { EnvelopeBase, SmsFailed, SmsSent, SmsSuppressed } from '@dailydesk/contracts';
import type { Database } from '@dailydesk/event-store';
import type { RecipientConsentChangedData, SmsQueuedData, SmsTaskAssignedData, SmsTasksAssignedData } from '../intake/intake.events';
import { rowOfQueued } from './waiting-queue';

interface Assigned {
  message_id: string;
  tid: number;
  port: string;
  attempt: number;
}
/**
 * Folds a batch of this service's events (in position order) into the queue tables in ONE statement: no transaction
 * left open between round trips, so no row locks or snapshot xmin held while this process is busy elsewhere.
 * `messages` keeps only the texts still waiting (queued or assigned): a text queued and finished within the batch is
 * never written, nor one whose outcome this process has already stored (`outcomeStored`: it comes in a later batch,
 * and until then the log after the checkpoint holds it for a takeover), one finished here but queued earlier is
 * deleted (a deletion is final: a late assignment finds no row). Each SmsSent also counts towards its port's day in
 * `port_day_sent` (only positions beyond the row's `through`, so a batch folded again after a crash counts nothing
 * twice) and makes its port the recipient's sticky sender. Every part is idempotent; a repeated assignment is not
 * rewritten (each rewrite leaves a dead tuple).
 * The parameters are `json`, not `jsonb`: jsonb parses the whole batch into its binary form first, only for
 * `*_to_recordset` to take it apart again (5,000 folded rows: 38-50 ms instead of 72-88 ms of PostgreSQL CPU here).
 */
export async function foldQueueEvents(
  db: Database,
  schema: string,
  events: ReadonlyArray<{ event: EnvelopeBase; globalPosition: number }>,
  outcomeStored: (messageId: string) => boolean = () => false,
): Promise<void> {
  const queued = new Map<string, Record<string, unknown>>();
  const assigned = new Map<string, Assigned>();
  const finished = new Set<string>();
  const sticky: unknown[] = [];
  const consent: unknown[] = [];
  const sentPerPortDay = new Map<string, { port: string; day: string; positions: number[] }>();
  for (const { event: e, globalPosition } of events) {
    if (e.type === 'SmsQueued') {
      const d = e.data as SmsQueuedData;
      if (queued.has(d.messageId) || outcomeStored(d.messageId)) continue;
      // The same row the dispatcher keeps in memory (keys the table has no column for are ignored by the INSERT).
      queued.set(d.messageId, { ...rowOfQueued(e, globalPosition), sent_at: null, outcome: null });
    } else if (e.type === 'SmsTasksAssigned' || e.type === 'SmsTaskAssigned') {
      const tasks = e.type === 'SmsTasksAssigned' ? (e.data as SmsTasksAssignedData).tasks : [e.data as SmsTaskAssignedData];
      for (const d of tasks) {
        const prev = assigned.get(d.messageId);
        if (!prev || prev.attempt <= d.attempt) assigned.set(d.messageId, { message_id: d.messageId, tid: d.tid, port: d.port, attempt: d.attempt });
      }
    } else if (e.type === 'SmsSent') {
      const d = (e as SmsSent).data;
      finished.add(d.messageId);
      sticky.push({ phone: d.to, port: d.port, at: d.sentAt });
      const day = new Date(d.sentAt).toISOString().slice(0, 10);
      const key = `${d.port} ${day}`;
      const counted = sentPerPortDay.get(key);
      if (counted) counted.positions.push(globalPosition);
      else sentPerPortDay.set(key, { port: d.port, day, positions: [globalPosition] });
    } else if (e.type === 'SmsFailed' || e.type === 'SmsSuppressed') {
      finished.add((e as SmsFailed | SmsSuppressed).data.messageId);
    } else if (e.type === 'RecipientConsentChanged') {
      const d = e.data as RecipientConsentChangedData;
      consent.push({ phone: d.phone, opted_out: d.optedOut, at: d.at });
    }
  }
  // A finished text is deleted, whatever else this batch says about it (its id stays in the DELETE even when it was
  // queued in this batch: a batch folded again after a crash may find the row an earlier fold of it inserted).
  for (const id of finished) {
    queued.delete(id);
    assigned.delete(id);
  }
  // Queued and assigned within the batch: inserted as assigned, not inserted then updated.
  for (const [id, row] of queued) {
    const a = assigned.get(id);
    if (a) Object.assign(row, { state: 'assigned', tid: a.tid, port: a.port, attempt: a.attempt });
    // Its update stays in the list too: when the row already existed (a batch folded again) the INSERT does nothing
    // and the update applies; when it did not, the update cannot see the new row and does nothing.
  }
  if (queued.size + assigned.size + finished.size + sticky.length + consent.length === 0) return;
  const s = `"${schema}"`;
  await db.query(
    `WITH queued AS (
       INSERT INTO ${s}.messages (message_id, business_id, correlation_id, intake_event_id, lane, position, to_e164, body, encoding,
         segments, purpose, refs, not_before, expires_at, state, tid, port, attempt, sent_at, outcome)
       SELECT x.* FROM json_to_recordset($1::json) AS x(message_id text, business_id text, correlation_id text,
         intake_event_id text, lane smallint, position bigint, to_e164 text, body text, encoding text, segments int, purpose text,
         refs jsonb, not_before timestamptz, expires_at timestamptz, state text, tid int, port text, attempt int, sent_at timestamptz, outcome text)
       ON CONFLICT (message_id) DO NOTHING RETURNING 1
     ), assigned AS (
       UPDATE ${s}.messages m SET state = 'assigned', tid = x.tid, port = x.port, attempt = x.attempt
       FROM json_to_recordset($2::json) AS x(message_id text, tid int, port text, attempt int)
       WHERE m.message_id = x.message_id AND m.attempt <= x.attempt
         AND (m.state = 'queued' OR m.tid IS DISTINCT FROM x.tid OR m.port IS DISTINCT FROM x.port OR m.attempt <> x.attempt) RETURNING 1
     ), finished AS (
       DELETE FROM ${s}.messages m USING json_array_elements_text($3::json) AS x(message_id)
       WHERE m.message_id = x.message_id RETURNING 1
     ), sent_per_day AS (
       INSERT INTO ${s}.port_day_sent AS c (port, day, sent, through)
       SELECT x.port, x.day, count(*), max(p.position)
       FROM json_to_recordset($6::json) AS x(port text, day date, positions bigint[])
       CROSS JOIN LATERAL unnest(x.positions) AS p(position)
       LEFT JOIN ${s}.port_day_sent o ON o.port = x.port AND o.day = x.day
       WHERE o.through IS NULL OR p.position > o.through
       GROUP BY x.port, x.day
       ON CONFLICT (port, day) DO UPDATE SET sent = c.sent + excluded.sent, through = GREATEST(c.through, excluded.through) RETURNING 1
     ), sticky AS (
       INSERT INTO ${s}.recipient_ports (phone, port, at)
       SELECT DISTINCT ON (phone) phone, port, at FROM json_to_recordset($4::json) AS x(phone text, port text, at timestamptz) ORDER BY phone, at DESC
       ON CONFLICT (phone) DO UPDATE SET port = excluded.port, at = excluded.at WHERE recipient_ports.at <= excluded.at RETURNING 1
     ), consent AS (
       INSERT INTO ${s}.consent (phone, opted_out, at)
       SELECT DISTINCT ON (phone) phone, opted_out, at FROM json_to_recordset($5::json) AS x(phone text, opted_out boolean, at timestamptz) ORDER BY phone, at DESC
       ON CONFLICT (phone) DO UPDATE SET opted_out = excluded.opted_out, at = excluded.at WHERE consent.at <= excluded.at RETURNING 1
     )
     SELECT (SELECT count(*) FROM queued) + (SELECT count(*) FROM assigned) + (SELECT count(*) FROM finished)
       + (SELECT count(*) FROM sent_per_day) + (SELECT count(*) FROM sticky) + (SELECT count(*) FROM consent) AS n`,
    [
      JSON.stringify([...queued.values()]),
      JSON.stringify([...assigned.values()]),
      JSON.stringify([...finished]),
      JSON.stringify(sticky),
      JSON.stringify(consent),
      JSON.stringify([...sentPerPortDay.values()]),
    ],
  );
}
