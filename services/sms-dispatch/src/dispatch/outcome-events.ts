import type { EnvelopeBase, SmsFailed, SmsSuppressed } from '@dailydesk/contracts';
import { eventIdOf } from './store-writes';

/** A waiting message as the dispatcher reads it from the queue table. */
export interface QueueRow {
  message_id: string;
  business_id: string | null;
  correlation_id: string;
  intake_event_id: string;
  lane: number;
  /** Global position of its SmsQueued (bigint, as text from pg). */
  position: string | number;
  to_e164: string;
  body: string | null;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  purpose: SmsFailed['data']['purpose'];
  refs: SmsFailed['data']['refs'];
  not_before: Date | null;
  expires_at: Date | null;
  state: 'queued' | 'assigned';
  tid: number | null;
  port: string | null;
  attempt: number;
  opted_out: boolean | null;
  sticky_port: string | null;
}

const envelope = (row: QueueRow, kind: string, type: string, now: string, data: unknown): EnvelopeBase => ({
  id: eventIdOf(kind, row.message_id),
  type,
  v: 1,
  occurredAt: now,
  businessId: row.business_id,
  correlationId: row.correlation_id,
  causationId: row.intake_event_id,
  data,
});

const base = (row: QueueRow) => ({ messageId: row.message_id, purpose: row.purpose, refs: row.refs });

export const smsSent = (row: QueueRow, tid: number, port: string, now: string) =>
  envelope(row, 'outcome', 'SmsSent', now, { ...base(row), tid, port, to: row.to_e164, segments: row.segments, encoding: row.encoding, sentAt: now });

export const smsFailed = (row: QueueRow, now: string, f: { reason: SmsFailed['data']['reason']; vendorCode?: number; detail?: string; attempts: number }) =>
  envelope(row, 'outcome', 'SmsFailed', now, {
    ...base(row),
    reason: f.reason,
    ...(f.vendorCode !== undefined && { vendorCode: f.vendorCode }),
    ...(f.detail && { detail: f.detail.slice(0, 500) }),
    attempts: Math.max(1, f.attempts),
    failedAt: now,
  });

export const smsSuppressed = (row: QueueRow, now: string, reason: SmsSuppressed['data']['reason'], detail: string) =>
  envelope(row, 'outcome', 'SmsSuppressed', now, { ...base(row), reason, detail, suppressedAt: now });

export const taskAssigned = (row: QueueRow, tid: number, port: string, attempt: number, now: string) =>
  envelope(row, `tid:${tid}`, 'SmsTaskAssigned', now, { messageId: row.message_id, tid, port, attempt, assignedAt: now });
