import type { EnvelopeBase } from '@dailydesk/contracts';
import { maskPhone } from '@dailydesk/observability';
import { SMS_LIFECYCLE_OBSERVED, type SmsLifecycleObservedData } from '../lifecycle/lifecycle.events';

/** One message's row of the read model (timestamps ISO, null until that step happened). */
export interface MessageRow {
  message_id: string;
  business_id: string | null;
  purpose: string | null;
  campaign_id: string | null;
  campaign_run_id: string | null;
  appointment_id: string | null;
  customer_id: string | null;
  recipient_masked: string | null;
  status: string;
  status_rank: number;
  requested_at: string | null;
  sent_at: string | null;
  transmitted_at: string | null;
  delivered_at: string | null;
  undelivered_at: string | null;
  failed_at: string | null;
  suppressed_at: string | null;
  segments: number | null;
  port: string | null;
  tid: number | null;
  failure_reason: string | null;
}

/** Every column a later event may fill; first value wins (steps happen once). */
export const FIRST_WINS = [
  'business_id', 'purpose', 'campaign_id', 'campaign_run_id', 'appointment_id', 'customer_id', 'recipient_masked',
  'requested_at', 'sent_at', 'transmitted_at', 'delivered_at', 'undelivered_at', 'failed_at', 'suppressed_at',
  'segments', 'port', 'tid',
] as const satisfies ReadonlyArray<keyof MessageRow>;

/** Status ranks: a message never goes back to a lower one (DESIGN principle 4). Ties: the first status stays. */
export const RANK: Record<string, number> = {
  requested: 0, sent: 1, failed: 1, suppressed: 1, transmitted: 2, 'transmission-failed': 2, delivered: 3, undelivered: 3,
};

const empty = (id: string): MessageRow => ({
  message_id: id, business_id: null, purpose: null, campaign_id: null, campaign_run_id: null, appointment_id: null,
  customer_id: null, recipient_masked: null, status: 'requested', status_rank: -1, requested_at: null, sent_at: null,
  transmitted_at: null, delivered_at: null, undelivered_at: null, failed_at: null, suppressed_at: null, segments: null,
  port: null, tid: null, failure_reason: null,
});

/** Merges a later patch into a row; mirrored by the SQL upsert so batches and rebuilds agree. */
export function mergeRow(a: MessageRow, b: MessageRow): MessageRow {
  const out = { ...a } as Record<string, unknown>;
  for (const k of FIRST_WINS) out[k] = a[k] ?? b[k];
  const higher = b.status_rank > a.status_rank;
  out['status'] = higher ? b.status : a.status;
  out['status_rank'] = Math.max(a.status_rank, b.status_rank);
  out['failure_reason'] = higher ? (b.failure_reason ?? a.failure_reason) : (a.failure_reason ?? b.failure_reason);
  return out as unknown as MessageRow;
}

interface Refs { appointmentId?: string; campaignId?: string; campaignRunId?: string; customerId?: string }
const refs = (r: Refs | undefined) => ({
  campaign_id: r?.campaignId ?? null, campaign_run_id: r?.campaignRunId ?? null, appointment_id: r?.appointmentId ?? null, customer_id: r?.customerId ?? null,
});
const at = (iso: string) => new Date(iso).toISOString();

/** The patch one stored event makes to a message row, or null when it is not about a message. */
export function messagePatch(e: EnvelopeBase): MessageRow | null {
  const msg = e.type === SMS_LIFECYCLE_OBSERVED ? (e.data as SmsLifecycleObservedData).message : e;
  const d = msg.data as Record<string, unknown> & { messageId?: string };
  if (typeof d?.messageId !== 'string') return null;
  const row = empty(d.messageId);
  const set = (status: string, patch: Partial<MessageRow>) => Object.assign(row, { status, status_rank: RANK[status] ?? 0, business_id: msg.businessId }, patch);
  switch (msg.type) {
    case 'SendSms': {
      const phone = (d['recipient'] as { phone: string }).phone;
      return set('requested', { purpose: d['purpose'] as string, ...refs(d['refs'] as Refs), recipient_masked: maskPhone(phone), requested_at: at(msg.occurredAt) });
    }
    case 'SmsSent':
      return set('sent', {
        purpose: d['purpose'] as string, ...refs(d['refs'] as Refs), recipient_masked: maskPhone(d['to'] as string), sent_at: at(d['sentAt'] as string),
        segments: d['segments'] as number, port: d['port'] as string, tid: d['tid'] as number,
      });
    case 'SmsFailed':
      return set('failed', { purpose: d['purpose'] as string, ...refs(d['refs'] as Refs), failed_at: at(d['failedAt'] as string), failure_reason: reasonOf(d['reason'], d['vendorCode'], d['detail']) });
    case 'SmsSuppressed':
      return set('suppressed', { purpose: d['purpose'] as string, ...refs(d['refs'] as Refs), suppressed_at: at(d['suppressedAt'] as string), failure_reason: `suppressed: ${String(d['reason'])}` });
    case 'SmsTransmitted':
      return set('transmitted', { transmitted_at: at(d['transmittedAt'] as string), port: d['port'] as string, tid: d['tid'] as number });
    case 'SmsTransmissionFailed':
      return set('transmission-failed', {
        failed_at: at(d['failedAt'] as string), port: d['port'] as string, tid: d['tid'] as number,
        failure_reason: reasonOf('transmission-failed', undefined, [d['progressReason'], d['carrierReason']].filter(Boolean).join(' / ') || undefined),
      });
    case 'SmsDelivered':
      return set('delivered', { delivered_at: at(d['reportedAt'] as string) });
    case 'SmsUndelivered':
      return set('undelivered', { undelivered_at: at(d['reportedAt'] as string), failure_reason: `undelivered: status ${String(d['statusCode'])}` });
    default:
      return null;
  }
}

function reasonOf(reason: unknown, vendorCode: unknown, detail: unknown): string {
  return [String(reason), vendorCode !== undefined ? `code ${String(vendorCode)}` : null, typeof detail === 'string' ? detail.slice(0, 200) : null].filter(Boolean).join(': ');
}
