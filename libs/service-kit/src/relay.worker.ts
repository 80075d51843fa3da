// Entry of a service's relay thread (started by RelayThread): its own event loop, pool, store and NATS connection.
import { parentPort, workerData } from 'node:worker_threads';
import { topology } from '@dailydesk/contracts';
import { createEventStore, openDatabase, Relay } from '@dailydesk/event-store';
import { connectNats } from '@dailydesk/messaging';
import { createLogger } from '@dailydesk/observability';
import { relayOptions, upcastStored } from './relay-options';
import type { RelayWorkerData } from './relay-thread';
import type { WorkerLifecycleMessage } from './supervised-worker';

async function run(): Promise<void> {
  const port = parentPort!;
  const d = workerData as RelayWorkerData;
  const send = (m: WorkerLifecycleMessage) => port.postMessage(m);
  const logger = createLogger({ service: d.service, level: d.logLevel as 'info' }).child({ thread: 'relay' });
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'relay thread: error while stopping'));
  };
  try {
    const database = await openDatabase({ databaseUrl: d.databaseUrl, logger, poolSize: 2 });
    closers.push(() => database.close());
    const store = await createEventStore({ database, schema: d.storeSchema, upcast: upcastStored, logger });
    closers.push(() => store.close());
    const nc = await connectNats({ servers: d.natsServers, name: `${d.service}-relay`, logger });
    closers.push(() => (nc.isClosed() ? Promise.resolve() : nc.drain()));
    const relay = new Relay({ store, nc, ...relayOptions(topology(d.natsNamespace)), logger });
    relay.start();
    closers.push(() => relay.stop());
  } catch (err) {
    logger.error({ err }, 'relay thread: could not start');
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    await close();
    port.close();
    return;
  }
  port.on('message', () => void close().finally(() => port.close()));
  send({ type: 'ready' });
}

void run();
