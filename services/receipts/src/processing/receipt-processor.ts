import type { EnvelopeBase } from '@dailydesk/contracts';
import { DuplicateEventError, type Database, type EventStore, type RecordedEvent, type Subscription } from '@dailydesk/event-store';
import { counter } from '@dailydesk/observability';
import type { Logger } from 'pino';
import { SMS_LIFECYCLE_OBSERVED } from '../lifecycle/lifecycle.events';
import type { ParsedCallbacks } from '../webhook/parsed-callbacks';
import { inputOf, needsOf, type FolderInput } from './folder-input';
import { loadFolderState, readProcessorCheckpoint, saveFolderState } from './processor-tables';
import { ReceiptFolder } from './receipt-folder';

const NAME = 'receipts-processor';
const INPUTS = new Set([SMS_LIFECYCLE_OBSERVED, 'GatewayCallbackReceived', 'GatewayInboxPulled']);
/** Prefix of the stream a batch's derived events go to: `derived-<id of the batch's first input event>`. */
export const DERIVED_STREAM = 'derived';

const derivedTotal = counter({ name: 'receipts_derived_events_total', help: 'Receipt events derived from gateway callbacks', labelNames: ['type'] });
const droppedTotal = counter({ name: 'receipts_rows_dropped_total', help: 'Derived events the contract refused (kept only as raw callbacks)' });

/**
 * Rows folded into one append. A batch read behind a burst holds up to 2,000 callbacks of 100 rows: appended at
 * once, that is 200k derived events, one append holding the store's append lock (the webhook's appends wait) for
 * seconds, and nothing reaches the projection until all of it is stored. Folded in chunks, the projection works
 * on one chunk while the next is folded.
 */
export const MAX_ROWS_PER_APPEND = 2_000;
/** Events looked at per read (the store returns the inputs among them). */
const READ_WINDOW = 8_000;
/** Report rows folded between two saves of the state (bounds the state and derived events held in memory). */
const MAX_ROWS_PER_FOLD = 20_000;

