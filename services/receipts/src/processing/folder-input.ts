import { createHash } from 'node:crypto';
import type { SmsSent, SmsTasksAssigned } from '@dailydesk/contracts';
import type { RecordedEvent } from '@dailydesk/event-store';
import { parseGatewayCallback, type GatewayCallback, type RecvSmsRow } from '@dailydesk/skyline';
import { SMS_LIFECYCLE_OBSERVED, type SmsLifecycleObservedData } from '../lifecycle/lifecycle.events';
import type { GatewayCallbackReceived, GatewayInboxPulled } from '../webhook/webhook.events';
import type { SrRow } from './folder-state';
import { numberKey } from './inbound-keywords';

/** What one stored event brings to the folder: read once per batch, used for the lookups and for the fold. */
export interface FolderInput {
  readonly recorded: RecordedEvent;
  readonly sr: Array<{ tid: number; row: SrRow }>;
  readonly recv: RecvSmsRow[];
  readonly sent: SmsSent | null;
  /** Tasks of a POST (dispatch's SmsTasksAssigned) that name their recipient and business. */
  readonly assigned: AssignedTask[];
}

/** A task dispatch recorded before its POST: enough to map its status reports before (or without) an SmsSent. */
export interface AssignedTask {
  readonly messageId: string;
  readonly tid: number;
  readonly port: string;
  readonly to: string;
  readonly businessId: string;
  readonly correlationId: string;
}

function assignedTasks(m: SmsTasksAssigned): AssignedTask[] {
  const out: AssignedTask[] = [];
  for (const t of m.data.tasks) {
    if (t.to && t.businessId && t.correlationId) out.push({ messageId: t.messageId, tid: t.tid, port: t.port, to: t.to, businessId: t.businessId, correlationId: t.correlationId });
  }
  return out;
}

/** What a batch needs loaded before folding: tids, numbers and inbound row hashes it mentions. */
export interface Needs {
  tids: Set<number>;
  numberKeys: Set<string>;
  rowHashes: Set<string>;
}

/**
 * A parse the webhook already made of a stored callback (`cb:<sha256 of the bytes>`), or undefined. The id is the
 * hash of the very bytes that were parsed, and parsing is deterministic, so a handed-over parse equals a fresh one.
 */
export type ParsedLookup = (eventId: string) => GatewayCallback | undefined;

/** Reads the rows a stored event carries; a raw callback is parsed only when the webhook's parse is not at hand. */
export function inputOf(recorded: RecordedEvent, parsed?: ParsedLookup): FolderInput {
  const e = recorded.event;
  const out: FolderInput = { recorded, sr: [], recv: [], sent: null, assigned: [] };
  if (e.type === SMS_LIFECYCLE_OBSERVED) {
    const m = (e.data as SmsLifecycleObservedData).message;
    if (m.type === 'SmsTasksAssigned') return { ...out, assigned: assignedTasks(m) };
    return m.type === 'SmsSent' ? { ...out, sent: m } : out;
  }
  if (e.type === 'GatewayInboxPulled') return { ...out, recv: (e.data as GatewayInboxPulled).rows as RecvSmsRow[] };
  if (e.type !== 'GatewayCallbackReceived') return out;
  const cb = parsed?.(e.id) ?? parseGatewayCallback((e.data as GatewayCallbackReceived).body);
  if (cb.kind === 'recv-sms') return { ...out, recv: cb.recvSms.rows };
  if (cb.kind !== 'status-report') return out;
  for (const r of cb.report.rpts) {
    for (const s of r.sdr) out.sr.push({ tid: r.tid, row: { ok: true, index: s.index, number: s.number, port: s.port, ts: s.ts } });
    for (const f of r.fdr) {
      out.sr.push({
        tid: r.tid,
        row: { ok: false, index: f.index, number: f.number, port: f.port, ts: f.ts, progressReason: f.progressReason, carrierReason: f.carrierReason },
      });
    }
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
export function needsOf(inputs: FolderInput[]): Needs {
  const needs: Needs = { tids: new Set(), numberKeys: new Set(), rowHashes: new Set() };
  for (const r of inputs) {
    if (r.sent) {
      needs.tids.add(r.sent.data.tid);
      needs.numberKeys.add(numberKey(r.sent.data.to));
    }
    for (const a of r.assigned) {
      needs.tids.add(a.tid);
      needs.numberKeys.add(numberKey(a.to));
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
