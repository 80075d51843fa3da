/** A clock in epoch milliseconds; injected so pacing is tested without waiting. */
export type Clock = () => number;

export interface PortPacerOptions {
  /** Sends per port per rolling 60 s; null = no pacing. */
  readonly perMinute: number | null;
  /** Sends per SIM (port.slot) per UTC day; null = no cap. */
  readonly dailyCap: number | null;
  readonly clock: Clock;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The UTC day of an instant (YYYY-MM-DD); the last one is kept, as every text of a day asks for it. */
let lastDay = { start: 0, end: 0, name: '' };
const dayOf = (ms: number): string => {
  if (ms < lastDay.start || ms >= lastDay.end) {
    const start = Math.floor(ms / DAY) * DAY;
    lastDay = { start, end: start + DAY, name: new Date(start).toISOString().slice(0, 10) };
  }
  return lastDay.name;
};

/**
 * Which registered, healthy port may send now: a rolling-minute pace per port and a daily cap per SIM, new
 * recipients spread round-robin, known recipients kept on their port (sticky sender) while it is healthy.
 */
export class PortPacer {
  private ports: string[] = [];
  private readonly unhealthy = new Set<string>();
  private readonly recent = new Map<string, number[]>();
  private readonly daily = new Map<string, number>();
  private next = 0;

  constructor(private readonly o: PortPacerOptions) {}

  /** Replaces the registered ports (from getStatus); a port reported active again is healthy again. */
  setPorts(active: readonly string[]): void {
    this.ports = [...active];
    this.unhealthy.clear();
  }

  get registered(): readonly string[] {
    return this.ports;
  }

  /** Takes a port out of rotation until the next status refresh (it refused with 2 or 5). */
  markUnhealthy(port: string): void {
    this.unhealthy.add(port);
  }

  isHealthy(port: string): boolean {
    return this.ports.includes(port) && !this.unhealthy.has(port);
  }

  /** Seeds today's count of a SIM (after a restart). */
  seedDaily(port: string, count: number): void {
    this.daily.set(`${port}|${dayOf(this.o.clock())}`, count);
  }

  hasCapacity(port: string): boolean {
    const now = this.o.clock();
    if (this.o.dailyCap !== null && (this.daily.get(`${port}|${dayOf(now)}`) ?? 0) >= this.o.dailyCap) return false;
    if (this.o.perMinute === null) return true;
    return this.window(port, now).length < this.o.perMinute;
  }

  /**
   * The port for one recipient, or null when it has to wait: its sticky port while healthy (waiting for that port's
   * pace rather than switching SIMs), otherwise the next healthy port with capacity in round-robin order.
   */
  choose(stickyPort: string | undefined): string | null {
    if (stickyPort && this.isHealthy(stickyPort)) return this.hasCapacity(stickyPort) ? stickyPort : null;
    for (let i = 0; i < this.ports.length; i++) {
      const port = this.ports[(this.next + i) % this.ports.length]!;
      if (this.isHealthy(port) && this.hasCapacity(port)) {
        this.next = (this.next + i + 1) % this.ports.length;
        return port;
      }
    }
    return null;
  }

  /** Counts one send on `port` now. */
  take(port: string): void {
    const now = this.o.clock();
    const key = `${port}|${dayOf(now)}`;
    this.daily.set(key, (this.daily.get(key) ?? 0) + 1);
    if (this.o.perMinute !== null) this.window(port, now).push(now);
  }

  /** Gives back a send the gateway did not accept. */
  refund(port: string): void {
    const key = `${port}|${dayOf(this.o.clock())}`;
    this.daily.set(key, Math.max(0, (this.daily.get(key) ?? 0) - 1));
    this.recent.get(port)?.pop();
  }

  /** Epoch ms when some port regains pace capacity, or null when none is waiting on pace. */
  nextFreeAt(): number | null {
    if (this.o.perMinute === null) return null;
    let earliest: number | null = null;
    for (const port of this.ports) {
      const w = this.window(port, this.o.clock());
      if (w.length >= this.o.perMinute) earliest = Math.min(earliest ?? Infinity, w[0]! + MINUTE);
    }
    return earliest;
  }

  private window(port: string, now: number): number[] {
    const w = (this.recent.get(port) ?? []).filter((t) => t > now - MINUTE);
    this.recent.set(port, w);
    return w;
  }
}
