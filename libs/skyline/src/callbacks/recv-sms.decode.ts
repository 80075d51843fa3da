import { z } from 'zod';
import { intish, portish, textish } from './wire-types';

/** Header block some firmware prepends inside the base64 text (`Sender:`, `Receiver:`, `SMSC:`, `SCTS:`, `Slot:`). */
export interface SmsHeaderBlock {
  sender?: string;
  receiver?: string;
  smsc?: string;
  scts?: string;
  slot?: string;
  /** Every header line as read, keys lower-cased. */
  all: Record<string, string>;
}

/** Delivery-report outcome from the leading code (TP-Status ranges: 0–31 done, 32–63 still trying, else failed). */
export type DeliveryOutcome = 'delivered' | 'pending' | 'failed' | 'unknown';

/** A decoded row of `recv-sms` / goip_get_sms `data`. Rows are never dropped: bad ones come back as `invalid`. */
export type RecvSmsRow =
  | {
      kind: 'sms';
      port: string;
      /** Epoch seconds when the device received it. */
      ts: number;
      from: string;
      to: string;
      /** The message text (header block removed). */
      text: string;
      /** `plain` when the content was not valid base64 of UTF-8 text and is passed through as is. */
      encoding: 'base64' | 'plain';
      headers: SmsHeaderBlock | null;
      /** Elements after the sixth (e.g. iccid, imsi on 9-element firmware). */
      extra: unknown[];
    }
  | {
      kind: 'delivery-report';
      port: string;
      ts: number;
      /** Row `[3]`: the SMSC. */
      smsc: string;
      /** Row `[4]`: the recipient of the original outbound SMS. */
      recipient: string;
      statusCode: number | null;
      outcome: DeliveryOutcome;
      /** What follows the code: an SCTS on most firmware, a number on some. */
      detail: string;
      content: string;
      extra: unknown[];
    }
  | { kind: 'invalid'; issue: string; raw: unknown };

const rowSchema = z.tuple([intish, portish, intish, textish, z.union([textish, z.null()]), textish], z.unknown());

/** Decodes one positional row; never throws. */
export function decodeRecvSmsRow(raw: unknown): RecvSmsRow {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) {
    return { kind: 'invalid', issue: parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; '), raw };
  }
  const [flag, port, ts, from, to, content, ...extra] = parsed.data;
  if (flag === 1) {
    const m = /^\s*(-?\d+)\s*(.*)$/s.exec(content);
    const statusCode = m ? Number(m[1]) : null;
    return {
      kind: 'delivery-report',
      port,
      ts,
      smsc: from,
      recipient: to ?? '',
      statusCode,
      outcome: deliveryOutcome(statusCode),
      detail: m ? (m[2] ?? '').trim() : content,
      content,
      extra,
    };
  }
  if (flag !== 0) return { kind: 'invalid', issue: `unknown row flag ${flag}`, raw };
  const decoded = decodeBase64Utf8(content);
  const text = decoded ?? content;
  const split = splitHeaderBlock(text);
  return {
    kind: 'sms',
    port,
    ts,
    from,
    to: to ?? '',
    text: split ? split.body : text,
    encoding: decoded === null ? 'plain' : 'base64',
    headers: split ? split.headers : null,
    extra,
  };
}

function deliveryOutcome(code: number | null): DeliveryOutcome {
  if (code === null) return 'unknown';
  if (code >= 0 && code <= 31) return 'delivered';
  if (code >= 32 && code <= 63) return 'pending';
  return 'failed';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict base64 → UTF-8; null when the text is not base64 or does not decode to valid UTF-8. */
export function decodeBase64Utf8(value: string): string | null {
  const s = value.replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !BASE64.test(s)) return null;
  try {
    return utf8.decode(Buffer.from(s, 'base64'));
  } catch {
    return null;
  }
}

const HEADER_KEYS = new Set(['sender', 'receiver', 'smsc', 'scts', 'slot']);

function splitHeaderBlock(text: string): { headers: SmsHeaderBlock; body: string } | null {
  const m = /^((?:[A-Za-z][A-Za-z _-]*:[^\r\n]*\r?\n)+)\r?\n/.exec(text);
  if (!m) return null;
  const all: Record<string, string> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) all[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (!Object.keys(all).some((k) => HEADER_KEYS.has(k))) return null;
  const headers: SmsHeaderBlock = { all };
  if (all['sender'] !== undefined) headers.sender = all['sender'];
  if (all['receiver'] !== undefined) headers.receiver = all['receiver'];
  if (all['smsc'] !== undefined) headers.smsc = all['smsc'];
  if (all['scts'] !== undefined) headers.scts = all['scts'];
  if (all['slot'] !== undefined) headers.slot = all['slot'].replace(/"/g, '');
  return { headers, body: text.slice(m[0].length) };
}

/** `recv-sms` body posted to `sms_url`; rows decoded one by one. */
export const recvSmsSchema = z
  .looseObject({
    type: z.literal('recv-sms'),
    sms_num: intish.optional(),
    sim_src: intish.optional(),
    sms: z.array(z.unknown()),
  })
  .transform((b) => ({ ...b, rows: b.sms.map(decodeRecvSmsRow) }));

/** A parsed `recv-sms` body. */
export type RecvSms = z.output<typeof recvSmsSchema>;
