import type { EnvelopeBase, SmsFailed, SmsSuppressed } from '@dailydesk/contracts';
import { SMS_TASKS_ASSIGNED, type SmsTasksAssignedData } from '../intake/intake.events';
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

// One per text on the hot path: a plain literal (a spread builds the object key by key).
export const smsSent = (row: QueueRow, tid: number, port: string, now: string) =>
  envelope(row, 'outcome', 'SmsSent', now, {
    messageId: row.message_id,
    purpose: row.purpose,
    refs: row.refs,
    tid,
    port,
    to: row.to_e164,
    segments: row.segments,
    encoding: row.encoding,
    sentAt: now,
  });

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

/**
 * One POST's assignments as one private event. Its id names the first task (message and its fresh tid): unique
 * while tids do not cycle, and a repeat is refused by the store rather than silently dropped (see Dispatcher.assign).
 */
export const tasksAssigned = (jobs: ReadonlyArray<{ row: QueueRow; tid: number; port: string; attempt: number }>, now: string): EnvelopeBase => {
  const first = jobs[0]!;
  const id = eventIdOf(`tasks:${first.tid}:${jobs.length}`, first.row.message_id);
  const data: SmsTasksAssignedData = { tasks: jobs.map((j) => ({
      messageId: j.row.message_id,
      tid: j.tid,
      port: j.port,
      attempt: j.attempt,
      to: j.row.to_e164,
      businessId: j.row.business_id,
      correlationId: j.row.correlation_id,
    })),
    assignedAt: now,
  };
  return { id, type: SMS_TASKS_ASSIGNED, v: 1, occurredAt: now, businessId: null, correlationId: id, causationId: null, data };
};
