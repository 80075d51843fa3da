import { DuplicateEventError, type Database, type EventStore, type RecordedEvent, type Subscription } from '@dailydesk/event-store';
import { counter } from '@dailydesk/observability';
import type { Logger } from 'pino';
import { SMS_LIFECYCLE_OBSERVED } from '../lifecycle/lifecycle.events';
import { loadFolderState, readProcessorCheckpoint, saveFolderState } from './processor-tables';
import { needsOf, ReceiptFolder, type Derived } from './receipt-folder';

const NAME = 'receipts-processor';
const INPUTS = new Set([SMS_LIFECYCLE_OBSERVED, 'GatewayCallbackReceived', 'GatewayInboxPulled']);

const derivedTotal = counter({ name: 'receipts_derived_events_total', help: 'Receipt events derived from gateway callbacks', labelNames: ['type'] });
const droppedTotal = counter({ name: 'receipts_rows_dropped_total', help: 'Derived events the contract refused (kept only as raw callbacks)' });

/**
 * Subscription on the service's own store: folds raw callbacks and observed SmsSent into receipt events.
 * Per batch: load state → fold (pure) → append derived events (idempotent: same ids, same streams on a replay) →
 * save state and checkpoint in one transaction. A crash between the append and the save replays the batch
 * against the unchanged state, which derives the same events again: the append is then a no-op.
 */
export class ReceiptProcessor {
  private subscription: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription = this.store.subscribe({ name: NAME, batchSize: 200, pollIntervalMs: 250, logger: this.logger, handler: (e) => this.handle(e) });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  async handle(batch: RecordedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const done = await readProcessorCheckpoint(this.db, this.schema, NAME);
    const events = batch.filter((e) => e.globalPosition > done && INPUTS.has(e.event.type));
    const last = batch[batch.length - 1]!.globalPosition;
    if (last <= done) return;
    const state = await loadFolderState(this.db, this.schema, needsOf(events));
    const folder = new ReceiptFolder(state);
    for (const e of events) folder.apply(e);
    await this.append(folder.derived);
    for (const d of folder.derived) derivedTotal.inc({ type: d.event.type });
    if (folder.dropped.length > 0) {
      droppedTotal.inc(folder.dropped.length);
      this.logger.warn({ dropped: folder.dropped.slice(0, 5), count: folder.dropped.length }, 'receipts: derived events refused by the contract');
    }
    await saveFolderState(this.db, this.schema, state, { name: NAME, position: last });
  }

  private async append(derived: Derived[]): Promise<void> {
    const byStream = new Map<string, Derived['event'][]>();
    for (const d of derived) byStream.set(d.streamId, [...(byStream.get(d.streamId) ?? []), d.event]);
    await Promise.all(
      [...byStream].map(async ([streamId, events]) => {
        try {
          await this.store.appendToStream(streamId, events, { expectedVersion: 'any' });
        } catch (err) {
          if (!(err instanceof DuplicateEventError)) throw err;
          // Part of it was stored already (state saved with an older derivation): store the rest one by one.
          for (const e of events) {
            await this.store.appendToStream(streamId, [e], { expectedVersion: 'any' }).catch((inner: unknown) => {
              if (!(inner instanceof DuplicateEventError)) throw inner;
            });
          }
        }
      }),
    );
  }
}
