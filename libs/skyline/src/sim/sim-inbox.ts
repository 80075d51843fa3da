import type { SimClock } from './sim-clock';
import type { CallbackPoster } from './sim-records';
import type { RecvSmsVariant } from './sim-options';

/** An inbound SMS to inject (as if a phone texted a SIM). */
export interface InboundSms {
  /** Receiving port number. */
  port: number;
  slot?: number;
  /** Sender's number. */
  from: string;
  text: string;
  /** The SIM's own number (often empty on real devices). */
  to?: string;
  /** Epoch seconds; default: virtual now. */
  ts?: number;
}

/**
 * The device's received-SMS store (goip_get_sms, numbered from 1 per boot under `ssrc`) and its recv-sms pushes
 * to `sms_url`, buffered by `sms_cnt` / `sms_prd` when `sms_cnt` > 1.
 */
export class SimInbox {
  private rows: unknown[][] = [];
  private firstId = 1;
  private buffer: unknown[][] = [];
  private cancelTimer: (() => void) | undefined;
  smsUrl: string | undefined;
  smsCnt = 1;
  smsPrd = 30;
  simIccid = (port: number): string => `89860116289910${String(port).padStart(6, '0')}`;

  constructor(
    private readonly clock: SimClock,
    private readonly poster: CallbackPoster,
    public ssrc: string,
    public variant: RecvSmsVariant,
  ) {}

  /** Stores and pushes an inbound SMS; returns its id. */
  addInbound(sms: InboundSms, portText: string): number {
    const ts = sms.ts ?? Math.floor(this.clock.now() / 1000);
    let text = sms.text;
    if (this.variant.headerBlock) {
      const slot = String(sms.slot ?? 1).padStart(2, '0');
      text = `Sender: ${sms.from}\r\nReceiver: "${portText}" ${sms.to ?? ''}\r\nSMSC: 8613800100500\r\nSCTS: ${scts(ts)}\r\nSlot: "${slot}"\r\n\r\n${sms.text}`;
    }
    const row: unknown[] = [0, portText, ts, sms.from, sms.to ?? '', Buffer.from(text, 'utf8').toString('base64')];
    if (this.variant.nineElementRows) row.push(this.simIccid(sms.port), `4600149782${sms.port}`, '');
    return this.store(row);
  }

  /** Stores and pushes a delivery report row (flag 1, `"<code> <scts>"`). */
  addDeliveryReport(portText: string, recipient: string, code: number, ts: number): number {
    return this.store([1, portText, ts, '8613800100500', recipient, `${code} ${scts(ts)}`]);
  }

  /** goip_get_sms: rows from `fromId` (1-based), at most `max` (0 = all), optionally deleting what was returned. */
  query(fromId: number, max: number, del: boolean): { rows: unknown[][]; nextId: number } {
    const start = Math.max(fromId, this.firstId);
    const offset = start - this.firstId;
    const end = max > 0 ? offset + max : this.rows.length;
    const rows = this.rows.slice(offset, end);
    const nextId = start + rows.length;
    if (del && rows.length > 0 && offset === 0) {
      this.rows.splice(0, rows.length);
      this.firstId += rows.length;
    }
    return { rows, nextId };
  }

  /** Pushes buffered rows now. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.buffer.length === 0 || !this.smsUrl) return;
    const rows = this.buffer;
    this.buffer = [];
    this.poster.post(this.smsUrl, this.body(rows));
  }

  /** Forgets everything (reboot: numbering restarts under a new ssrc). */
  clear(newSsrc: string): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.rows = [];
    this.buffer = [];
    this.firstId = 1;
    this.ssrc = newSsrc;
  }

  private store(row: unknown[]): number {
    this.rows.push(row);
    const id = this.firstId + this.rows.length - 1;
    if (!this.smsUrl) return id;
    if (this.smsCnt <= 1) {
      this.poster.post(this.smsUrl, this.body([row]));
    } else {
      this.buffer.push(row);
      if (this.buffer.length >= this.smsCnt) this.flush();
      else if (!this.cancelTimer) this.cancelTimer = this.clock.after(this.smsPrd * 1000, () => this.flush());
    }
    return id;
  }

  private body(rows: unknown[][]): { type: string } {
    const b: Record<string, unknown> = { type: 'recv-sms', sms_num: rows.length, sms: rows };
    if (this.variant.simSrc) b['sim_src'] = 1;
    return b as { type: string };
  }
}

/** SCTS as seen on devices: YYMMDDhhmmss + two timezone characters. */
function scts(tsSeconds: number): string {
  const d = new Date(tsSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}00`;
}
