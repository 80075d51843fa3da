import { createHash } from 'node:crypto';
import {
  CustomerOptedIn,
  CustomerOptedOut,
  InboundSmsReceived,
  SmsDelivered,
  SmsTransmissionFailed,
  SmsTransmitted,
  SmsUndelivered,
  type EnvelopeBase,
  type SmsSent,
} from '@dailydesk/contracts';
import { parseGatewayCallback, type RecvSmsRow } from '@dailydesk/skyline';
import type { RecordedEvent } from '@dailydesk/event-store';
import { SMS_LIFECYCLE_OBSERVED, type SmsLifecycleObservedData } from '../lifecycle/lifecycle.events';
import type { GatewayCallbackReceived, GatewayInboxPulled } from '../webhook/webhook.events';
import { classifyInbound, e164Of, numberKey } from './inbound-keywords';
import { dlrKeyOf, type DlrRow, type FolderState, type SrRow, type TrackedMessage } from './folder-state';

/** A delivery report matches a message sent at most this long before it… */
export const DLR_WINDOW_MS = 48 * 3600_000;
/** …and at most this long after it (gateway and dispatch clocks differ). */
export const DLR_CLOCK_SKEW_MS = 5 * 60_000;

/** An event the folder derived, with the stream it goes to (`derived-<cause id>`: a replay appends the same ids there). */
export interface Derived {
  streamId: string;
  event: EnvelopeBase;
}

/** What a batch needs loaded before folding: tids, numbers, message ids and row hashes it mentions. */
export interface Needs {
  tids: Set<number>;
  numberKeys: Set<string>;
  rowHashes: Set<string>;
}

type Schema = { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } };
const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** Reads the rows a stored event carries (parsing the raw callback again is deterministic). */
export function rowsOf(e: EnvelopeBase): { sr: Array<{ tid: number; row: SrRow }>; recv: RecvSmsRow[]; sent: SmsSent | null } {
  const out = { sr: [] as Array<{ tid: number; row: SrRow }>, recv: [] as RecvSmsRow[], sent: null as SmsSent | null };
  if (e.type === SMS_LIFECYCLE_OBSERVED) {
    const m = (e.data as SmsLifecycleObservedData).message;
    if (m.type === 'SmsSent') out.sent = m;
  } else if (e.type === 'GatewayCallbackReceived') {
    const cb = parseGatewayCallback((e.data as GatewayCallbackReceived).body);
    if (cb.kind === 'status-report') {
      for (const r of cb.report.rpts) {
        for (const s of r.sdr) out.sr.push({ tid: r.tid, row: { ok: true, index: s.index, number: s.number, port: s.port, ts: s.ts } });
        for (const f of r.fdr) {
          out.sr.push({
            tid: r.tid,
            row: { ok: false, index: f.index, number: f.number, port: f.port, ts: f.ts, progressReason: f.progressReason, carrierReason: f.carrierReason },
          });
        }
      }
    } else if (cb.kind === 'recv-sms') out.recv = cb.recvSms.rows;
  } else if (e.type === 'GatewayInboxPulled') {
    out.recv = (e.data as GatewayInboxPulled).rows as RecvSmsRow[];
  }
  return out;
}

