import type { Logger } from 'pino';
import type { ReceiptsPipeline } from './inline-pipeline';
import { PipelineThread, type PipelineWorkerData } from './pipeline-thread';

/**
 * The processor and the projections in a worker thread, so that the webhook keeps the main event loop. The relay has
 * a thread of its own (service-kit's `relay: 'thread'`, see receipts.app.ts): its NATS publishing (a quarter of a
 * thread's CPU at 10k events/s) must not delay the projection's round trips. Measured: one thread for all three gave
 * lag p99 4.9-6.9 s, two threads 2.9-3.3 s (2 alternated runs each, load 4.2-5.4). Opt-in (RECEIPTS_PIPELINE=worker):
 * see the README's benchmark.
 */
export class ThreadedPipeline implements ReceiptsPipeline {
  private readonly pipeline: PipelineThread;
  readonly projections: PipelineThread;

  constructor(data: PipelineWorkerData, logger: Logger) {
    this.pipeline = new PipelineThread(data, logger);
    this.projections = this.pipeline;
  }

  async start(): Promise<void> {
    await this.pipeline.start();
  }

  async stop(): Promise<void> {
    await this.pipeline.stop();
  }
}
