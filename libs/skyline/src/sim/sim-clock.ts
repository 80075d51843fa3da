/** The simulator's notion of time. Virtual time runs `1 / timeScale` times faster than the wall clock. */
export interface SimClock {
  /** Virtual epoch milliseconds. */
  now(): number;
  /** Runs `fn` after `virtualMs` of virtual time; returns a cancel function. */
  after(virtualMs: number, fn: () => void): () => void;
  /** Real milliseconds that correspond to `virtualMs`. */
  toReal(virtualMs: number): number;
  /** Cancels every pending timer (on reset and close). */
  cancelAll(): void;
}

/**
 * A clock whose virtual time starts at `startEpochMs` and advances `1 / timeScale` virtual ms per real ms
 * (timeScale 0.001: a 30 s report period takes 30 real ms).
 */
export function createScaledClock(timeScale: number, startEpochMs: number): SimClock {
  if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
  const realStart = performance.now();
  const timers = new Set<NodeJS.Timeout>();
  return {
    now: () => Math.floor(startEpochMs + (performance.now() - realStart) / timeScale),
    toReal: (virtualMs) => virtualMs * timeScale,
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    after(virtualMs, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, Math.max(0, virtualMs * timeScale));
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
  };
}
