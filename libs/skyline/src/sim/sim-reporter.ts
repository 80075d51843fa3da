import type { SimClock } from './sim-clock';
import type { CallbackPoster } from './sim-records';
import type { CallbackFaults } from './sim-options';

/** One `rpts` entry as the device serializes it. */
export interface ReportEntry {
  tid: number;
  sending: number;
  sent: number;
  failed: number;
  unsent: number;
  sdr?: unknown[][];
  fdr?: unknown[][];
}

interface Buffer {
  entries: ReportEntry[];
  results: number;
  cancelTimer?: () => void;
}

/**
 * The device's global report cache: entries per `sr_url`, flushed as one POST when `sr_cnt` results are buffered
 * or `sr_prd` seconds passed since the first buffered one. Callback faults are applied per POST.
 */
export class StatusReporter {
  private readonly buffers = new Map<string, Buffer>();
  private readonly globals = new Map<string, { cnt: number; prd: number }>();
  private held: { url: string; body: { type: string; rpt_num: number; rpts: ReportEntry[] } } | null = null;
  /** Set by the simulator: a promise that resolves when delivery reports queued so far have been posted. */
  dlrBarrier: (() => Promise<void>) | null = null;

  constructor(
    private readonly clock: SimClock,
    private readonly poster: CallbackPoster,
    private readonly rand: () => number,
    public faults: CallbackFaults,
  ) {}

  /** Global sr_cnt / sr_prd of a send-sms apply to its sr_url from then on. */
  setGlobals(url: string, cnt: number | undefined, prd: number | undefined): void {
    const g = this.globals.get(url) ?? { cnt: 100, prd: 30 };
    if (cnt !== undefined && cnt >= 1) g.cnt = cnt;
    if (prd !== undefined && prd >= 0) g.prd = prd;
    this.globals.set(url, g);
  }

  add(url: string, entry: ReportEntry, results: number): void {
    let b = this.buffers.get(url);
    if (!b) {
      b = { entries: [], results: 0 };
      this.buffers.set(url, b);
    }
    b.entries.push(entry);
    b.results += results;
    const g = this.globals.get(url) ?? { cnt: 100, prd: 30 };
    if (b.results >= g.cnt) this.flush(url);
    else if (!b.cancelTimer) b.cancelTimer = this.clock.after(g.prd * 1000, () => this.flush(url));
  }

  /** Flushes one URL's cache (or every cache) now, and releases a held (reordered) POST. */
  flush(url?: string): void {
    const urls = url === undefined ? [...this.buffers.keys()] : [url];
    for (const u of urls) {
      const b = this.buffers.get(u);
      if (!b || b.entries.length === 0) continue;
      this.buffers.delete(u);
      b.cancelTimer?.();
      this.emit(u, { type: 'status-report', rpt_num: b.entries.length, rpts: b.entries });
    }
    if (url === undefined) this.releaseHeld();
  }

  /** Drops every buffered entry (reboot / reset). */
  clear(): void {
    for (const b of this.buffers.values()) b.cancelTimer?.();
    this.buffers.clear();
    this.globals.clear();
    this.held = null;
  }

  private emit(url: string, body: { type: string; rpt_num: number; rpts: ReportEntry[] }): void {
    const f = this.faults;
    if (f.lossRate && this.rand() < f.lossRate) {
      this.poster.recordLost(url, body);
      return;
    }
    if (f.reorderRate && !this.held && this.rand() < f.reorderRate) {
      shuffle(body.rpts, this.rand);
      this.held = { url, body };
      // Released after the next POST, or by the next timer tick at the latest.
      this.clock.after(1000, () => this.releaseHeld());
      return;
    }
    this.send(url, body, f.delayMs ? 'delayed' : undefined);
    if (f.duplicateRate && this.rand() < f.duplicateRate) this.send(url, body, 'duplicate');
    this.releaseHeld();
  }

  private releaseHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = null;
    this.send(h.url, h.body, 'reordered');
  }

  private send(url: string, body: { type: string }, fault: 'delayed' | 'duplicate' | 'reordered' | undefined): void {
    const go = (): void => {
      const barrier = this.faults.dlrBeforeStatusReport ? this.dlrBarrier?.() : undefined;
      this.poster.post(url, body, fault, barrier);
    };
    if (this.faults.delayMs) this.clock.after(this.faults.delayMs, go);
    else go();
  }
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
