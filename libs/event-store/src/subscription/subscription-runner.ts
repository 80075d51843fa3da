import type { EventStore, GlobalPosition, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { WakeSignal } from './wake-signal';

/** Events of some types among those looked at, and the position of the last one looked at (null: none readable). */
export interface TypedRead {
  readonly events: RecordedEvent[];
  readonly scannedTo: GlobalPosition | null;
}

type Source = Pick<EventStore, 'readAll' | 'readCheckpoint' | 'storeCheckpoint'> & {
  /** A store that filters by type itself (SQL); others are read whole and filtered here. */
  readAllOfTypes?(after: GlobalPosition, limit: number, types: readonly string[]): Promise<TypedRead>;
};

const MAX_BACKOFF_MS = 5_000;
/**
 * While batches keep coming, the checkpoint is stored at most this often; at once when the subscription has caught up
 * (a read finds nothing new) and when it stops. A crash repeats at most this much more (handlers are idempotent). Why:
 * in an sms-dispatch drain a store per batch was ~130 of its ~700 statements, and every round trip wakes PostgreSQL,
 * which on a 2-core machine takes the core from the service.
 */
const CHECKPOINT_EVERY_MS = 250;

/**
 * The subscription loop every adapter shares: read from the checkpoint, hand the batch over, store the checkpoint,
 * sleep until woken by an append (or the polling period). Errors back off and retry the same batch.
 */
export class SubscriptionRunner implements Subscription {
  private current: GlobalPosition = 0;
  private stopped = false;
  private readonly signal = new WakeSignal();
  /** Highest position announced by an append (local, or in another process's NOTIFY). */
  private announced: GlobalPosition = 0;
  private readonly done: Promise<void>;
  private readonly unlisten: () => void;

  constructor(
    private readonly source: Source,
    private readonly options: SubscribeOptions,
    listen: (wake: (lastPosition?: number) => void) => () => void,
  ) {
    if (!options.name) throw new Error('a subscription needs a name (its checkpoint)');
    this.unlisten = listen((lastPosition) => {
      if (lastPosition !== undefined && lastPosition > this.announced) this.announced = lastPosition;
      this.signal.wake();
    });
    this.done = this.run();
  }

  get position(): GlobalPosition {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signal.wake();
    this.unlisten();
    await this.done;
  }

  private async read(limit: number): Promise<TypedRead> {
    const types = this.options.types;
    if (types && this.source.readAllOfTypes) return this.source.readAllOfTypes(this.current, limit, types);
    const all = await this.source.readAll(this.current, limit);
    const scannedTo = all.length === 0 ? null : all[all.length - 1]!.globalPosition;
    return { events: types ? all.filter((e) => types.includes(e.event.type)) : all, scannedTo };
  }

  private async run(): Promise<void> {
    const { name, handler, logger } = this.options;
    /** A checkpoint the handler reached but not stored yet, and when one was last stored. */
    let unstored: GlobalPosition | null = null;
    let storedAt = -Infinity;
    /** Stores the newest checkpoint (they never move back), which covers any older one left unstored. */
    const store = async (checkpoint: GlobalPosition): Promise<void> => {
      await this.source.storeCheckpoint(name, checkpoint);
      storedAt = performance.now();
      unstored = null;
    };
    const batchSize = this.options.batchSize ?? 500;
    const pollMs = this.options.pollIntervalMs ?? 1_000;
    let failures = 0;
    let loaded = false;
    /** Empty reads in a row while an announced append is not readable yet. */
    let heldBack = 0;
    while (!this.stopped) {
      try {
        if (!loaded) {
          this.current = await this.source.readCheckpoint(name);
          loaded = true;
        }
        const { events: batch, scannedTo: last } = await this.read(batchSize);
        if (last === null) {
          if (unstored !== null) await store(unstored);
          // An append announced beyond what we could read is held back: an older transaction somewhere in the cluster
          // still runs (the SQL stores' visibility rule). Look again 10, 20, 40 … ms later, up to the polling period,
          // so it is read soon after that transaction ends, not a whole polling period later.
          const held = this.announced > this.current;
          await this.signal.sleep(held ? Math.min(pollMs, 10 * 2 ** heldBack) : pollMs);
          heldBack = held ? heldBack + 1 : 0;
          continue;
        }
        heldBack = 0;
        const held = batch.length > 0 ? await handler(batch) : undefined;
        const checkpoint = typeof held?.checkpointAt === 'number' ? Math.min(held.checkpointAt, last) : last;
        if (performance.now() - storedAt >= CHECKPOINT_EVERY_MS) await store(checkpoint);
        else unstored = checkpoint;
        this.current = last;
        failures = 0;
      } catch (err) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(failures, 7));
        logger?.error({ err, subscription: name, position: this.current, failures }, 'subscription batch failed; retrying');
        await this.signal.sleep(delay);
      }
    }
    if (unstored !== null) {
      await store(unstored).catch((err: unknown) => logger?.error({ err, subscription: name }, 'storing the checkpoint at stop failed'));
    }
  }
}
