import { taskStatusText } from '../codes';
import { formatPortId, parsePortList, type PortId } from '../port-id';
import type { SimClock } from './sim-clock';
import { canSend, type SimPort } from './sim-device';
import type { SimInbox } from './sim-inbox';
import type { ResolvedOptions } from './sim-options';
import { keyedRandom } from './prng';
import type { ReportEntry, StatusReporter } from './sim-reporter';
import { createTask, expandJobs, type Job, type SimTask } from './sim-task';

const DRAIN_BUDGET = 4096;

/**
 * Task queues and the send loop. Zero-delay ports are drained in setImmediate batches with no timer per task;
 * ports with a send time run one timer per port.
 */
export class SimEngine {
  readonly tasks = new Map<number, SimTask>();
  private readonly seenTids = new Set<number>();
  private readonly queues: Job[][];
  private readonly heads: number[];
  private readonly busy: boolean[];
  private readonly sentOnPort: number[];
  private readonly dirty = new Set<SimTask>();
  private drainScheduled = false;
  private sweepCancel: (() => void) | undefined;
  private submissions = 0;
  unregisterRules: Array<{ port: number; afterMessages: number; st: number }> = [];
  onPortChange: (port: SimPort) => void = () => undefined;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly ports: SimPort[],
    private readonly clock: SimClock,
    private readonly reporter: StatusReporter,
    private readonly inbox: SimInbox,
  ) {
    this.queues = ports.map(() => []);
    this.heads = ports.map(() => 0);
    this.busy = ports.map(() => false);
    this.sentOnPort = ports.map(() => 0);
  }

  /** Live tasks: accepted and not finished. */
  get liveCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (!t.done) n++;
    return n;
  }

  /** Validates and queues one wire task; returns its vendor status string. */
  submitTask(raw: Record<string, unknown>, top: { srUrl?: string; smsUrl?: string }, refuseCode: number | null): { tid: number; status: string } {
    const tid = toInt(raw['tid']);
    if (tid === null) return { tid: 0, status: taskStatusText(11) };
    const reply = (code: number) => ({ tid, status: taskStatusText(code) });
    const to = typeof raw['to'] === 'string' || typeof raw['to'] === 'number' ? String(raw['to']) : '';
    const recipients = to.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (recipients.length === 0) return reply(9);
    if (typeof raw['sms'] !== 'string' || raw['sms'].length === 0) return reply(8);
    if (refuseCode !== null) return reply(refuseCode);
    let from: PortId[] | null = null;
    if (raw['from'] !== undefined && raw['from'] !== '') {
      try {
        from = parsePortList(raw['from'] as string | number);
      } catch {
        return reply(2);
      }
      if (from === null) from = this.ports.map((p) => ({ port: p.port }));
      if (from.some((id) => !this.ports[id.port - 1] || (id.slot !== undefined && id.slot > this.o.slots))) return reply(2);
      if (!from.some((id) => canSend(this.ports[id.port - 1]!))) return reply(5);
    } else if (!this.ports.some(canSend)) {
      return reply(5);
    }
    const existing = this.tasks.get(tid);
    const dup = this.o.duplicateTid === 'forever' ? this.seenTids.has(tid) : this.o.duplicateTid === 'live' && existing !== undefined && !existing.done;
    if (dup) return reply(13);
    if (this.o.queueLimit !== null && this.liveCount >= this.o.queueLimit) return reply(16);
    const task = createTask(tid, raw, recipients, top, ++this.submissions);
    const jobs = expandJobs(task, from, this.ports, this.o);
    task.total = task.unsent = jobs.length;
    task.lastEntryAt = this.clock.now();
    this.tasks.set(tid, task);
    this.seenTids.add(tid);
    for (const j of jobs) this.queues[j.port - 1]!.push(j);
    for (const j of jobs) this.kick(j.port);
    return reply(0);
  }

  /** Pause / resume / remove; `tids` absent = all. Returns per-tid status strings. */
  operate(op: 'pause' | 'resume' | 'remove', tids: number[] | undefined): Array<{ tid: number; status: string }> {
    const targets = tids ?? [...this.tasks.keys()];
    const out: Array<{ tid: number; status: string }> = [];
    for (const tid of targets) {
      const t = this.tasks.get(tid);
      // The code for an unknown tid is undocumented; 11 "TID Expected" is our choice (skyline-gateway-api.md §1.3).
      if (!t || t.done || t.unsent === 0) {
        out.push({ tid, status: taskStatusText(11) });
        continue;
      }
      if (op === 'pause') t.paused = true;
      if (op === 'resume') {
        t.paused = false;
        for (const j of t.held.splice(0)) {
          this.queues[j.port - 1]!.push(j);
          this.kick(j.port);
        }
      }
      if (op === 'remove') {
        t.removed = true;
        this.forget(t);
      }
      out.push({ tid, status: taskStatusText(0) });
    }
    return out;
  }

  /** Tasks with unsent messages on a port, in submission order (goip_get_tasks). */
  queuedOn(port: number): SimTask[] {
    const found = new Set<SimTask>();
    const q = this.queues[port - 1] ?? [];
    for (let i = this.heads[port - 1] ?? 0; i < q.length; i++) if (!q[i]!.task.removed) found.add(q[i]!.task);
    for (const t of this.tasks.values()) if (t.held.some((j) => j.port === port)) found.add(t);
    return [...found].sort((a, b) => a.order - b.order);
  }

  /** Drops every task and queue (reboot / reset). */
  clear(): void {
    this.tasks.clear();
    this.seenTids.clear();
    this.dirty.clear();
    this.sweepCancel?.();
    this.sweepCancel = undefined;
    for (let i = 0; i < this.queues.length; i++) {
      this.queues[i] = [];
      this.heads[i] = 0;
      this.busy[i] = false;
      this.sentOnPort[i] = 0;
    }
  }

  /** Emits entries for tasks with unreported progress (used before a forced flush). */
  reportDirty(): void {
    for (const t of [...this.dirty]) this.emitEntry(t);
  }

  private forget(t: SimTask): void {
    t.held.length = 0;
    t.unsent = 0;
    this.tasks.delete(t.tid);
    this.dirty.delete(t);
  }

  private kick(port: number): void {
    const p = this.ports[port - 1]!;
    if (p.sendTimeMs <= 0) {
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => this.drain());
      }
    } else if (!this.busy[port - 1]) {
      this.next(p);
    }
  }

  private takeJob(port: number): Job | undefined {
    const q = this.queues[port - 1]!;
    while (this.heads[port - 1]! < q.length) {
      const j = q[this.heads[port - 1]!]!;
      this.heads[port - 1]!++;
      if (j.task.removed) continue;
      if (j.task.paused) {
        j.task.held.push(j);
        continue;
      }
      return j;
    }
    this.queues[port - 1] = [];
    this.heads[port - 1] = 0;
    return undefined;
  }

  private drain(): void {
    this.drainScheduled = false;
    let budget = DRAIN_BUDGET;
    let more = false;
    for (const p of this.ports) {
      if (p.sendTimeMs > 0) continue;
      while (budget > 0) {
        const j = this.takeJob(p.port);
        if (!j) break;
        budget--;
        j.task.unsent--;
        j.task.sending++;
        this.complete(j, p);
      }
      if (budget === 0) more = true;
    }
    if (more && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private next(p: SimPort): void {
    const j = this.takeJob(p.port);
    if (!j) return;
    this.busy[p.port - 1] = true;
    j.task.unsent--;
    j.task.sending++;
    const wait = Math.min(p.sendTimeMs, j.task.tmoSeconds * 1000);
    this.clock.after(wait, () => {
      this.busy[p.port - 1] = false;
      this.complete(j, p);
      this.next(p);
    });
  }

  private complete(j: Job, p: SimPort): void {
    const t = j.task;
    if (t.removed) return;
    t.sending--;
    const slot = p.slots[j.slot - 1]!;
    const ts = Math.floor(this.clock.now() / 1000);
    const portText = formatPortId({ port: p.port, slot: j.slot });
    const failure = this.failureOf(j, p);
    if (failure === null) {
      t.sent++;
      slot.sentToday++;
      if (t.sdr) t.pendingSdr.push([j.index, j.number, portText, ts]);
      if (t.dr) this.scheduleDlr(j, portText, ts);
    } else {
      t.failed++;
      if (t.fdr) t.pendingFdr.push([j.index, j.number, portText, ts, failure[0], failure[1]]);
    }
    t.sinceLast++;
    this.countOnPort(p);
    const now = this.clock.now();
    const finished = t.sent + t.failed === t.total;
    if (finished) t.done = true;
    if ((finished && this.o.finalReport) || t.sinceLast >= t.srCnt || (t.srPrd > 0 && now - t.lastEntryAt >= t.srPrd * 1000)) {
      this.emitEntry(t);
    } else if (t.srPrd > 0) {
      this.dirty.add(t);
      this.ensureSweep();
    }
  }

  private failureOf(j: Job, p: SimPort): [string, string] | null {
    const slot = p.slots[j.slot - 1]!;
    if (!canSend(p) || p.active !== j.slot) return ['5 SIM Unregistered', ''];
    if (j.task.tmoSeconds * 1000 < p.sendTimeMs) return ['6 Timeout', ''];
    if (this.o.dailyCap !== null && slot.sentToday >= this.o.dailyCap) return ['21 Daily Limit', ''];
    if (this.o.failNumbers.includes(j.number)) return ['2 Send Failed', '38 Network out of order'];
    if (this.o.failureRate > 0 && keyedRandom(this.o.seed, 'fail', j.task.tid, j.index, p.port) < this.o.failureRate) {
      return ['2 Send Failed', '41 Temporary failure'];
    }
    return null;
  }

  private scheduleDlr(j: Job, portText: string, ts: number): void {
    const undelivered = this.o.undeliveredRate > 0 && keyedRandom(this.o.seed, 'dlr', j.task.tid, j.index) < this.o.undeliveredRate;
    const code = undelivered ? 70 : 0;
    if (this.reporter.faults.dlrBeforeStatusReport || this.o.dlrDelayMs <= 0) {
      this.inbox.addDeliveryReport(portText, j.number, code, ts);
    } else {
      this.clock.after(this.o.dlrDelayMs, () => this.inbox.addDeliveryReport(portText, j.number, code, ts + Math.round(this.o.dlrDelayMs / 1000)));
    }
  }

  private countOnPort(p: SimPort): void {
    const n = ++this.sentOnPort[p.port - 1]!;
    for (const r of this.unregisterRules) {
      if (r.port === p.port && n === r.afterMessages) {
        for (const s of p.slots) {
          s.st = r.st;
          s.seq++;
        }
        this.onPortChange(p);
      }
    }
  }

  private emitEntry(t: SimTask): void {
    this.dirty.delete(t);
    const count = t.sinceLast;
    t.sinceLast = 0;
    t.lastEntryAt = this.clock.now();
    if (!t.srUrl) return;
    const entry: ReportEntry = { tid: t.tid, sending: t.sending, sent: t.sent, failed: t.failed, unsent: t.unsent };
    if (t.pendingSdr.length > 0) entry.sdr = t.pendingSdr.splice(0);
    if (t.pendingFdr.length > 0) entry.fdr = t.pendingFdr.splice(0);
    this.reporter.add(t.srUrl, entry, count);
  }

  private ensureSweep(): void {
    if (this.sweepCancel) return;
    this.sweepCancel = this.clock.after(1000, () => {
      this.sweepCancel = undefined;
      const now = this.clock.now();
      for (const t of [...this.dirty]) if (t.srPrd > 0 && now - t.lastEntryAt >= t.srPrd * 1000) this.emitEntry(t);
      if (this.dirty.size > 0) this.ensureSweep();
    });
  }
}

function toInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return null;
}
