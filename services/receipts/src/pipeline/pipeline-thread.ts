import path from 'node:path';
import { SupervisedWorker } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { countFolded, type FoldCounts } from '../processing/receipt-processor';
import type { ProjectionControl } from '../projection/projection-runner';

/** What the worker is started with (plain data: it crosses the thread boundary). */
export interface PipelineWorkerData {
  readonly databaseUrl: string;
  /** The service schema (`<prefix>receipts`); the store is `<schema>_events`. */
  readonly schema: string;
  readonly logLevel: string;
}

export type ToPipelineWorker = { type: 'rebuild' } | { type: 'stop' };
export type FromPipelineWorker =
  | { type: 'ready'; generation: number }
  | { type: 'failed'; message: string }
  | { type: 'counts'; counts: FoldCounts }
  | { type: 'leading'; leading: boolean }
  | { type: 'rebuilt'; generation: number }
  | { type: 'rebuild-failed'; message: string };

const WORKER_FILE = path.join(__dirname, `pipeline.worker${path.extname(__filename)}`);

/**
 * The receipts pipeline's worker thread (pipeline.worker.ts), with its own database pool and store, so that the
 * webhook's event loop only parses and appends callbacks (one event loop running everything was the ingest limit).
 * Started and stopped by the service, restarted when it dies (service-kit's SupervisedWorker); what it runs resumes
 * from its checkpoints in the store.
 */
export class PipelineThread implements ProjectionControl {
  private readonly worker: SupervisedWorker<FromPipelineWorker>;
  private generation = 1;
  /** Whether the worker holds the pipeline lock (see InlinePipeline). */
  runsHere = false;
  private rebuilding: { promise: Promise<number>; settle: (err: Error | null, generation?: number) => void } | null = null;

  constructor(data: PipelineWorkerData, logger: Logger) {
    this.worker = new SupervisedWorker<FromPipelineWorker>(
      WORKER_FILE,
      data,
      'receipts pipeline thread',
      logger,
      (m) => {
        if (m.type === 'ready') this.generation = m.generation;
        else if (m.type === 'counts') countFolded(m.counts);
        else if (m.type === 'leading') this.runsHere = m.leading;
        else if (m.type === 'rebuilt') {
          this.generation = m.generation;
          this.rebuilding?.settle(null, m.generation);
        } else if (m.type === 'rebuild-failed') this.rebuilding?.settle(new Error(m.message));
      },
      () => {
        this.runsHere = false;
        this.rebuilding?.settle(new Error('the receipts pipeline stopped during the rebuild'));
      },
    );
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  get activeGeneration(): number {
    return this.generation;
  }

  get rebuildInProgress(): boolean {
    return this.rebuilding !== null;
  }

  rebuild(): Promise<number> {
    if (this.rebuilding) return this.rebuilding.promise;
    let settle!: (err: Error | null, generation?: number) => void;
    const promise = new Promise<number>((resolve, reject) => {
      settle = (err, generation) => {
        this.rebuilding = null;
        if (err) reject(err);
        else resolve(generation!);
      };
    });
    this.rebuilding = { promise, settle };
    if (!this.worker.post({ type: 'rebuild' } satisfies ToPipelineWorker)) settle(new Error('the receipts pipeline is not running'));
    return promise;
  }
}
