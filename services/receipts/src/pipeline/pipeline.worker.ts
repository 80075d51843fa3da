// Entry of a receipts worker thread (started by PipelineThread), with its own event loop, database pool and store:
// it runs the receipt processor and the projections (the relay has its own thread: service-kit's RelayThread).
import { parentPort, workerData } from 'node:worker_threads';
import { createEventStore, openDatabase } from '@dailydesk/event-store';
import { createLogger } from '@dailydesk/observability';
import { upcastStored } from '@dailydesk/service-kit';
import { InlinePipeline } from './inline-pipeline';
import type { FromPipelineWorker, PipelineWorkerData, ToPipelineWorker } from './pipeline-thread';

async function run(): Promise<void> {
  const port = parentPort!;
  const d = workerData as PipelineWorkerData;
  const send = (m: FromPipelineWorker) => port.postMessage(m);
  const logger = createLogger({ service: 'receipts', level: d.logLevel as 'info' }).child({ thread: 'pipeline' });
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'receipts pipeline: error while stopping'));
  };
  let pipeline: InlinePipeline | null = null;
  try {
    const database = await openDatabase({ databaseUrl: d.databaseUrl, logger });
    closers.push(() => database.close());
    const store = await createEventStore({ database, schema: `${d.schema}_events`, upcast: upcastStored, logger });
    closers.push(() => store.close());
    const p = new InlinePipeline({ store, db: database, schema: d.schema, postgres: true, logger, report: (counts) => send({ type: 'counts', counts }), onLeading: (leading) => send({ type: 'leading', leading }) });
    await p.start();
    closers.push(() => p.stop());
    pipeline = p;
  } catch (err) {
    logger.error({ err }, 'receipts pipeline: could not start');
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    await close();
    port.close();
    return;
  }
  port.on('message', (m: ToPipelineWorker) => {
    if (m.type === 'rebuild') {
      if (!pipeline) return send({ type: 'rebuild-failed', message: 'not the projections thread' });
      pipeline.projections.rebuild().then(
        (generation) => send({ type: 'rebuilt', generation }),
        (err: unknown) => send({ type: 'rebuild-failed', message: err instanceof Error ? err.message : String(err) }),
      );
    } else {
      void close().finally(() => port.close());
    }
  });
  send({ type: 'ready', generation: pipeline?.projections.activeGeneration ?? 0 });
}

void run();
