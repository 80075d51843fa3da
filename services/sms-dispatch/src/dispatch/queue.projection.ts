import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import { foldQueueEvents } from './queue-fold';
import { StageStats } from './stage-stats';

type BatchListener = (events: RecordedEvent[]) => void;

/**
 * Folds this service's own events into its tables: the durable queue (`messages`), consent, and the sticky
 * recipient → port map. One statement per subscription batch (a message queued and finished within one batch is
 * written once, in its final state); every statement is idempotent (redelivered batches are harmless) and a
 * message's state never moves backwards. Nothing waits for this fold on the way to the gateway: the dispatcher keeps
 * its own queue in memory (`waiting-queue.ts`) and reads this table only when it takes over.
 */
export class QueueProjection {
  private subscription: Subscription | null = null;
  private readonly listeners = new Set<BatchListener>();
  /** Last position folded into the tables (ahead of `position` while the checkpoint is being stored). */
  foldedUpTo = 0;
  /** Batches and {@link exclusive} sections run one at a time, in order. */
  private tail: Promise<unknown> = Promise.resolve();

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
      batchSize: 5000,
      logger: this.logger,
      handler: (events) =>
        this.exclusive(async () => {
          await this.stats.time('projection', events.length, () => foldQueueEvents(this.db, this.schema, events));
          this.foldedUpTo = Math.max(this.foldedUpTo, events[events.length - 1]!.globalPosition);
          for (const l of this.listeners) l(events);
        }),
    });
  }

  /** Called with each folded batch, in order, before the next one is folded. */
  onApplied(listener: BatchListener): void {
    this.listeners.add(listener);
  }

  /** Runs `fn` while no batch is being folded (the dispatcher loads its queue from the table this way). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
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
}
