import type { Database, EventStore } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import { processorMigration } from '../processing/processor-tables';
import { countFolded, ReceiptProcessor, type FoldCounts } from '../processing/receipt-processor';
import { ProjectionRunner, type ProjectionControl } from '../projection/projection-runner';
import type { ParsedCallbacks } from '../webhook/parsed-callbacks';

/** The processor and the projections, started after their tables exist and stopped together. */
export interface ReceiptsPipeline {
  /** What the API asks of the projections (generation, rebuild), wherever they run. */
  readonly projections: ProjectionControl;
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
}

/** The pipeline on the calling thread's event loop (PGlite, `RECEIPTS_PIPELINE=inline`, and inside the worker). */
export class InlinePipeline implements ReceiptsPipeline {
  readonly processor: ReceiptProcessor;
  readonly projections: ProjectionRunner;

  constructor(private readonly o: InlinePipelineOptions) {
    this.processor = new ReceiptProcessor(o.store, o.db, o.schema, o.logger, o.parsed, o.report ?? countFolded);
    this.projections = new ProjectionRunner(o.store, o.db, o.schema, o.postgres, o.logger);
  }

  async start(): Promise<void> {
    await this.o.db.exec(processorMigration(this.o.schema));
    await this.projections.migrate();
    this.processor.start();
    this.projections.start();
  }

  async stop(): Promise<void> {
    await this.processor.stop();
    await this.projections.stop();
  }
}
