import type { EnvelopeBase } from '@dailydesk/contracts';
import type { SmsQueuedData, SmsTaskAssignedData, SmsTasksAssignedData } from '../intake/intake.events';
import { LANE } from './dispatch.schema';
import type { QueueRow } from './outcome-events';

const FINAL_TYPES = new Set(['SmsSent', 'SmsFailed', 'SmsSuppressed']);

/** The queue row an SmsQueued stored at `position` stands for (what the `messages` table holds for it). */
export function rowOfQueued(event: EnvelopeBase, position: number): QueueRow {
  const d = event.data as SmsQueuedData;
  return {
    message_id: d.messageId, business_id: event.businessId, correlation_id: event.correlationId, intake_event_id: event.id,
    lane: LANE[d.priority], position, to_e164: d.to, body: d.text, encoding: d.encoding, segments: d.segments, purpose: d.purpose,
    refs: d.refs, not_before: d.notBefore ? new Date(d.notBefore) : null, expires_at: d.expiresAt ? new Date(d.expiresAt) : null,
    state: 'queued', tid: null, port: null, attempt: 0, opted_out: null, sticky_port: null,
  };
}

/**
 * The dispatcher's view of the durable queue, in memory (only on the replica that sends). The store is the truth:
 * this is loaded from the `messages` projection when the replica takes over, then kept current by the appends this
 * process makes (intake, dispatcher) and by every later batch of the queue subscription (other replicas' intake).
 *
 * Why in memory: reading the next batch back from the table (and folding every request and outcome into it before
 * the next pick could see it) cost more than everything else in the pipeline together; see the README's benchmark.
 *
 * No message is sent twice because of the two feeds: `observedUpTo` is the last position the subscription has handed
 * over, so an append at or below it is already here (or finished) and is not added again; a finished message stays
 * known (`finished`) until the subscription has passed its outcome, so a late SmsQueued of it is not taken for new.
 */
export class WaitingQueue {
  /** Waiting messages per lane (instant, normal, bulk), each in position order (Map keeps insertion order). */
  private lanes: Array<Map<string, QueueRow>> = [new Map(), new Map(), new Map()];
  private readonly lastPosition = [0, 0, 0];
  /**
   * A lane that got a row older than its newest one (another replica's request handed over by the subscription
   * after this process's own later appends, a retry going back, a scheduled text coming due) is sorted once, when
   * the dispatcher next reads it. Sorting at every such insert made two replicas' intake quadratic: a 40k-text
   * drain with a second replica took 36 CPU-s in the sort instead of ~5 s for everything.
   */
  private readonly unsorted = [false, false, false];
  /** Messages whose notBefore is still ahead, soonest first; moved into their lane when due. */
  private scheduled: QueueRow[] = [];
  private readonly scheduledRows = new Set<QueueRow>();
  /** Taken by the dispatcher (picked, in a POST, being resolved or finished). */
  private readonly out = new Map<string, QueueRow>();
  /** Every live message (waiting, scheduled or taken) by id. */
  private readonly live = new Map<string, QueueRow>();
  /** Finished here: id → position of its outcome, until the subscription passes it. */
  private readonly finished = new Map<string, number>();
  /** Last position of the subscription's batches handed to {@link observe} (or of the load at takeover). */
  observedUpTo = 0;

  clear(): void {
    this.lanes = [new Map(), new Map(), new Map()];
    this.lastPosition.fill(0);
    this.scheduled = [];
    this.scheduledRows.clear();
    this.unsorted.fill(false);
    this.out.clear();
    this.live.clear();
    this.finished.clear();
    this.observedUpTo = 0;
  }

  private known(id: string): boolean {
    return this.live.has(id) || this.finished.has(id);
  }

