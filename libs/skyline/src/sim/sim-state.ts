import { createPrng } from './prng';
import { createScaledClock, type SimClock } from './sim-clock';
import { createPorts, devStatus, type SimPort } from './sim-device';
import { SimEngine } from './sim-engine';
import { SimInbox } from './sim-inbox';
import type { FaultRule, ResolvedOptions } from './sim-options';
import { CallbackPoster, SimRecorder } from './sim-records';
import { StatusReporter } from './sim-reporter';

/** Everything the simulated device holds; rebuilt from the options on reset. */
export class SimState {
  readonly clock: SimClock;
  readonly recorder: SimRecorder;
  readonly poster: CallbackPoster;
  ports!: SimPort[];
  reporter!: StatusReporter;
  inbox!: SimInbox;
  engine!: SimEngine;
  faults: Array<FaultRule & { left: number }> = [];
  rand!: () => number;
  boots = 0;
  private statusUrl: string | undefined;
  private statusPeriod = 60;
  private statusSeq = 0;
  private cancelStatusTimer: (() => void) | undefined;

  constructor(
    public o: ResolvedOptions,
    private readonly initial: ResolvedOptions = o,
  ) {
    this.clock = createScaledClock(o.timeScale, o.startEpochMs);
    this.recorder = new SimRecorder(o.recordLimit);
    this.poster = new CallbackPoster(this.recorder, this.clock);
    this.build();
  }

  private build(): void {
    this.rand = createPrng(this.o.seed);
    this.ports = createPorts(this.o);
    this.reporter = new StatusReporter(this.clock, this.poster, this.rand, { ...this.o.callbackFaults });
    this.inbox = new SimInbox(this.clock, this.poster, this.newSsrc(), { ...this.o.recvSmsVariant });
    if (this.o.smsUrl) this.inbox.smsUrl = this.o.smsUrl;
    this.reporter.dlrBarrier = () => (this.inbox.smsUrl ? this.poster.whenIdle(this.inbox.smsUrl) : Promise.resolve());
    this.engine = new SimEngine(this.o, this.ports, this.clock, this.reporter, this.inbox);
    this.engine.onPortChange = (p) => this.pushPortStatus(p);
    this.faults = this.o.faults.map((f) => ({ ...f, left: f.times ?? Infinity }));
  }

  private newSsrc(): string {
    this.boots++;
    let s = '';
    for (let i = 0; i < 16; i++) s += Math.floor(this.rand() * 16).toString(16);
    return s;
  }

  /** Takes the first fault rule that applies to this endpoint, counting it down. */
  takeFault(endpoint: string): FaultRule['fault'] | null {
    for (const f of this.faults) {
      if (f.left > 0 && (f.endpoint === undefined || f.endpoint === endpoint)) {
        f.left--;
        return f.fault;
      }
    }
    return null;
  }

  devStatus(allSims: boolean, expires: number): Record<string, unknown> {
    return devStatus(this.ports, this.o, { seq: ++this.statusSeq, expires, allSims });
  }

  /** goip_get_status `url` / `period`: remember the push target; period 0 cancels, minimum 60 s. */
  setStatusPush(url: string, period: number): void {
    this.statusUrl = url;
    this.statusPeriod = period <= 0 ? 0 : Math.max(60, period);
    this.cancelStatusTimer?.();
    this.cancelStatusTimer = undefined;
    this.scheduleStatusPush();
  }

  private scheduleStatusPush(): void {
    if (!this.statusUrl || this.statusPeriod <= 0) return;
    this.cancelStatusTimer = this.clock.after(this.statusPeriod * 1000, () => {
      if (this.statusUrl) this.poster.post(this.statusUrl, this.devStatus(false, this.statusPeriod) as { type: string });
      this.scheduleStatusPush();
    });
  }

  /** port-status push on any port change (state key `st` as an int, plus the vendor example's `status` text). */
  pushPortStatus(p: SimPort): void {
    if (!this.statusUrl) return;
    const slot = p.slots[p.active - 1]!;
    this.poster.post(this.statusUrl, {
      type: 'port-status',
      port: `${p.port}.${String(slot.slot).padStart(2, '0')}`,
      seq: slot.seq,
      st: slot.st,
      status: `${slot.st} ${slot.st === 3 ? 'OK' : 'Not Ready'}`,
      bal: slot.bal,
      opr: slot.opr,
      sn: slot.sn,
      imei: slot.imei,
      imsi: slot.imsi,
      iccid: slot.iccid,
    } as { type: string });
  }

  /** Device reboot: queues, tasks, report caches and received SMS are lost; `ssrc` changes. */
  reboot(): void {
    this.engine.clear();
    this.reporter.clear();
    this.poster.cancelPending();
    this.inbox.clear(this.newSsrc());
    for (const p of this.ports) for (const s of p.slots) s.seq++;
    for (const p of this.ports) this.pushPortStatus(p);
  }

  /** Back to the options the simulator started with (or `next`), forgetting everything. */
  reset(next?: ResolvedOptions): void {
    this.clock.cancelAll();
    this.engine.clear();
    this.reporter.clear();
    this.poster.cancelPending();
    this.recorder.clear();
    this.statusUrl = undefined;
    this.cancelStatusTimer = undefined;
    this.statusSeq = 0;
    this.boots = 0;
    this.o = { ...(next ?? this.initial) };
    this.build();
  }
}
