import path from 'node:path';
import type { Logger } from 'pino';
import { SupervisedWorker } from './supervised-worker';

/** What the relay worker is started with (plain data: it crosses the thread boundary). */
export interface RelayWorkerData {
  readonly databaseUrl: string;
  /** The service's event store schema (`<prefix><service>_events`). */
  readonly storeSchema: string;
  readonly natsServers: string[];
  readonly natsNamespace: string;
  readonly service: string;
  readonly logLevel: string;
}

const WORKER_FILE = path.join(__dirname, `relay.worker${path.extname(__filename)}`);

/**
 * The service's relay in a worker thread (relay.worker.ts) with its own pool, store and NATS connection: the same
 * Relay, checkpoint and leadership as inline, on another core. Started and stopped by startService; restarted when
 * it dies (the relay resumes from its checkpoint; JetStream drops the republished ids).
 */
export class RelayThread {
  private readonly worker: SupervisedWorker;

  constructor(data: RelayWorkerData, logger: Logger) {
    this.worker = new SupervisedWorker(WORKER_FILE, data, `${data.service} relay thread`, logger);
  }

  start(): Promise<void> {
    return this.worker.start();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }
}
