import type { CliConfig } from './cli-config';
import { CliError, UsageError } from './cli-errors';
import { normalisePhone, receiptRows, scanMessages, type HistoryEvent, type MessageHistory } from './message-history';
import { withBus } from './nats-access';
import { phoneView, table, type Io } from './output';

/** Options shared by `message show` and `message find`. */
export interface MessageViewOptions {
  unmask?: boolean;
  json?: boolean;
  since?: string;
}

function sinceOf(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel) return new Date(Date.now() - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd']);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since "${value}" is neither an ISO instant nor a duration like 30m, 12h, 7d`);
  return new Date(t);
}

/** What a history event says, in one line, with phones masked unless `unmask`. */
function eventLine(e: HistoryEvent, unmask: boolean): string {
  const d = e.data;
  const bits: string[] = [];
  if (e.type === 'SendSms') {
    const r = d['recipient'] as { phone?: string; defaultRegion?: string } | undefined;
    bits.push(`to ${phoneView(r?.phone, unmask)} (${r?.defaultRegion ?? '?'})`, `purpose ${String(d['purpose'])}`, `${String(d['text'] ?? '').length} chars`);
    if (unmask) bits.push(`text ${JSON.stringify(d['text'])}`);
  }
  if (typeof d['to'] === 'string') bits.push(`to ${phoneView(d['to'], unmask)}`);
  for (const k of ['tid', 'port', 'segments', 'encoding', 'reason', 'vendorCode', 'attempts', 'statusCode', 'detail']) {
    if (d[k] !== undefined) bits.push(`${k} ${String(d[k])}`);
  }
  return `  ${e.occurredAt.padEnd(24)}  ${e.type.padEnd(22)}  ${`${e.stream} #${e.seq}`.padEnd(18)}  ${bits.join(', ')}`;
}

function masked(h: MessageHistory, unmask: boolean): unknown {
  if (unmask) return h;
  const mask = (e: HistoryEvent): HistoryEvent => {
    const data = { ...e.data };
    if (data['recipient']) data['recipient'] = { ...(data['recipient'] as object), phone: phoneView((data['recipient'] as { phone?: string }).phone, false) };
    if (typeof data['to'] === 'string') data['to'] = phoneView(data['to'], false);
    if (typeof data['from'] === 'string') data['from'] = phoneView(data['from'], false);
    if (typeof data['text'] === 'string') data['text'] = `(${(data['text'] as string).length} chars; --unmask shows it)`;
    return { ...e, data };
  };
  return { ...h, phone: phoneView(h.phone, false), events: h.events.map(mask) };
}

function print(io: Io, h: MessageHistory, unmask: boolean): void {
  const r = h.row;
  const first = h.events[0];
  io.out(`Message ${h.messageId}`);
  io.out(table([
    ['business', r?.['business_id'] ?? first?.businessId],
    ['recipient', h.phone ? phoneView(h.phone, unmask) : (r?.['recipient_masked'] as string | undefined)],
    ['purpose', r?.['purpose'] ?? first?.data['purpose']],
    ['status (receipts)', r ? `${String(r['status'])}${r['failure_reason'] ? ` — ${String(r['failure_reason'])}` : ''}` : 'no row in receipts\' view'],
    ...(r ? (['requested_at', 'sent_at', 'transmitted_at', 'delivered_at', 'undelivered_at', 'failed_at', 'suppressed_at'] as const).filter((k) => r[k]).map((k) => [k.replace('_at', ''), r[k]] as const) : []),
  ]).join('\n'));
  io.out(h.events.length ? `  events on NATS:` : '  no events on NATS (older than the streams keep, or before --since)');
  for (const e of h.events) io.out(eventLine(e, unmask));
}

async function collect(config: CliConfig, io: Io, opts: MessageViewOptions, select: (all: Map<string, MessageHistory>) => MessageHistory[], businessId?: string): Promise<MessageHistory[]> {
  const all = await withBus(config, (bus) => scanMessages(bus, config.natsNamespace, sinceOf(opts.since)));
  const found = select(all);
  const { rows, warning } = await receiptRows(config, new Set(found.map((h) => h.messageId)), businessId);
  if (warning) io.err(`warning: ${warning}`);
  for (const h of found) h.row = rows.get(h.messageId) ?? null;
  return found;
}

/** `message show <messageId>`: its NATS events and receipts' row. */
export async function messageShow(config: CliConfig, io: Io, messageId: string, opts: MessageViewOptions): Promise<void> {
  const found = await collect(config, io, opts, (all) => [all.get(messageId) ?? { messageId, phone: null, events: [], row: null }]);
  const h = found[0]!;
  if (h.events.length === 0 && !h.row) throw new CliError(`no message ${messageId}: neither the NATS streams of namespace "${config.natsNamespace}" nor receipts know it`);
  if (opts.json) return io.out(JSON.stringify(masked(h, Boolean(opts.unmask)), null, 2));
  print(io, h, Boolean(opts.unmask));
}

/** `message find --phone <number>`: every message to that number (matched as E.164). */
export async function messageFind(config: CliConfig, io: Io, opts: MessageViewOptions & { phone: string; region: string }): Promise<void> {
  const wanted = normalisePhone(opts.phone, opts.region);
  if (!wanted) throw new UsageError(`--phone: "${phoneView(opts.phone, false)}" is not a phone number (region ${opts.region}; write it with +country code or pass --region)`);
  const found = await collect(config, io, opts, (all) => [...all.values()].filter((h) => h.phone === wanted));
  if (opts.json) return io.out(JSON.stringify(found.map((h) => masked(h, Boolean(opts.unmask))), null, 2));
  if (found.length === 0) return io.out(`No messages to ${phoneView(wanted, Boolean(opts.unmask))} on the NATS streams of namespace "${config.natsNamespace}".`);
  for (const h of found) {
    print(io, h, Boolean(opts.unmask));
    io.out();
  }
  io.out(`${found.length} message(s) to ${phoneView(wanted, Boolean(opts.unmask))}.`);
}
