import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import { foldQueueEvents } from './queue-fold';
import { StageStats } from './stage-stats';

/**
 * Folds this service's own events into its tables: the durable queue (`messages`), consent, and the sticky
 * recipient → port map. One transaction per batch; every statement is idempotent (redelivered batches are harmless)
 * and a message's state never moves backwards.
 */
export class QueueProjection {
  private subscription: Subscription | null = null;
  private readonly listeners = new Set<(position: number) => void>();
  /**
   * Position ranges this process is folding or has folded itself; the subscription waits for a fold in progress
   * (it reads an append as soon as it commits, usually while its eager fold still runs) and passes over a range whose
   * fold succeeded, instead of folding the same rows again and queueing on their row locks.
   */
  private folded: Array<{ from: number; to: number; done: Promise<boolean> }> = [];

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
    private readonly stats = new StageStats(),
  ) {}

  start(): void {
    this.subscription = this.store.subscribe({
      name: 'sms-dispatch-queue',
      batchSize: 2000,
      logger: this.logger,
      handler: async (events) => {
        const last = events[events.length - 1]!.globalPosition;
        const first = events[0]!.globalPosition;
        const ranges = this.folded.filter((r) => r.to >= first && r.from <= last);
        const ok = await Promise.all(ranges.map((r) => r.done));
        const skip = ranges.filter((_, i) => ok[i]);
        const todo = skip.length === 0 ? events : events.filter((e) => !skip.some((r) => e.globalPosition >= r.from && e.globalPosition <= r.to));
        this.folded = this.folded.filter((r) => r.to > last);
        if (todo.length > 0) await this.stats.time('projection', todo.length, () => this.apply(todo));
        for (const l of this.listeners) l(last);
      },
    });
  }

  /** Called after each applied batch with its last position. */
  onApplied(listener: (position: number) => void): void {
    this.listeners.add(listener);
  }

  get position(): number {
    return this.subscription?.position ?? 0;
  }

  /** Resolves once every event stored before the call is applied. */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.store.readAll(this.position, 1)).length === 0) return;
      if (Date.now() > deadline) throw new Error('sms-dispatch queue projection did not catch up');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /**
   * Folds events this process has just appended (one append: consecutive positions ending at `lastGlobalPosition`)
   * without waiting for the subscription: the same idempotent statements, so the subscription's later pass over them
   * changes nothing and a rebuild from the log gives the same rows. This is what lets the dispatcher see a request
   * as soon as it is durable.
   */
  async applyAppended(events: readonly EnvelopeBase[], lastGlobalPosition: number): Promise<void> {
    await this.applyAppendedBatches([{ events, lastGlobalPosition }]);
  }

  /** {@link applyAppended} for several appends in ONE statement (intake folds the batches stored while it folded). */
  async applyAppendedBatches(batches: ReadonlyArray<{ events: readonly EnvelopeBase[]; lastGlobalPosition: number }>): Promise<void> {
    const recorded: Array<Pick<RecordedEvent, 'event' | 'globalPosition'>> = [];
    const ranges: Array<{ from: number; to: number }> = [];
    for (const { events, lastGlobalPosition } of batches) {
      if (events.length === 0) continue;
      const first = lastGlobalPosition - events.length + 1;
      events.forEach((event, i) => recorded.push({ event, globalPosition: first + i }));
      ranges.push({ from: first, to: lastGlobalPosition });
    }
    if (recorded.length === 0) return;
    recorded.sort((a, b) => a.globalPosition - b.globalPosition);
    const run = this.stats.time('eager-fold', recorded.length, () => this.apply(recorded));
    const done = run.then(
      () => true,
      () => false,
    );
    for (const r of ranges) if (r.to > this.position) this.folded.push({ ...r, done });
    await run;
  }

  private async apply(events: ReadonlyArray<Pick<RecordedEvent, 'event' | 'globalPosition'>>): Promise<void> {
    await foldQueueEvents(this.db, this.schema, events);
  }
}
