import type { Logger } from 'pino';
import type { ProjectionControl } from '../projection/projection-runner';
import type { ReceiptsPipeline } from './inline-pipeline';
import { PipelineThread, type PipelineWorkerData } from './pipeline-thread';

/**
 * The pipeline in two worker threads: the processor and the projections in one, the relay in the other, so that
 * the webhook keeps the main event loop and the relay's NATS publishing (a quarter of a thread's CPU at 10k events/s)
 * does not delay the projection's round trips. Measured: one thread for all three gave lag p99 4.9-6.9 s, two threads
 * 2.9-3.3 s (2 alternated runs each, load 4.2-5.4). Opt-in (RECEIPTS_PIPELINE=worker): see the README's benchmark.
 */
export class ThreadedPipeline implements ReceiptsPipeline {
  private readonly pipeline: PipelineThread;
  private readonly relay: PipelineThread;
  readonly projections: ProjectionControl;

  constructor(data: Omit<PipelineWorkerData, 'role'>, logger: Logger) {
    this.pipeline = new PipelineThread({ ...data, role: 'pipeline' }, logger);
    this.relay = new PipelineThread({ ...data, role: 'relay' }, logger);
    this.projections = this.pipeline;
  }

  async start(): Promise<void> {
    await this.pipeline.start();
    await this.relay.start();
  }

  async stop(): Promise<void> {
    await this.pipeline.stop();
    await this.relay.stop();
  }
}