/** Consecutive runs of inputs with at most `maxRows` report rows each (an input with more rows is a run of its own). */
export function chunksOf(inputs: FolderInput[], maxRows: number): FolderInput[][] {
  const chunks: FolderInput[][] = [];
  let current: FolderInput[] = [];
  let rows = 0;
  for (const input of inputs) {
    const n = Math.max(1, input.sr.length + input.recv.length);
    if (current.length > 0 && rows + n > maxRows) {
      chunks.push(current);
      current = [];
      rows = 0;
    }
    current.push(input);
    rows += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What one folded batch derived (per event type) and dropped: counted in the process's metrics. */
export interface FoldCounts {
  readonly derived: Record<string, number>;
  readonly dropped: number;
}

/** Adds a batch's counts to this thread's metrics (the service's /metrics when it is the main thread). */
export function countFolded(counts: FoldCounts): void {
  for (const [type, n] of Object.entries(counts.derived)) derivedTotal.inc({ type }, n);
  if (counts.dropped > 0) droppedTotal.inc(counts.dropped);
}

/**
 * Subscription on the service's own store: folds raw callbacks and observed SmsSent into receipt events.
 * Per batch: load state → fold (pure) → append derived events, a chunk at a time (idempotent: same ids on a replay),
 * each chunk's receipts then projected (`project`) → save state and checkpoint in one statement. A crash between the append and the save replays from the same checkpoint against
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
    /** Where a batch's counts go; a worker thread sends them to the main thread, whose registry /metrics serves. */
    private readonly report: (counts: FoldCounts) => void = countFolded,
    /** Report rows folded per append (a callback is never split). See {@link chunksOf}. */
    private readonly maxRowsPerAppend = MAX_ROWS_PER_APPEND,
    /**
     * Called after each append with the chunk's derived events (those stored before included) and the store position
     * of the last one appended (0 when all were stored before): the projections' `projectReceipts`. The state is saved
     * only after every call of the batch has resolved.
     */
    private readonly project: ((events: EnvelopeBase[], position: number) => Promise<void>) | null = null,
  ) {}

  start(): void {
    this.done = null; // another replica may have run the processor since this one last did
    // The global log is mostly its own derived events (one per report row): the store skips them (`types`), so they
    // are neither sent nor decoded. The window is wide because of them: in a window of 2,000 events behind a burst,
    // a batch saw ~20 callbacks, then the next reads scanned only its own derived events (a round trip each, and
    // a checkpoint store), and the fixed costs of a batch (read, load, save, checkpoint) were paid per ~2,000 rows.
    this.subscription = this.store.subscribe({
      name: NAME, batchSize: READ_WINDOW, pollIntervalMs: 250, types: [...INPUTS], logger: this.logger, handler: (e) => this.handle(e),
    });
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
    // A wide window read behind a long backlog may hold many callbacks: folded and saved in parts of bounded rows, each
    // with its own checkpoint (a crash in between replays only the parts after the last saved one).
    for (const part of chunksOf(inputs, MAX_ROWS_PER_FOLD)) await this.foldPart(part, part[part.length - 1]!.recorded.globalPosition);
  }

  private async foldPart(inputs: FolderInput[], last: number): Promise<void> {
    const started = performance.now();
    const state = await loadFolderState(this.db, this.schema, needsOf(inputs));
    const loaded = performance.now();
    const folder = new ReceiptFolder(state);
    // Each chunk's events are appended while the next chunk is folded, and projected while the next is appended;
    // appends stay in order, and so do projections (each after its own append).
    let appending: Promise<number> = Promise.resolve(0);
    let projecting: Promise<unknown> = Promise.resolve();
    for (const chunk of chunksOf(inputs, this.maxRowsPerAppend)) {
      const from = folder.derived.length;
      for (const input of chunk) folder.apply(input);
      await appending;
      if (folder.derived.length > from) {
        const events = folder.derived.slice(from);
        const appended = this.append(`${DERIVED_STREAM}-${chunk[0]!.recorded.event.id}`, events);
        const previous = projecting;
        projecting = appended.then(async (position) => {
          await previous;
          await this.project?.(events, position);
        });
        appending = appended;
        // Both are awaited above or below; this only keeps a failure meanwhile from being reported as "unhandled".
        appending.catch(() => undefined);
        projecting.catch(() => undefined);
      }
    }
    await appending;
    await projecting;
    const appended = performance.now();
    const derived: Record<string, number> = {};
    for (const d of folder.derived) derived[d.type] = (derived[d.type] ?? 0) + 1;
    this.report({ derived, dropped: folder.dropped.length });
    if (folder.dropped.length > 0) {
      this.logger.warn({ dropped: folder.dropped.slice(0, 5), count: folder.dropped.length }, 'receipts: derived events refused by the contract');
    }
    await saveFolderState(this.db, this.schema, state, { name: NAME, position: last });
    this.done = last;
    const ms = (a: number, b: number) => Math.round(b - a);
    this.logger.debug(
      { inputs: inputs.length, derived: folder.derived.length, loadMs: ms(started, loaded), foldAndAppendMs: ms(loaded, appended), saveMs: ms(appended, performance.now()) },
      'receipts: folded a batch',
    );
  }

  /**
   * One append per chunk of the batch. The stream is named after the chunk's first input; a replay starts from the
   * same checkpoint (it moved only with the state), so a repeat of the same batch is a no-op. A replay whose batch
   * or chunks end elsewhere overlaps what is stored: the store then names the ids it already holds, and only the
   * others are appended — every derived id is stored exactly once whatever the batch and chunk boundaries.
   */
  private async append(streamId: string, events: EnvelopeBase[]): Promise<number> {
    let rest = events;
    for (let attempt = 0; rest.length > 0; attempt++) {
      try {
        return (await this.store.appendToStream(streamId, rest, { expectedVersion: 'any' })).lastGlobalPosition;
      } catch (err) {
        if (!(err instanceof DuplicateEventError) || attempt >= 3) throw err;
        const stored = new Set(err.eventIds);
        rest = rest.filter((e) => !stored.has(e.id));
      }
    }
    return 0;
  }
}
