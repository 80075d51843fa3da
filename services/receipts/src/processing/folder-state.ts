/** What the processor knows of one message dispatch sent (from its SmsSent), and how far its receipts got. */
export interface TrackedMessage {
  messageId: string;
  businessId: string;
  correlationId: string;
  tid: number;
  port: string;
  to: string;
  numberKey: string;
  sentAtMs: number;
  /** Status report: 0 none, 1 transmitted, 2 transmission failed. */
  tx: 0 | 1 | 2;
  /** Delivery report: 0 none, 1 delivered, 2 undelivered. */
  dlr: 0 | 1 | 2;
}

/** A status-report row (`sdr` ok, `fdr` not) as kept while its tid is unknown. */
export interface SrRow {
  ok: boolean;
  index: number;
  number: string;
  port: string;
  ts: number;
  progressReason?: string;
  carrierReason?: string;
}

/** A final delivery-report row as kept until a message matches it. */
export interface DlrRow {
  port: string;
  recipient: string;
  ts: number;
  statusCode: number;
  delivered: boolean;
  scts: string;
}

/** A report waiting for its message. `id` = `<raw event id>#<row ordinal>`, so keeping it again is harmless. */
export type PendingReport =
  | { id: string; causeId: string; kind: 'sr'; tid: number; key: null; ts: number; row: SrRow }
  | { id: string; causeId: string; kind: 'dlr'; tid: null; key: string; ts: number; row: DlrRow };

/**
 * How often identical inbound rows (same port, second, number, content) came in pushes and in pulls. Delivery reports
 * of two texts sent to one number from one port within a second are byte-identical, yet two reports; a pull repeats
 * what was pushed. So the reports known are max(pushed, pulled): each push and each pulled inbox row is an
 * occurrence (the gateway does not retry pushes), and a pull only adds what the pushes missed.
 */
export interface SeenCount {
  pushed: number;
  pulled: number;
}

/** Where an inbound row came from: a recv-sms push or a goip_get_sms pull. */
export type RowSource = 'pushed' | 'pulled';

/** Port + number: what a delivery report can be matched on. */
export const dlrKeyOf = (port: string, numberKey: string) => `${port}|${numberKey}`;

/**
 * The processor's working state for one batch: loaded from its tables for the tids / numbers / rows the batch
 * touches, changed in memory by the folder, and written back (only what changed) with the checkpoint.
 */
export class FolderState {
  readonly messages = new Map<string, TrackedMessage>();
  private readonly byTid = new Map<number, TrackedMessage>();
  private readonly byKey = new Map<string, TrackedMessage[]>();
  private readonly byNumber = new Map<string, TrackedMessage>();
  readonly pending = new Map<string, PendingReport>();
  readonly seen = new Map<string, SeenCount>();

  /** Messages new or changed by an SmsSent (written whole). */
  readonly dirty = new Set<string>();
  /** Loaded messages whose outcome (tx / dlr) alone changed (only those two columns are written). */
  readonly touched = new Set<string>();
  readonly addedPending = new Map<string, PendingReport>();
  readonly removedPending = new Set<string>();
  /** Row hashes whose counts changed (written with GREATEST, so a replay never lowers them). */
  readonly changedSeen = new Set<string>();

  /** Loads a message (no change recorded) or records a new / changed one. */
  put(m: TrackedMessage, changed = true): void {
    const old = this.messages.get(m.messageId);
    if (old) Object.assign(old, m);
    const cur = old ?? m;
    if (!old) {
      this.messages.set(m.messageId, cur);
      const key = dlrKeyOf(cur.port, cur.numberKey);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), cur]);
    }
    const byTid = this.byTid.get(cur.tid);
    if (!byTid || byTid.sentAtMs <= cur.sentAtMs) this.byTid.set(cur.tid, cur);
    const byNumber = this.byNumber.get(cur.numberKey);
    if (!byNumber || byNumber.sentAtMs <= cur.sentAtMs) this.byNumber.set(cur.numberKey, cur);
    if (changed) {
      this.dirty.add(cur.messageId);
      this.touched.delete(cur.messageId);
    }
  }

  touch(m: TrackedMessage): void {
    if (!this.dirty.has(m.messageId)) this.touched.add(m.messageId);
  }

  byTaskId(tid: number): TrackedMessage | undefined {
    return this.byTid.get(tid);
  }

  /** Messages sent from this port to this number, oldest first. */
  onPortTo(key: string): TrackedMessage[] {
    return [...(this.byKey.get(key) ?? [])].sort((a, b) => a.sentAtMs - b.sentAtMs || a.tid - b.tid);
  }

  /** The message most recently sent to this number from any port. */
  lastTo(numberKey: string): TrackedMessage | undefined {
    return this.byNumber.get(numberKey);
  }

  keep(p: PendingReport, loaded = false): void {
    if (this.pending.has(p.id) || this.removedPending.has(p.id)) return;
    this.pending.set(p.id, p);
    if (!loaded) this.addedPending.set(p.id, p);
  }

  resolve(p: PendingReport): void {
    this.pending.delete(p.id);
    if (!this.addedPending.delete(p.id)) this.removedPending.add(p.id);
  }

  pendingFor(filter: (p: PendingReport) => boolean): PendingReport[] {
    return [...this.pending.values()].filter(filter).sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  }

  /**
   * Counts one occurrence of an inbound row; true when it is a report not known before. With `once`, only the
   * first occurrence counts (an inbound text repeated adds nothing: its derived id is the row's hash).
   */
  markSeen(hash: string, source: RowSource, once = false): boolean {
    const c = this.seen.get(hash) ?? { pushed: 0, pulled: 0 };
    const known = Math.max(c.pushed, c.pulled);
    if (once && known > 0) return false;
    c[source]++;
    this.seen.set(hash, c);
    this.changedSeen.add(hash);
    return Math.max(c.pushed, c.pulled) > known;
  }
}
