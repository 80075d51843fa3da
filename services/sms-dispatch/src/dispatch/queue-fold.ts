import type { EnvelopeBase, SmsFailed, SmsSent, SmsSuppressed } from '@dailydesk/contracts';
import type { Database } from '@dailydesk/event-store';
import type { RecipientConsentChangedData, SmsQueuedData, SmsTaskAssignedData, SmsTasksAssignedData } from '../intake/intake.events';
import type { QueueRow } from './outcome-events';
import { rowOfQueued } from './waiting-queue';

interface Assigned {
  message_id: string;
  tid: number;
  port: string;
  attempt: number;
}

/** How long waiting texts may live only in memory (the log after the held checkpoint) before `messages` gets them. */
export interface HoldLimits {
  /** A text still waiting this long after the fold first saw it is written to the table. */
  readonly parkAfterMs: number;
  /** At most this many waiting texts are held; the oldest beyond are written to the table. */
  readonly maxHeld: number;
}

/** Defaults: a text sent within 10 s never touches the table; a takeover replays at most ~10 s of log. */
export const HOLD_LIMITS: HoldLimits = { parkAfterMs: 10_000, maxHeld: 50_000 };

interface Held {
  readonly row: QueueRow;
  readonly seenMs: number;
  /** Its row may be in `messages` already (written before this fold started, then the log replayed). */
  readonly maybeInTable: boolean;
}

/**
 * Folds this service's events (in position order, batch after batch) into the queue tables, ONE statement per batch:
 * no transaction left open between round trips, so no row locks or snapshot xmin held while this process is busy.
 *
 * The durable queue is the log itself: a text waiting only briefly is never written anywhere but its SmsQueued. The
 * fold holds the waiting texts in memory (`held`) and the subscription's stored checkpoint just before the oldest of
 * them ({@link apply}'s result), so after a crash or a takeover the fold reads them again from the log. A text still
 * waiting after `parkAfterMs` (gateway down, scheduled, paced), or beyond `maxHeld`, is written to `messages` ("parked")
 * and let go, so the checkpoint moves on and a takeover never replays more than that window. A parked text's row is
 * deleted when its outcome is folded (a deletion is final: a late assignment finds no row). Why: writing and deleting
 * a row per text was the largest share of PostgreSQL's work in a drain (README, sms-dispatch "Seventh pass").
 *
 * Each SmsSent also counts towards its port's day in `port_day_sent` (only positions beyond the row's `through`, so a
 * batch folded again counts nothing twice) and makes its port the recipient's sticky sender. Every part is idempotent;
 * a repeated assignment is not rewritten (each rewrite leaves a dead tuple).
 * The parameters are `json`, not `jsonb`: jsonb parses the whole batch into its binary form first, only for
 * `*_to_recordset` to take it apart again (5,000 folded rows: 38-50 ms instead of 72-88 ms of PostgreSQL CPU here).
 */
export class QueueFold {
  /** Waiting texts not parked, in position order (Map keeps insertion order). */
  private readonly held = new Map<string, Held>();
  /** Highest position of a row in `messages` when this fold began (rows above it can only be ones it parked itself). */
  private tableHighWater: number | null = null;
  /** Messages whose outcome this process has stored: not parked (the outcome comes in a later batch). */
  outcomeStored: (messageId: string) => boolean = () => false;

