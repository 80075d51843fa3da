import {
  CustomerOptedIn,
  CustomerOptedOut,
  InboundSmsReceived,
  type EnvelopeBase,
  type SmsDelivered,
  type SmsSent,
  type SmsTransmissionFailed,
  type SmsTransmitted,
  type SmsUndelivered,
} from '@dailydesk/contracts';
import type { RecvSmsRow } from '@dailydesk/skyline';
import type { RecordedEvent } from '@dailydesk/event-store';
import { inputOf, rowHash, type AssignedTask, type FolderInput } from './folder-input';
import { classifyInbound, e164Of, numberKey } from './inbound-keywords';
import { dlrKeyOf, type DlrRow, type FolderState, type RowSource, type SrRow, type TrackedMessage } from './folder-state';

export { needsOf, rowHash, type Needs } from './folder-input';

/** A delivery report matches a message sent at most this long before it… */
export const DLR_WINDOW_MS = 48 * 3600_000;
/** …and at most this long after it (gateway and dispatch clocks differ). */
export const DLR_CLOCK_SKEW_MS = 5 * 60_000;

type Schema = { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } };
/** Latest gateway time a UtcInstant can carry (9999-12-31T23:59:59Z): `toISOString` goes to 6-digit years past it. */
const MAX_TS = 253_402_300_799;
const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();
const MAX_ID = 256;

/** Sent time of a message known only from its assignment: after any report, so no DLR window reaches it. */
export const ASSIGNED_ONLY_MS = 8_640_000_000_000_000;

/** A receipt event the folder built from a contract-checked SmsSent and a parser-checked report row. */
type Receipt = SmsTransmitted | SmsTransmissionFailed | SmsDelivered | SmsUndelivered;

/**
 * Folds raw gateway callbacks and dispatch's SmsSent into per-message receipt events (DESIGN principle 4).
 * Pure over {@link FolderState}: the same events on the same state always derive the same events with the same ids.
 *
 * - Status report rows: tid + row index 0 (one recipient per task) → the message of the latest SmsSent with that
 *   tid whose number matches; unknown tids are kept and matched when the SmsSent arrives.
 * - Delivery reports (no tid): among messages sent from the same port to the same number (last 9 digits) that have
 *   no delivery outcome and no failed transmission, sent between 48 h before and 5 min after the report, the oldest
 *   one. SMSCs report per number in submission order, so first-sent is first-reported. Unmatched ones wait.
 * - Per message nothing moves backwards: one transmission outcome and one delivery outcome. A status report that
 *   arrives after the delivery report still records *when* the SMS was transmitted (SmsTransmitted: the projection
 *   fills `transmitted_at` and keeps the higher status); a failed transmission after a delivery outcome contradicts
 *   it and is absorbed (the raw report is kept).
 * - Receipt events are built from a contract-checked SmsSent and parser-checked rows, with times and lengths
 *   bounded here, so they are not validated again; inbound events carry foreign text and are checked.
 */
export class ReceiptFolder {
  /** Derived events in fold order; each id is deterministic (`rcpt:…`), so a replay derives the same ids. */
  readonly derived: EnvelopeBase[] = [];
  /** Rows that matched nothing and were not kept, or derived events the contract refused (counted, never thrown). */
  readonly dropped: string[] = [];

  constructor(private readonly state: FolderState) {}

  /** Folds one stored event (or its already read {@link FolderInput}). */
  apply(input: RecordedEvent | FolderInput): void {
    const rows = 'recorded' in input ? input : inputOf(input);
    const e = rows.recorded.event;
    if (rows.sent) this.onSent(rows.sent, e.id);
    for (const a of rows.assigned) this.onAssigned(a, e.id);
    rows.sr.forEach((s, i) => this.onStatusRow(s.tid, s.row, e.id, i));
    const source = e.type === 'GatewayInboxPulled' ? 'pulled' : 'pushed';
    rows.recv.forEach((row, i) => this.onRecvRow(row, source, e.id, rows.sr.length + i));
  }