  /** Adds a waiting message (from the table at takeover, or a fresh SmsQueued); false when it is already known. */
  add(row: QueueRow, nowMs: number): boolean {
    if (this.known(row.message_id)) return false;
    this.live.set(row.message_id, row);
    if (row.not_before && row.not_before.getTime() > nowMs) {
      // After every row due at or before it (binary search: a campaign may schedule many).
      const at = row.not_before.getTime();
      let lo = 0;
      let hi = this.scheduled.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.scheduled[mid]!.not_before!.getTime() <= at) lo = mid + 1;
        else hi = mid;
      }
      this.scheduled.splice(lo, 0, row);
      this.scheduledRows.add(row);
      return true;
    }
    this.insert(row);
    return true;
  }

  /** Adds the SmsQueued among events this process appended (consecutive positions ending at `lastPosition`). */
  addAppended(events: readonly EnvelopeBase[], lastPosition: number, nowMs: number): void {
    const first = lastPosition - events.length + 1;
    events.forEach((e, i) => {
      // At or below observedUpTo the subscription has already handed it over: it is here, or finished.
      if (e.type === 'SmsQueued' && first + i > this.observedUpTo) this.add(rowOfQueued(e, first + i), nowMs);
    });
  }

  private insert(row: QueueRow): void {
    const lane = this.lanes[row.lane]!;
    const position = Number(row.position);
    lane.set(row.message_id, row);
    if (position >= this.lastPosition[row.lane]!) this.lastPosition[row.lane] = position;
    else this.unsorted[row.lane] = true;
  }

  /** Waiting messages in lane then position order (scheduled ones that are due first join their lane). */
  *waiting(nowMs: number): Generator<QueueRow> {
    let due = 0;
    while (due < this.scheduled.length && this.scheduled[due]!.not_before!.getTime() <= nowMs) due++;
    for (const row of this.scheduled.splice(0, due)) {
      this.scheduledRows.delete(row);
      this.insert(row);
    }
    for (let l = 0; l < this.lanes.length; l++) {
      if (this.unsorted[l]) {
        this.lanes[l] = new Map([...this.lanes[l]!.entries()].sort((a, b) => Number(a[1].position) - Number(b[1].position)));
        this.unsorted[l] = false;
      }
    }
    for (const lane of this.lanes) yield* lane.values();
  }

  /** The dispatcher takes a waiting message (for a POST, a resolution or its outcome). */
  take(row: QueueRow): boolean {
    // Not waiting any more (finished by another replica's outcome while the pick looked up its recipient).
    if (this.lanes[row.lane]!.get(row.message_id) !== row) return false;
    this.lanes[row.lane]!.delete(row.message_id);
    this.out.set(row.message_id, row);
    return true;
  }

  /** A taken message waits again (retry, back-off, grace period). */
  putBack(id: string): void {
    const row = this.out.get(id);
    if (!row) return;
    this.out.delete(id);
    this.insert(row);
  }

  /** True when this process stored the message's outcome and the subscription has not passed it yet (or just has). */
  hasStoredOutcome(id: string): boolean {
    return this.finished.has(id);
  }

  /** Its outcome is stored at `position`. */
  finish(id: string, position: number): void {
    const row = this.live.get(id);
    if (row) {
      this.live.delete(id);
      this.out.delete(id);
      this.lanes[row.lane]!.delete(id);
      if (this.scheduledRows.delete(row)) this.scheduled.splice(this.scheduled.indexOf(row), 1);
    }
    this.finished.set(id, position);
  }

  /** A batch of the queue subscription (already folded into the table), in position order. */
  observe(events: ReadonlyArray<{ event: EnvelopeBase; globalPosition: number }>, nowMs: number): void {
    for (const { event: e, globalPosition } of events) {
      if (globalPosition <= this.observedUpTo) continue;
      if (e.type === 'SmsQueued') {
        const id = (e.data as SmsQueuedData).messageId;
        if (!this.known(id)) this.add(rowOfQueued(e, globalPosition), nowMs);
      } else if (e.type === 'SmsTasksAssigned' || e.type === 'SmsTaskAssigned') {
        const tasks = e.type === 'SmsTasksAssigned' ? (e.data as SmsTasksAssignedData).tasks : [e.data as SmsTaskAssignedData];
        for (const t of tasks) {
          const row = this.live.get(t.messageId);
          if (row && row.attempt <= t.attempt) Object.assign(row, { state: 'assigned', tid: t.tid, port: t.port, attempt: t.attempt });
        }
      } else if (FINAL_TYPES.has(e.type)) {
        const id = (e.data as { messageId: string }).messageId;
        if (!this.finished.has(id)) this.finish(id, globalPosition);
      }
    }
    const last = events[events.length - 1]?.globalPosition ?? this.observedUpTo;
    this.observedUpTo = Math.max(this.observedUpTo, last);
    for (const [id, p] of this.finished) if (p <= this.observedUpTo) this.finished.delete(id);
  }

  /** Messages waiting or taken, per lane. */
  depth(): [number, number, number] {
    const d: [number, number, number] = [0, 0, 0];
    for (const r of this.live.values()) d[r.lane as 0 | 1 | 2]++;
    return d;
  }

  get size(): number {
    return this.live.size;
  }
}
