import type { Database, EventStore, Leadership } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import { processorMigration } from '../processing/processor-tables';
import { countFolded, ReceiptProcessor, type FoldCounts } from '../processing/receipt-processor';
import { ProjectionRunner, type ProjectionControl } from '../projection/projection-runner';
import type { ParsedCallbacks } from '../webhook/parsed-callbacks';

/** The processor and the projections, started after their tables exist and stopped together. */
export interface ReceiptsPipeline {
  /** What the API asks of the projections (generation, rebuild), wherever they run. */
  readonly projections: ProjectionControl & { readonly runsHere: boolean };
  /** Migrates the pipeline's tables, then starts folding and projecting; resolves once both run. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link InlinePipeline}. */
export interface InlinePipelineOptions {
  readonly store: EventStore;
  readonly db: Database;
  readonly schema: string;
  /** PostgreSQL (analyst role) rather than PGlite. */
  readonly postgres: boolean;
  readonly logger: Logger;
  /** The webhook's parses, when the webhook runs in the same thread. */
  readonly parsed?: ParsedCallbacks;
  readonly report?: (counts: FoldCounts) => void;
  /** Called when this replica starts or stops running the pipeline. */
  readonly onLeading?: (leading: boolean) => void;
  /** How often a standby tries to take over, and the leader checks its lock (ms, default 1000). */
  readonly leadershipCheckMs?: number;
}

/** Leadership name: one processor and one projection writer per installation. */
const LEADERSHIP = 'receipts-pipeline';

/**
 * The pipeline on the calling thread's event loop (PGlite, `RECEIPTS_PIPELINE=inline`, and inside the worker).
 * Every replica ingests callbacks, but only the holder of the store's `receipts-pipeline` lock runs the processor
 * and the projections (their state tables and checkpoints are single-writer); the others retry every second and
 * take over, from the checkpoints, when the holder stops or dies (its lock is a PostgreSQL session lock).
 */
export class InlinePipeline implements ReceiptsPipeline {
  readonly processor: ReceiptProcessor;
  readonly runner: ProjectionRunner;
  readonly projections: ProjectionControl & { readonly runsHere: boolean };
  private leadership: Leadership | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly o: InlinePipelineOptions) {
    this.runner = new ProjectionRunner(o.store, o.db, o.schema, o.postgres, o.logger);
    const runner = this.runner;
    // The processor projects its receipts itself, right after each append (the projection does not read them back).
    this.processor = new ReceiptProcessor(o.store, o.db, o.schema, o.logger, o.parsed, o.report ?? countFolded, undefined, (events, position) =>
      runner.projectReceipts(events, position),
    );
    const leading = () => this.leading;
    this.projections = {
      get activeGeneration() {
        return runner.activeGeneration;
      },
      get rebuildInProgress() {
        return runner.rebuildInProgress;
      },
      get runsHere() {
        return leading();
      },
      rebuild: () => (leading() ? runner.rebuild() : Promise.reject(new Error('the projections run on another replica'))),
    };
  }

  get leading(): boolean {
    return this.leadership?.held === true;
  }

  /** Migrates the tables, then runs the pipeline if this replica gets the lock (else keeps trying in the background). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.o.db.exec(processorMigration(this.o.schema));
    await this.runner.migrate();
    await this.check();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.turn;
    await this.resign();
  }

  private check(): Promise<void> {
    this.turn = this.turn.then(async () => {
      if (this.stopped) return;
      try {
        if (this.leadership && !this.leadership.held) {
          this.o.logger.warn('receipts: lost the pipeline lock; stops processing');
          await this.resign();
        }
        if (!this.leadership) {
          const leadership = await this.o.store.tryAcquireLeadership(LEADERSHIP);
          if (leadership) {
            try {
              // Another replica may have swapped generations or moved checkpoints meanwhile: read them again.
              await this.runner.migrate();
            } catch (err) {
              await leadership.release(); // holding the lock without running would stop every replica's pipeline
              throw err;
            }
            this.leadership = leadership;
            this.processor.start();
            this.runner.start();
            this.o.onLeading?.(true);
            this.o.logger.info('receipts: running the processor and the projections');
          }
        }
      } catch (err) {
        this.o.logger.error({ err }, 'receipts: pipeline leadership check failed');
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.check(), this.o.leadershipCheckMs ?? 1000);
        this.timer.unref();
      }
    });
    return this.turn;
  }

  private async resign(): Promise<void> {
    const leadership = this.leadership;
    if (!leadership) return;
    await this.processor.stop();
    await this.runner.stop();
    this.leadership = null;
    await leadership.release();
    this.o.onLeading?.(false);
  }
}