  private onSent(sent: SmsSent, causeId: string): void {
    const d = sent.data;
    const existing = this.state.messages.get(d.messageId);
    const m: TrackedMessage = {
      messageId: d.messageId,
      businessId: sent.businessId,
      correlationId: sent.correlationId,
      tid: d.tid,
      port: d.port,
      to: d.to,
      numberKey: numberKey(d.to),
      sentAtMs: Date.parse(d.sentAt),
      tx: existing?.tx ?? 0,
      dlr: existing?.dlr ?? 0,
    };
    this.state.put(m);
    for (const p of this.state.pendingFor((p) => p.kind === 'sr' && p.tid === d.tid)) {
      if (p.kind === 'sr' && this.statusRowMatches(m, p.row)) {
        this.state.resolve(p);
        this.transmit(m, p.row, causeId);
      }
    }
    this.matchDeliveryReports(dlrKeyOf(m.port, m.numberKey), causeId);
  }

  /**
   * A task recorded before its POST. Tracked (unless its SmsSent came first) so that a status report for it maps
   * even when dispatch never learns the POST's outcome; dispatch turns that report into its SmsSent. Until the
   * SmsSent arrives it is never a delivery-report candidate (sent time {@link ASSIGNED_ONLY_MS}): a task that was
   * never sent must not take another text's DLR.
   */
  private onAssigned(a: AssignedTask, causeId: string): void {
    if (this.state.messages.has(a.messageId)) return;
    const m: TrackedMessage = {
      messageId: a.messageId,
      businessId: a.businessId,
      correlationId: a.correlationId,
      tid: a.tid,
      port: a.port,
      to: a.to,
      numberKey: numberKey(a.to),
      sentAtMs: ASSIGNED_ONLY_MS,
      tx: 0,
      dlr: 0,
    };
    this.state.put(m);
    for (const p of this.state.pendingFor((p) => p.kind === 'sr' && p.tid === a.tid)) {
      if (p.kind === 'sr' && this.statusRowMatches(m, p.row)) {
        this.state.resolve(p);
        this.transmit(m, p.row, causeId);
      }
    }
  }

  private statusRowMatches(m: TrackedMessage, row: SrRow): boolean {
    return row.index === 0 && numberKey(row.number) === m.numberKey;
  }

  private onStatusRow(tid: number, row: SrRow, causeId: string, ordinal: number): void {
    const m = this.state.byTaskId(tid);
    if (m && this.statusRowMatches(m, row)) return this.transmit(m, row, causeId);
    this.state.keep({ id: `${causeId}#${ordinal}`, causeId, kind: 'sr', tid, key: null, ts: row.ts, row });
  }

  private transmit(m: TrackedMessage, row: SrRow, causeId: string): void {
    if (m.tx !== 0 || (m.dlr !== 0 && !row.ok)) return;
    const id = `rcpt:tx:${m.messageId}`;
    if (!this.fits(id, row.ts)) return;
    m.tx = row.ok ? 1 : 2;
    this.state.touch(m);
    const base = { messageId: m.messageId, port: m.port, to: m.to, tid: m.tid };
    if (row.ok) {
      this.emit({ ...this.envelope(id, m, causeId, row.ts), type: 'SmsTransmitted', data: { ...base, transmittedAt: iso(row.ts) } });
    } else {
      const reasons: { progressReason?: string; carrierReason?: string } = {};
      if (row.progressReason) reasons.progressReason = row.progressReason.slice(0, 500);
      if (row.carrierReason) reasons.carrierReason = row.carrierReason.slice(0, 500);
      this.emit({ ...this.envelope(id, m, causeId, row.ts), type: 'SmsTransmissionFailed', data: { ...base, failedAt: iso(row.ts), ...reasons } });
    }
  }

  private onRecvRow(row: RecvSmsRow, source: RowSource, causeId: string, ordinal: number): void {
    const hash = rowHash(row);
    if (hash === null || !this.state.markSeen(hash, source, row.kind !== 'delivery-report')) return;
    if (row.kind === 'sms') return this.onInbound(row, causeId, hash);
    if (row.kind !== 'delivery-report') return;
    if (row.outcome !== 'delivered' && row.outcome !== 'failed') return; // still trying / unreadable: audit only
    const dlr: DlrRow = {
      port: row.port,
      recipient: row.recipient,
      ts: row.ts,
      statusCode: row.outcome === 'delivered' ? 0 : Math.min(255, Math.max(1, row.statusCode ?? 255)),
      delivered: row.outcome === 'delivered',
      scts: row.detail.slice(0, 32),
    };
    const key = dlrKeyOf(row.port, numberKey(row.recipient));
    this.state.keep({ id: `${causeId}#${ordinal}`, causeId, kind: 'dlr', tid: null, key, ts: row.ts, row: dlr });
    this.matchDeliveryReports(key, causeId);
  }

