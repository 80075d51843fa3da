import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import type { QueueRow } from './outcome-events';
import { HOLD_LIMITS, QueueFold, type HoldLimits } from './queue-fold';
import { StageStats } from './stage-stats';

type BatchListener = (events: RecordedEvent[]) => void;

/**
 * Folds this service's own events into its tables (`queue-fold.ts`): the durable queue (`messages`, for texts that
 * wait long; the others are held in memory with the checkpoint before them), consent, and the sticky recipient → port
 * map. Only the replica whose dispatcher leads folds (they would all fold the same events into the same rows:
 * idempotent, but paid once per replica); standbys read the tables the leader keeps. Nothing waits for this fold on
 * the way to the gateway: the dispatcher keeps its own queue in memory (`waiting-queue.ts`) and reads the table and
 * the held texts only when it takes over.
 */
export class QueueProjection {
  private subscription: Subscription | null = null;
  private readonly listeners = new Set<BatchListener>();
  private fold: QueueFold;
  /** Last position folded into the tables (ahead of `position` while the checkpoint is being stored). */
  foldedUpTo = 0;
  /** Batches and {@link exclusive} sections run one at a time, in order. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Messages whose outcome this process has stored: not parked in the table (see QueueFold). */
  outcomeStored: (messageId: string) => boolean = () => false;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
    private readonly stats = new StageStats(),
    private readonly holdLimits: HoldLimits = HOLD_LIMITS,
  ) {
    this.fold = this.newFold();
  }

  private newFold(): QueueFold {
    const fold = new QueueFold(this.db, this.schema, this.holdLimits);
    fold.outcomeStored = (id) => this.outcomeStored(id);
    return fold;
  }

  /** Starts folding (the dispatcher does, when its replica takes over); a no-op while running. */
  start(): void {
    if (this.subscription) return;
    // A new run reads the log again from the stored checkpoint, which lies before every text the last run held.
    this.fold = this.newFold();
    this.foldedUpTo = 0;
    const fold = this.fold;
    this.subscription = this.store.subscribe({
      name: 'sms-dispatch-queue',
      batchSize: 5000,
      logger: this.logger,
      handler: (events) =>
        this.exclusive(async () => {
          const held = await this.stats.time('projection', events.length, () => fold.apply(events));
          this.foldedUpTo = Math.max(this.foldedUpTo, events[events.length - 1]!.globalPosition);
          for (const l of this.listeners) l(events);
          return held === null ? undefined : { checkpointAt: held };
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

  /** Stops folding after the batch in progress; {@link start} may run it again. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
  }

  /** Waiting texts the fold holds in memory, not in `messages` (inside {@link exclusive}: as of {@link foldedThrough}). */
  heldRows(): QueueRow[] {
    return this.fold.heldRows();
  }

  /** Last position the tables and held texts reflect everything up to (inside {@link exclusive}: no batch half applied). */
  get foldedThrough(): number {
    return Math.max(this.foldedUpTo, this.position);
  }
}