  constructor(
    private readonly db: Database,
    private readonly schema: string,
    private readonly limits: HoldLimits = HOLD_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The texts held in memory (waiting, not in the table), as queue rows in position order: copies. */
  heldRows(): QueueRow[] {
    return [...this.held.values()].map((h) => ({ ...h.row }));
  }

  /**
   * Folds one batch; resolves with the position the checkpoint may be stored at (just before the oldest text held),
   * or null when nothing is held (the batch's end).
   */
  async apply(events: ReadonlyArray<{ event: EnvelopeBase; globalPosition: number }>): Promise<number | null> {
    const s = `"${this.schema}"`;
    if (this.tableHighWater === null) {
      const [r] = await this.db.query<{ p: string }>(`SELECT coalesce(max(position), 0)::text AS p FROM ${s}.messages`);
      this.tableHighWater = Number(r!.p);
    }
    const nowMs = this.now();
    const assigned = new Map<string, Assigned>();
    const finished: string[] = [];
    const finishedHere = new Set<string>();
    const sticky: unknown[] = [];
    const consent: unknown[] = [];
    const sentPerPortDay = new Map<string, { port: string; day: string; positions: number[] }>();
    for (const { event: e, globalPosition } of events) {
      if (e.type === 'SmsQueued') {
        const id = (e.data as SmsQueuedData).messageId;
        if (!this.held.has(id)) this.held.set(id, { row: rowOfQueued(e, globalPosition), seenMs: nowMs, maybeInTable: globalPosition <= this.tableHighWater });
      } else if (e.type === 'SmsTasksAssigned' || e.type === 'SmsTaskAssigned') {
        const tasks = e.type === 'SmsTasksAssigned' ? (e.data as SmsTasksAssignedData).tasks : [e.data as SmsTaskAssignedData];
        for (const d of tasks) {
          const held = this.held.get(d.messageId);
          if (held) {
            // Its table row (if any) is stale until parked again or deleted; a takeover prefers the held one.
            if (held.row.attempt <= d.attempt) Object.assign(held.row, { state: 'assigned', tid: d.tid, port: d.port, attempt: d.attempt });
            continue;
          }
          const prev = assigned.get(d.messageId);
          if (!prev || prev.attempt <= d.attempt) assigned.set(d.messageId, { message_id: d.messageId, tid: d.tid, port: d.port, attempt: d.attempt });
        }
      } else if (e.type === 'SmsSent' || e.type === 'SmsFailed' || e.type === 'SmsSuppressed') {
        const id = (e as SmsSent | SmsFailed | SmsSuppressed).data.messageId;
        const held = this.held.get(id);
        this.held.delete(id);
        finishedHere.add(id);
        // A text held since its SmsQueued, and not written before this fold began, has no row to delete.
        if (!held || held.maybeInTable) finished.push(id);
        if (e.type === 'SmsSent') {
          const d = (e as SmsSent).data;
          sticky.push({ phone: d.to, port: d.port, at: d.sentAt });
          // A UtcInstant ends in Z: its first ten characters are the UTC day (a Date per SmsSent was ~1 µs).
          const day = d.sentAt.endsWith('Z') ? d.sentAt.slice(0, 10) : new Date(d.sentAt).toISOString().slice(0, 10);
          const key = `${d.port} ${day}`;
          const counted = sentPerPortDay.get(key);
          if (counted) counted.positions.push(globalPosition);
          else sentPerPortDay.set(key, { port: d.port, day, positions: [globalPosition] });
        }
      } else if (e.type === 'RecipientConsentChanged') {
        const d = e.data as RecipientConsentChangedData;
        consent.push({ phone: d.phone, opted_out: d.optedOut, at: d.at });
      }
    }
    // A finished text is not updated, whatever this batch says after its outcome (a late assignment).
    for (const id of finishedHere) assigned.delete(id);
    const parked: QueueRow[] = [];
    for (const [id, h] of this.held) {
      if (this.held.size - parked.length <= this.limits.maxHeld && nowMs - h.seenMs < this.limits.parkAfterMs) break;
      if (this.outcomeStored(id)) continue;
      parked.push(h.row);
    }
    await this.write(parked, assigned, finished, sticky, consent, sentPerPortDay);
    // Let go only once written: when the statement fails, the subscription offers the batch again and they are parked then.
    for (const row of parked) this.held.delete(row.message_id);
    const oldest = this.held.values().next();
    return oldest.done ? null : Number(oldest.value.row.position) - 1;
  }

  private async write(
    parked: QueueRow[],
    assigned: Map<string, Assigned>,
    finished: string[],
    sticky: unknown[],
    consent: unknown[],
    sentPerPortDay: Map<string, { port: string; day: string; positions: number[] }>,
  ): Promise<void> {
    if (parked.length + assigned.size + finished.length + sticky.length + consent.length === 0) return;
    const s = `"${this.schema}"`;
    await this.db.query(
      `WITH parked AS (
         INSERT INTO ${s}.messages (message_id, business_id, correlation_id, intake_event_id, lane, position, to_e164, body, encoding,
           segments, purpose, refs, not_before, expires_at, state, tid, port, attempt, sent_at, outcome)
         SELECT x.* FROM json_to_recordset($1::json) AS x(message_id text, business_id text, correlation_id text,
           intake_event_id text, lane smallint, position bigint, to_e164 text, body text, encoding text, segments int, purpose text,
           refs jsonb, not_before timestamptz, expires_at timestamptz, state text, tid int, port text, attempt int, sent_at timestamptz, outcome text)
         ON CONFLICT (message_id) DO UPDATE SET state = excluded.state, tid = excluded.tid, port = excluded.port, attempt = excluded.attempt
           WHERE messages.attempt < excluded.attempt RETURNING 1
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
       SELECT (SELECT count(*) FROM parked) + (SELECT count(*) FROM assigned) + (SELECT count(*) FROM finished)
         + (SELECT count(*) FROM sent_per_day) + (SELECT count(*) FROM sticky) + (SELECT count(*) FROM consent) AS n`,
      [
        // Keys the table has no column for (opted_out, sticky_port) are ignored by json_to_recordset.
        JSON.stringify(parked),
        JSON.stringify([...assigned.values()]),
        JSON.stringify([...finished]),
        JSON.stringify(sticky),
        JSON.stringify(consent),
        JSON.stringify([...sentPerPortDay.values()]),
      ],
    );
  }
}