  private matchDeliveryReports(key: string, causeId: string): void {
    const reports = this.state.pendingFor((p) => p.kind === 'dlr' && p.key === key);
    if (reports.length === 0) return;
    const candidates = this.state.onPortTo(key).filter((m) => m.dlr === 0 && m.tx !== 2);
    for (const p of reports) {
      if (p.kind !== 'dlr') continue;
      const at = p.ts * 1000;
      const i = candidates.findIndex((m) => m.sentAtMs >= at - DLR_WINDOW_MS && m.sentAtMs <= at + DLR_CLOCK_SKEW_MS);
      if (i < 0) continue;
      const m = candidates[i]!;
      const id = `rcpt:dlr:${m.messageId}`;
      if (!this.fits(id, p.ts)) continue;
      candidates.splice(i, 1);
      this.state.resolve(p);
      m.dlr = p.row.delivered ? 1 : 2;
      this.state.touch(m);
      const data = { messageId: m.messageId, port: m.port, to: m.to, statusCode: p.row.statusCode, reportedAt: iso(p.ts), ...(p.row.scts ? { scts: p.row.scts } : {}) };
      const envelope = this.envelope(id, m, causeId, p.ts);
      if (p.row.delivered) this.emit({ ...envelope, type: 'SmsDelivered', data: { ...data, statusCode: 0 } });
      else this.emit({ ...envelope, type: 'SmsUndelivered', data });
    }
  }

  private onInbound(row: Extract<RecvSmsRow, { kind: 'sms' }>, causeId: string, hash: string): void {
    const key = numberKey(row.from);
    const lastOnPort = this.state.onPortTo(dlrKeyOf(row.port, key)).at(-1);
    const fromE164 = (row.from.trim().startsWith('+') ? e164Of(row.from) : null) ?? this.state.lastTo(key)?.to ?? e164Of(row.from);
    if (!this.fits(`rcpt:mo:${hash}`, row.ts)) return;
    const intent = classifyInbound(row.text);
    const at = iso(row.ts);
    const root = { businessId: null, correlationId: `rcpt:mo:${hash}`, causationId: causeId };
    if (intent.kind !== 'reply' && fromE164) {
      const type = intent.kind === 'opt-out' ? 'CustomerOptedOut' : 'CustomerOptedIn';
      const schema = intent.kind === 'opt-out' ? CustomerOptedOut : CustomerOptedIn;
      const data = { phone: fromE164, keyword: intent.keyword, via: 'sms-reply', at };
      return this.push(schema, { id: `rcpt:${intent.kind}:${hash}`, type, v: 1, occurredAt: at, ...root, data });
    }
    const data = {
      from: row.from.slice(0, 64) || 'unknown',
      fromE164,
      to: row.to.slice(0, 64),
      port: row.port,
      text: row.text.slice(0, 10_000),
      receivedAt: at,
    };
    this.push(InboundSmsReceived, {
      id: `rcpt:mo:${hash}`,
      type: 'InboundSmsReceived',
      v: 1,
      occurredAt: at,
      ...root,
      businessId: lastOnPort?.businessId ?? null,
      data,
    });
  }

  /**
   * What the contract could still refuse in a receipt built here: the id's length (message ids may take all 256
   * characters) and a gateway time beyond what a UtcInstant can say. Such a row is dropped (counted) and stays in
   * the raw audit; the message's state is left untouched, so nothing moves.
   */
  private fits(id: string, ts: number): boolean {
    if (id.length <= MAX_ID && Number.isInteger(ts) && ts >= 0 && ts <= MAX_TS) return true;
    this.dropped.push(`${id.slice(0, 64)}: ${id.length > MAX_ID ? 'id longer than 256 characters' : `gateway time ${ts} out of range`}`);
    return false;
  }

  private envelope(id: string, m: TrackedMessage, causeId: string, ts: number) {
    return { id, v: 1 as const, occurredAt: iso(ts), businessId: m.businessId, correlationId: m.correlationId, causationId: causeId };
  }

  private emit(event: Receipt): void {
    this.derived.push(event);
  }

  private push(schema: Schema, event: EnvelopeBase): void {
    const r = schema.safeParse(event);
    if (!r.success) {
      this.dropped.push(`${event.type} ${event.id}: ${(r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    this.derived.push(event);
  }
}
