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
  /** Position ranges this process folded itself (committed); the subscription passes over them. */
  private folded: Array<[number, number]> = [];

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
        const todo = events.filter((e) => !this.foldedAlready(e.globalPosition));
        const last = events[events.length - 1]!.globalPosition;
        this.folded = this.folded.filter(([, to]) => to > last);
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
    if (events.length === 0) return;
    const first = lastGlobalPosition - events.length + 1;
    await this.stats.time('eager-fold', events.length, () => this.apply(events.map((event, i) => ({ event, globalPosition: first + i }))));
    if (lastGlobalPosition > this.position) this.folded.push([first, lastGlobalPosition]);
  }

  private foldedAlready(position: number): boolean {
    return this.folded.some(([from, to]) => position >= from && position <= to);
  }

  private async apply(events: ReadonlyArray<Pick<RecordedEvent, 'event' | 'globalPosition'>>): Promise<void> {
    await foldQueueEvents(this.db, this.schema, events);
  }
}
