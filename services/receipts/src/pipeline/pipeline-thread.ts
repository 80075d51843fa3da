import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { countFolded, type FoldCounts } from '../processing/receipt-processor';
import type { ProjectionControl } from '../projection/projection-runner';

/** What the worker is started with (plain data: it crosses the thread boundary). */
export interface PipelineWorkerData {
  readonly databaseUrl: string;
  readonly natsServers: string[];
  readonly natsNamespace: string;
  /** The service schema (`<prefix>receipts`); the store is `<schema>_events`. */
  readonly schema: string;
  readonly logLevel: string;
  /** `pipeline`: the processor and the projections; `relay`: the relay publishing the service's public events. */
  readonly role: 'pipeline' | 'relay';
}

export type ToPipelineWorker = { type: 'rebuild' } | { type: 'stop' };
export type FromPipelineWorker =
  | { type: 'ready'; generation: number }
  | { type: 'failed'; message: string }
  | { type: 'counts'; counts: FoldCounts }
  | { type: 'rebuilt'; generation: number }
  | { type: 'rebuild-failed'; message: string };

const WORKER_FILE = path.join(__dirname, `pipeline.worker${path.extname(__filename)}`);
const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 1_000;
// The pipeline allocates a short-lived object graph per event read, folded and published: with V8's default young
// generation, scavenges took 23-25 % of the thread's CPU in the benchmark; with 128 MB, 7-13 % (a few more MB of RSS).
const YOUNG_GENERATION_MB = 128;

/** Sources run through @swc-node/register (scripts, jest's ts files): the worker needs the same loader. */
function workerExecArgv(): string[] {
  const argv = process.execArgv;
  const ts = path.extname(__filename) === '.ts';
  return ts && !argv.some((a) => a.includes('@swc-node/register')) ? [...argv, '-r', '@swc-node/register'] : argv;
}

/**
 * One worker thread of the service (see pipeline.worker.ts for its roles), with its own database pool and store,
 * so that the webhook's event loop only parses and appends callbacks (one event loop running everything was the
 * ingest limit). Started and stopped by the service; a worker that dies is started again (what it runs resumes
 * from its checkpoints in the store).
 */
export class PipelineThread implements ProjectionControl {
  private worker: Worker | null = null;
  private generation = 1;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private rebuilding: { promise: Promise<number>; settle: (err: Error | null, generation?: number) => void } | null = null;

  constructor(
    private readonly data: PipelineWorkerData,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToPipelineWorker);
    const timer = setTimeout(() => {
      this.logger.warn('receipts: pipeline worker did not stop in time; terminating it');
      void worker.terminate();
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  get activeGeneration(): number {
    return this.generation;
  }

  get rebuildInProgress(): boolean {
    return this.rebuilding !== null;
  }

  rebuild(): Promise<number> {
    if (this.rebuilding) return this.rebuilding.promise;
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the receipts pipeline is not running'));
    let settle!: (err: Error | null, generation?: number) => void;
    const promise = new Promise<number>((resolve, reject) => {
      settle = (err, generation) => {
        this.rebuilding = null;
        if (err) reject(err);
        else resolve(generation!);
      };
    });
    this.rebuilding = { promise, settle };
    worker.postMessage({ type: 'rebuild' } satisfies ToPipelineWorker);
    return promise;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_FILE, { workerData: this.data, execArgv: workerExecArgv(), resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      this.worker = worker;
      let ready = false;
      let failure: string | null = null;
      worker.on('message', (m: FromPipelineWorker) => {
        if (m.type === 'ready') {
          ready = true;
          this.generation = m.generation;
          resolve();
        } else if (m.type === 'failed') failure = m.message;
        else if (m.type === 'counts') countFolded(m.counts);
        else if (m.type === 'rebuilt') {
          this.generation = m.generation;
          this.rebuilding?.settle(null, m.generation);
        } else this.rebuilding?.settle(new Error(m.message));
      });
      worker.on('error', (err) => {
        failure ??= err.message;
        this.logger.error({ err }, 'receipts: pipeline worker failed');
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        this.rebuilding?.settle(new Error('the receipts pipeline stopped during the rebuild'));
        if (!ready) return reject(new Error(`receipts pipeline worker did not start: ${failure ?? `exit code ${code}`}`));
        if (this.stopping) return;
        this.logger.error({ code }, 'receipts: pipeline worker exited; starting it again');
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn().catch((err: unknown) => {
        this.logger.error({ err }, 'receipts: pipeline worker could not start; trying again');
        this.scheduleRestart();
      });
    }, RESTART_DELAY_MS);
  }
}
