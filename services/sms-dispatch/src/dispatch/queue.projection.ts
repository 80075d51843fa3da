import type { SmsFailed, SmsSent, SmsSuppressed } from '@dailydesk/contracts';
import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import type { RecipientConsentChangedData, SmsQueuedData, SmsTaskAssignedData } from '../intake/intake.events';
import { LANE } from './dispatch.schema';

/**
 * Folds this service's own events into its tables: the durable queue (`messages`), consent, and the sticky
 * recipient → port map. One transaction per batch; every statement is idempotent (redelivered batches are harmless)
 * and a message's state never moves backwards.
 */
export class QueueProjection {
  private subscription: Subscription | null = null;
  private readonly listeners = new Set<(position: number) => void>();

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription = this.store.subscribe({
      name: 'sms-dispatch-queue',
      batchSize: 2000,
      logger: this.logger,
      handler: async (events) => {
        await this.apply(events);
        const last = events[events.length - 1]?.globalPosition ?? 0;
        for (const l of this.listeners) l(last);
      },
    });
  }

  /** Called after each applied batch with its last position. */
  onApplied(listener: (position: number) => void): void {
    this.listeners.add(listener);
  }

  get position(): number {
    return this.subscription?.position ?? 0;
  }

  /** Resolves once every event stored before the call is applied. */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.store.readAll(this.position, 1)).length === 0) return;
      if (Date.now() > deadline) throw new Error('sms-dispatch queue projection did not catch up');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private async apply(events: RecordedEvent[]): Promise<void> {
    const queued: unknown[] = [];
    const assigned = new Map<string, unknown>();
    const finals: unknown[] = [];
    const sticky: unknown[] = [];
    const consent: unknown[] = [];
    for (const { event: e, globalPosition } of events) {
      if (e.type === 'SmsQueued') {
        const d = e.data as SmsQueuedData;
        queued.push({
          message_id: d.messageId, business_id: e.businessId, correlation_id: e.correlationId, intake_event_id: e.id,
          lane: LANE[d.priority], position: globalPosition, to_e164: d.to, body: d.text, encoding: d.encoding,
          segments: d.segments, purpose: d.purpose, refs: d.refs, not_before: d.notBefore ?? null, expires_at: d.expiresAt ?? null,
        });
      } else if (e.type === 'SmsTaskAssigned') {
        const d = e.data as SmsTaskAssignedData;
        assigned.set(d.messageId, { message_id: d.messageId, tid: d.tid, port: d.port, attempt: d.attempt });
      } else if (e.type === 'SmsSent') {
        const d = (e as SmsSent).data;
        finals.push({ message_id: d.messageId, state: 'sent', tid: d.tid, port: d.port, sent_at: d.sentAt });
        sticky.push({ phone: d.to, port: d.port, at: d.sentAt });
      } else if (e.type === 'SmsFailed' || e.type === 'SmsSuppressed') {
        const d = (e as SmsFailed | SmsSuppressed).data;
        finals.push({ message_id: d.messageId, state: e.type === 'SmsFailed' ? 'failed' : 'suppressed', outcome: d.reason });
      } else if (e.type === 'RecipientConsentChanged') {
        const d = e.data as RecipientConsentChangedData;
        consent.push({ phone: d.phone, opted_out: d.optedOut, at: d.at });
      }
    }
    const s = `"${this.schema}"`;
    await this.db.transaction(async (tx) => {
      if (queued.length > 0) {
        await tx.query(
          `INSERT INTO ${s}.messages (message_id, business_id, correlation_id, intake_event_id, lane, position, to_e164, body, encoding,
             segments, purpose, refs, not_before, expires_at, state)
           SELECT x.*, 'queued' FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, business_id text, correlation_id text,
             intake_event_id text, lane smallint, position bigint, to_e164 text, body text, encoding text, segments int, purpose text,
             refs jsonb, not_before timestamptz, expires_at timestamptz)
           ON CONFLICT (message_id) DO NOTHING`,
          [JSON.stringify(queued)],
        );
      }
      if (assigned.size > 0) {
        await tx.query(
          `UPDATE ${s}.messages m SET state = 'assigned', tid = x.tid, port = x.port, attempt = x.attempt
           FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, tid int, port text, attempt int)
           WHERE m.message_id = x.message_id AND m.state IN ('queued', 'assigned') AND m.attempt <= x.attempt`,
          [JSON.stringify([...assigned.values()])],
        );
      }
      if (finals.length > 0) {
        await tx.query(
          `UPDATE ${s}.messages m SET state = x.state, tid = COALESCE(x.tid, m.tid), port = COALESCE(x.port, m.port),
             sent_at = x.sent_at, outcome = x.outcome, body = NULL
           FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, state text, tid int, port text, sent_at timestamptz, outcome text)
           WHERE m.message_id = x.message_id AND m.state IN ('queued', 'assigned')`,
          [JSON.stringify(finals)],
        );
      }
      if (sticky.length > 0) {
        await tx.query(
          `INSERT INTO ${s}.recipient_ports (phone, port, at)
           SELECT DISTINCT ON (phone) phone, port, at FROM jsonb_to_recordset($1::jsonb) AS x(phone text, port text, at timestamptz) ORDER BY phone, at DESC
           ON CONFLICT (phone) DO UPDATE SET port = excluded.port, at = excluded.at WHERE recipient_ports.at <= excluded.at`,
          [JSON.stringify(sticky)],
        );
      }
      if (consent.length > 0) {
        await tx.query(
          `INSERT INTO ${s}.consent (phone, opted_out, at)
           SELECT DISTINCT ON (phone) phone, opted_out, at FROM jsonb_to_recordset($1::jsonb) AS x(phone text, opted_out boolean, at timestamptz) ORDER BY phone, at DESC
           ON CONFLICT (phone) DO UPDATE SET opted_out = excluded.opted_out, at = excluded.at WHERE consent.at <= excluded.at`,
          [JSON.stringify(consent)],
        );
      }
    });
  }
}