/** Identity of an inbound row, the same whether it was pushed or pulled. */
export function rowHash(row: RecvSmsRow): string | null {
  if (row.kind === 'invalid') return null;
  const parts = row.kind === 'sms' ? ['mo', row.port, row.ts, row.from, row.text] : ['dlr', row.port, row.ts, row.recipient, row.content];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Everything a batch will look up. */
export function needsOf(events: RecordedEvent[]): Needs {
  const needs: Needs = { tids: new Set(), numberKeys: new Set(), rowHashes: new Set() };
  for (const { event } of events) {
    const r = rowsOf(event);
    if (r.sent) {
      needs.tids.add(r.sent.data.tid);
      needs.numberKeys.add(numberKey(r.sent.data.to));
    }
    for (const s of r.sr) needs.tids.add(s.tid);
    for (const row of r.recv) {
      const h = rowHash(row);
      if (h) needs.rowHashes.add(h);
      if (row.kind === 'sms') needs.numberKeys.add(numberKey(row.from));
      if (row.kind === 'delivery-report') needs.numberKeys.add(numberKey(row.recipient));
    }
  }
  return needs;
}

/**
 * Folds raw gateway callbacks and dispatch's SmsSent into per-message receipt events (DESIGN principle 4).
 * Pure over {@link FolderState}: the same events on the same state always derive the same events with the same ids.
 *
 * - Status report rows: tid + row index 0 (one recipient per task) → the message of the latest SmsSent with that
 *   tid whose number matches; unknown tids are kept and matched when the SmsSent arrives.
 * - Delivery reports (no tid): among messages sent from the same port to the same number (last 9 digits) that have
 *   no delivery outcome and no failed transmission, sent between 48 h before and 5 min after the report, the oldest
 *   one. SMSCs report per number in submission order, so first-sent is first-reported. Unmatched ones wait.
 * - Per message nothing moves backwards: one transmission outcome, one delivery outcome, and no transmission
 *   outcome after a delivery outcome (a late status report is absorbed).
 */
export class ReceiptFolder {
  readonly derived: Derived[] = [];
  /** Rows that matched nothing and were not kept, or derived events the contract refused (counted, never thrown). */
  readonly dropped: string[] = [];

  constructor(private readonly state: FolderState) {}

  apply(recorded: RecordedEvent): void {
    const e = recorded.event;
    const rows = rowsOf(e);
    if (rows.sent) this.onSent(rows.sent, e.id);
    rows.sr.forEach((s, i) => this.onStatusRow(s.tid, s.row, e.id, i));
    rows.recv.forEach((row, i) => this.onRecvRow(row, e.id, rows.sr.length + i));
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

  private statusRowMatches(m: TrackedMessage, row: SrRow): boolean {
    return row.index === 0 && numberKey(row.number) === m.numberKey;
  }

  private onStatusRow(tid: number, row: SrRow, causeId: string, ordinal: number): void {
    const m = this.state.byTaskId(tid);
    if (m && this.statusRowMatches(m, row)) return this.transmit(m, row, causeId);
    this.state.keep({ id: `${causeId}#${ordinal}`, causeId, kind: 'sr', tid, key: null, ts: row.ts, row });
  }

  private transmit(m: TrackedMessage, row: SrRow, causeId: string): void {
    if (m.tx !== 0 || m.dlr !== 0) return;
    m.tx = row.ok ? 1 : 2;
    this.state.touch(m);
    const base = { messageId: m.messageId, port: m.port, to: m.to, tid: m.tid };
    if (row.ok) {
      this.emit(SmsTransmitted, `rcpt:tx:${m.messageId}`, 'SmsTransmitted', m, causeId, row.ts, { ...base, transmittedAt: iso(row.ts) });
    } else {
      const reasons: Record<string, string> = {};
      if (row.progressReason) reasons['progressReason'] = row.progressReason.slice(0, 500);
      if (row.carrierReason) reasons['carrierReason'] = row.carrierReason.slice(0, 500);
      this.emit(SmsTransmissionFailed, `rcpt:tx:${m.messageId}`, 'SmsTransmissionFailed', m, causeId, row.ts, { ...base, failedAt: iso(row.ts), ...reasons });
    }
  }

  private onRecvRow(row: RecvSmsRow, causeId: string, ordinal: number): void {
    const hash = rowHash(row);
    if (hash === null || !this.state.markSeen(hash)) return;
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
      const m = candidates.splice(i, 1)[0]!;
      this.state.resolve(p);
      m.dlr = p.row.delivered ? 1 : 2;
      this.state.touch(m);
      const data = { messageId: m.messageId, port: m.port, to: m.to, statusCode: p.row.statusCode, reportedAt: iso(p.ts), ...(p.row.scts ? { scts: p.row.scts } : {}) };
      if (p.row.delivered) this.emit(SmsDelivered, `rcpt:dlr:${m.messageId}`, 'SmsDelivered', m, causeId, p.ts, data);
      else this.emit(SmsUndelivered, `rcpt:dlr:${m.messageId}`, 'SmsUndelivered', m, causeId, p.ts, data);
    }
  }

  private onInbound(row: Extract<RecvSmsRow, { kind: 'sms' }>, causeId: string, hash: string): void {
    const key = numberKey(row.from);
    const lastOnPort = this.state.onPortTo(dlrKeyOf(row.port, key)).at(-1);
    const fromE164 = (row.from.trim().startsWith('+') ? e164Of(row.from) : null) ?? this.state.lastTo(key)?.to ?? e164Of(row.from);
    const intent = classifyInbound(row.text);
    const at = iso(row.ts);
    const root = { businessId: null, correlationId: `rcpt:mo:${hash}`, causationId: causeId };
    if (intent.kind !== 'reply' && fromE164) {
      const type = intent.kind === 'opt-out' ? 'CustomerOptedOut' : 'CustomerOptedIn';
      const schema = intent.kind === 'opt-out' ? CustomerOptedOut : CustomerOptedIn;
      const data = { phone: fromE164, keyword: intent.keyword, via: 'sms-reply', at };
      return this.push(schema, causeId, { id: `rcpt:${intent.kind}:${hash}`, type, v: 1, occurredAt: at, ...root, data });
    }
    const data = {
      from: row.from.slice(0, 64) || 'unknown',
      fromE164,
      to: row.to.slice(0, 64),
      port: row.port,
      text: row.text.slice(0, 10_000),
      receivedAt: at,
    };
    this.push(InboundSmsReceived, causeId, {
      id: `rcpt:mo:${hash}`,
      type: 'InboundSmsReceived',
      v: 1,
      occurredAt: at,
      ...root,
      businessId: lastOnPort?.businessId ?? null,
      data,
    });
  }

  private emit(schema: Schema, id: string, type: string, m: TrackedMessage, causeId: string, ts: number, data: unknown): void {
    this.push(schema, causeId, { id, type, v: 1, occurredAt: iso(ts), businessId: m.businessId, correlationId: m.correlationId, causationId: causeId, data });
  }

  private push(schema: Schema, causeId: string, event: EnvelopeBase): void {
    const r = schema.safeParse(event);
    if (!r.success) {
      this.dropped.push(`${event.type} ${event.id}: ${(r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    this.derived.push({ streamId: `derived-${causeId}`, event });
  }
}
