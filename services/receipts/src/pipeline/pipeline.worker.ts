// Entry of a receipts worker thread (started by PipelineThread), with its own event loop, database pool and store:
// role `pipeline` runs the receipt processor and the projections, role `relay` the relay (and its NATS connection).
import { parentPort, workerData } from 'node:worker_threads';
import { topology } from '@dailydesk/contracts';
import { createEventStore, openDatabase, Relay } from '@dailydesk/event-store';
import { connectNats } from '@dailydesk/messaging';
import { createLogger } from '@dailydesk/observability';
import { upcastStored } from '@dailydesk/service-kit';
import { jetstream } from '@nats-io/jetstream';
import { InlinePipeline } from './inline-pipeline';
import type { FromPipelineWorker, PipelineWorkerData, ToPipelineWorker } from './pipeline-thread';

const RELAY_BATCH = 1000;

async function run(): Promise<void> {
  const port = parentPort!;
  const d = workerData as PipelineWorkerData;
  const send = (m: FromPipelineWorker) => port.postMessage(m);
  const logger = createLogger({ service: 'receipts', level: d.logLevel as 'info' }).child({ thread: d.role });
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
    if (d.role === 'relay') {
      const nc = await connectNats({ servers: d.natsServers, name: 'receipts-relay', logger });
      closers.push(() => (nc.isClosed() ? Promise.resolve() : nc.drain()));
      const topo = topology(d.natsNamespace);
      // A whole batch in flight: the relay then publishes it without awaiting a PubAck in between, and nats.js sends
      // it in a few socket writes instead of one write per event (16 % of the thread's CPU at 10k events/s).
      const relay = new Relay({
        store, js: jetstream(nc), subjectFor: (e) => (topo.isPublic(e.type) ? topo.subjectOf(e.type) : null), name: 'relay', logger,
        batchSize: RELAY_BATCH, maxInFlight: RELAY_BATCH,
      });
      relay.start();
      closers.push(() => relay.stop());
    } else {
      const p = new InlinePipeline({ store, db: database, schema: d.schema, postgres: true, logger, report: (counts) => send({ type: 'counts', counts }) });
      await p.start();
      closers.push(() => p.stop());
      pipeline = p;
    }
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
