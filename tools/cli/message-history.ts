import { topology } from '@dailydesk/contracts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CliConfig } from './cli-config';
import { describe } from './cli-errors';
import { readStream, type Bus } from './nats-access';
import { callService } from './service-http';

/** One public event about a message, as stored on NATS. */
export interface HistoryEvent {
  stream: string;
  seq: number;
  type: string;
  occurredAt: string;
  businessId: string | null;
  data: Record<string, unknown>;
}

/** Everything known about one message: its events on the SMS and RECEIPTS streams and receipts' projection row. */
export interface MessageHistory {
  messageId: string;
  /** The number as the request or the dispatcher wrote it (unmasked: mask before printing). */
  phone: string | null;
  events: HistoryEvent[];
  row: Record<string, unknown> | null;
}

/** E.164 of a number as typed, read with `region` when it has no country code; null when it is not a number. */
export function normalisePhone(phone: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(phone, region as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** The phone a message event names: SendSms' recipient (normalised with its region) or SmsSent's `to`. */
function phoneOf(e: HistoryEvent): string | null {
  if (e.type === 'SendSms') {
    const r = e.data['recipient'] as { phone?: string; defaultRegion?: string } | undefined;
    return r?.phone ? (normalisePhone(r.phone, r.defaultRegion ?? 'DE') ?? r.phone) : null;
  }
  return typeof e.data['to'] === 'string' ? (e.data['to'] as string) : null;
}

/**
 * Reads the namespace's SMS and RECEIPTS streams (from `since`, else all they keep) and groups the events that
 * carry a `messageId` by it. Receipts keeps no full numbers, so only NATS can answer "which texts went to +49…".
 */
export async function scanMessages(bus: Bus, namespace: string, since?: Date): Promise<Map<string, MessageHistory>> {
  const t = topology(namespace);
  const byId = new Map<string, MessageHistory>();
  // Stream names are the contracts' ones under the namespace's prefix (DEAD_LETTER → NS_DEAD_LETTER).
  const prefix = t.deadLetterStream.name.replace(/DEAD_LETTER$/, '');
  for (const stream of [`${prefix}SMS`, `${prefix}RECEIPTS`].map((name) => t.streams.find((s) => s.name === name))) {
    if (!stream) continue;
    const opts = since ? { startTime: since } : {};
    for await (const m of readStream(bus, stream.name, opts)) {
      let env: { type?: string; occurredAt?: string; businessId?: string | null; data?: Record<string, unknown> };
      try {
        env = JSON.parse(new TextDecoder().decode(m.data)) as typeof env;
      } catch {
        continue;
      }
      const id = env.data?.['messageId'];
      if (typeof id !== 'string' || !env.type) continue;
      const e: HistoryEvent = { stream: stream.name, seq: m.seq, type: env.type, occurredAt: env.occurredAt ?? '', businessId: env.businessId ?? null, data: env.data ?? {} };
      const h = byId.get(id) ?? { messageId: id, phone: null, events: [], row: null };
      h.events.push(e);
      h.phone ??= phoneOf(e);
      byId.set(id, h);
    }
  }
  for (const h of byId.values()) h.events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return byId;
}

/**
 * Receipts' projection rows of these messages. The analyst API has no message-id filter, so this pages through
 * `GET /receipts/messages` (10,000 rows a page, narrowed by business when known) and keeps the wanted ids.
 * Returns a warning instead of rows when receipts does not answer.
 */
export async function receiptRows(config: CliConfig, ids: ReadonlySet<string>, businessId?: string, maxPages = 20): Promise<{ rows: Map<string, Record<string, unknown>>; warning: string | null }> {
  const rows = new Map<string, Record<string, unknown>>();
  let offset: number | null = 0;
  try {
    for (let page = 0; offset !== null && page < maxPages && rows.size < ids.size; page++) {
      const q = new URLSearchParams({ limit: '10000', offset: String(offset) });
      if (businessId) q.set('businessId', businessId);
      const res: { items: Array<Record<string, unknown>>; nextOffset: number | null } = await callService(config, 'receipts', `/receipts/messages?${q}`);
      for (const r of res.items) if (ids.has(String(r['message_id']))) rows.set(String(r['message_id']), r);
      offset = res.nextOffset;
    }
  } catch (err) {
    return { rows, warning: `receipts' view is missing: ${describe(err)}` };
  }
  return { rows, warning: offset !== null && rows.size < ids.size ? `receipts searched in its newest ${maxPages * 10_000} rows only` : null };
}
