/** Where the scheduler loop gets time from: the system clock in production, a {@link ManualClock} in tests. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that moves only when told: `advance(ms)` wakes every sleeper whose time has come. */
export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<{ until: number; wake: () => void }>();

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const sleeper = { until: this.current + Math.max(0, ms), wake: () => done() };
      const done = () => {
        this.sleepers.delete(sleeper);
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.sleepers.add(sleeper);
      if (ms <= 0) done();
    });
  }

  /** Moves time forward and wakes the sleepers that are due. */
  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
    for (const s of [...this.sleepers]) if (s.until <= this.current) s.wake();
  }

  /** Number of sleepers waiting (tests: the loop is idle once it sleeps). */
  get waiting(): number {
    return this.sleepers.size;
  }
}
