/** Time and items per pipeline stage (intake append, projection, pick, assign, POST, outcome append), for the benchmark and /metrics-free profiling. */
export interface StageTotals {
  calls: number;
  items: number;
  ms: number;
}

/** Accumulates wall time per stage; cheap enough to stay on (two performance.now() calls per stage run). */
export class StageStats {
  private readonly totals = new Map<string, StageTotals>();

  async time<T>(stage: string, items: number, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.add(stage, items, performance.now() - started);
    }
  }

  add(stage: string, items: number, ms: number): void {
    const t = this.totals.get(stage) ?? { calls: 0, items: 0, ms: 0 };
    t.calls += 1;
    t.items += items;
    t.ms += ms;
    this.totals.set(stage, t);
  }

  snapshot(): Record<string, StageTotals> {
    return Object.fromEntries([...this.totals].map(([k, v]) => [k, { ...v }]));
  }

  reset(): void {
    this.totals.clear();
  }
}
