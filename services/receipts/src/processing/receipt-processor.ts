import type { EnvelopeBase } from '@dailydesk/contracts';
import { DuplicateEventError, type Database, type EventStore, type RecordedEvent, type Subscription } from '@dailydesk/event-store';
import { counter } from '@dailydesk/observability';
import type { Logger } from 'pino';
import { SMS_LIFECYCLE_OBSERVED } from '../lifecycle/lifecycle.events';
import type { ParsedCallbacks } from '../webhook/parsed-callbacks';
import { inputOf, needsOf } from './folder-input';
import { loadFolderState, readProcessorCheckpoint, saveFolderState } from './processor-tables';
import { ReceiptFolder } from './receipt-folder';

const NAME = 'receipts-processor';
const INPUTS = new Set([SMS_LIFECYCLE_OBSERVED, 'GatewayCallbackReceived', 'GatewayInboxPulled']);
/** Prefix of the stream a batch's derived events go to: `derived-<id of the batch's first input event>`. */
export const DERIVED_STREAM = 'derived';

const derivedTotal = counter({ name: 'receipts_derived_events_total', help: 'Receipt events derived from gateway callbacks', labelNames: ['type'] });
const droppedTotal = counter({ name: 'receipts_rows_dropped_total', help: 'Derived events the contract refused (kept only as raw callbacks)' });

/**
 * Subscription on the service's own store: folds raw callbacks and observed SmsSent into receipt events.
 * Per batch: load state → fold (pure) → append derived events (idempotent: same ids on a replay) → save state and
 * checkpoint in one transaction. A crash between the append and the save replays from the same checkpoint against
 * the unchanged state, which derives the same ids again; what is stored already is not stored twice (see append).
 */
export class ReceiptProcessor {
  private subscription: Subscription | null = null;
  /** The stored checkpoint as of our last save; read again after any failure (single replica, see README). */
  private done: number | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
    private readonly parsed?: ParsedCallbacks,
  ) {}

  start(): void {
    // The global log it reads is mostly its own derived events (one per report row), which it only skips: large
    // batches skip them in few reads. Inputs per batch stay bounded by the body limit of each callback.
    this.subscription = this.store.subscribe({ name: NAME, batchSize: 2000, pollIntervalMs: 250, logger: this.logger, handler: (e) => this.handle(e) });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  async handle(batch: RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.fold(batch);
    } catch (err) {
      this.done = null;
      throw err;
    }
  }

  private async fold(batch: RecordedEvent[]): Promise<void> {
    const done = this.done ?? (await readProcessorCheckpoint(this.db, this.schema, NAME));
    const last = batch[batch.length - 1]!.globalPosition;
    if (last <= done) return;
    const take = this.parsed ? (id: string) => this.parsed!.take(id) : undefined;
    const inputs = batch.filter((e) => e.globalPosition > done && INPUTS.has(e.event.type)).map((e) => inputOf(e, take));
    // Nothing to fold (our own derived events): the stored checkpoint may stay behind, a replay skips them again.
    if (inputs.length === 0) return;
    const state = await loadFolderState(this.db, this.schema, needsOf(inputs));
    const folder = new ReceiptFolder(state);
    for (const input of inputs) folder.apply(input);
    if (folder.derived.length > 0) await this.append(`${DERIVED_STREAM}-${inputs[0]!.recorded.event.id}`, folder.derived);
    for (const d of folder.derived) derivedTotal.inc({ type: d.type });
    if (folder.dropped.length > 0) {
      droppedTotal.inc(folder.dropped.length);
      this.logger.warn({ dropped: folder.dropped.slice(0, 5), count: folder.dropped.length }, 'receipts: derived events refused by the contract');
    }
    await saveFolderState(this.db, this.schema, state, { name: NAME, position: last });
    this.done = last;
  }

  /**
   * One append for the whole batch. The stream is named after the batch's first input, which a replay starts
   * from again (the checkpoint moved only with the state), so a repeat of the same batch is a no-op. A replay
   * whose batch ends elsewhere overlaps what is stored: the store then names the ids it already holds, and only
   * the others are appended — every derived id is stored exactly once whatever the batch boundaries.
   */
  private async append(streamId: string, events: EnvelopeBase[]): Promise<void> {
    let rest = events;
    for (let attempt = 0; rest.length > 0; attempt++) {
      try {
        await this.store.appendToStream(streamId, rest, { expectedVersion: 'any' });
        return;
      } catch (err) {
        if (!(err instanceof DuplicateEventError) || attempt >= 3) throw err;
        const stored = new Set(err.eventIds);
        rest = rest.filter((e) => !stored.has(e.id));
      }
    }
  }
}
