import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeMessage, topology, type Topology } from '@dailydesk/contracts';
import { createEventStore, openDatabase, Relay, type Database, type EventStore } from '@dailydesk/event-store';
import { connectNats, ensureStreams, JetStreamExceptionFilter, JetStreamServer, type ConsumerDefaults } from '@dailydesk/messaging';
import { createLogger, NestPinoLogger, ObservabilityModule, registerReadinessCheck } from '@dailydesk/observability';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { RelayThread } from './relay-thread';
import { relayOptions, upcastStored } from './relay-options';
import type { ServiceConfig } from './service-config';
import { DATABASE, EVENT_STORE, NATS_CONNECTION, SERVICE_CONFIG, SERVICE_SCHEMA, TOPOLOGY } from './tokens';


/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Lower-case kebab name: `appointments`, `sms-dispatch`, … (durable consumer prefix, schema name, log field). */
  readonly name: string;
  /** The service's Nest modules (controllers, providers, `@EventPattern` handlers). */
  readonly modules: ReadonlyArray<Type<unknown> | DynamicModule>;
  readonly config: ServiceConfig;
  /** Root logger; default: a new one for `name` at `config.logLevel`. */
  readonly logger?: Logger;
  /** Consumer settings for every `@EventPattern` of the service. */
  readonly consumer?: ConsumerDefaults;
  /**
   * Prefix of both schemas (tests: a random one per file); default `config.schemaPrefix` (SCHEMA_PREFIX).
   * Store: `<prefix><name>_events`, own tables: `<prefix><name>`.
   */
  readonly schemaPrefix?: string;
  /**
   * Start the relay that publishes this service's public events (default true). `'thread'`: in a worker thread of
   * its own (own pool, store and NATS connection) when the store is PostgreSQL, so its reads and publishes take
   * another core instead of the service's event loop; with PGlite (one process owns the data folder) it runs inline.
   */
  readonly relay?: boolean | 'thread';
  /** Largest HTTP body accepted, bytes (default 1 MiB). */
  readonly bodyLimit?: number;
}

/** A running service: its HTTP URL, the pieces it was built from, and how to stop it. */
export interface RunningService {
  readonly name: string;
  /** `http://host:port` the service listens on. */
  readonly url: string;
  readonly app: NestFastifyApplication;
  readonly store: EventStore;
  readonly database: Database;
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  /** The relay when it runs in this thread (null when off or in its own thread). */
  readonly relay: Relay | null;
  /** Stops HTTP and consumers (in-flight handlers finish), then the relay, the store, the database and NATS. */
  close(): Promise<void>;
}


const snake = (s: string) => s.replace(/-/g, '_');

// Readiness checks are process-wide; a second instance of a service in one process (tests) gets its own names.
const instances = new Map<string, number>();
function instanceLabel(name: string): string {
  const n = (instances.get(name) ?? 0) + 1;
  instances.set(name, n);
  return n === 1 ? name : `${name}#${n}`;
}

/**
 * Starts one service the way every service runs: NATS (streams ensured from the contracts' topology), its database
 * and event store, the relay publishing its public events, and a Nest app on Fastify with the service's modules,
 * `/metrics` and `/health/*`, and a JetStream transport delivering `@EventPattern` handlers durably.
 */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger({ service: name, level: config.logLevel });
  const topo = topology(config.natsNamespace);
  const schema = `${options.schemaPrefix ?? config.schemaPrefix ?? ''}${snake(name)}`;
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.warn({ err }, `${name}: error while stopping`));
  };
  try {
    const nc = await connectNats({ servers: config.natsUrl.split(','), name, logger });
    closers.push(() => (nc.isClosed() ? Promise.resolve() : nc.drain()));
    await ensureStreams(await jetstreamManager(nc), topo.streams, { deadLetter: false, replicas: config.natsStreamReplicas, logger });

    let dataDir: string | undefined;
    if (!config.databaseUrl) {
      dataDir = path.resolve(config.dataDir, name);
      mkdirSync(dataDir, { recursive: true });
    }
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir, logger });
    closers.push(() => database.close());
    const store = await createEventStore({ database, schema: `${schema}_events`, upcast: upcastStored, logger });
    closers.push(() => store.close());

    let relay: Relay | null = null;
    if (options.relay === 'thread' && config.databaseUrl) {
      const thread = new RelayThread(
        { databaseUrl: config.databaseUrl, storeSchema: `${schema}_events`, natsServers: config.natsUrl.split(','), natsNamespace: config.natsNamespace, service: name, logLevel: config.logLevel },
        logger,
      );
      await thread.start();
      closers.push(() => thread.stop());
    } else if (options.relay !== false) {
      relay = new Relay({ store, nc, ...relayOptions(topo), logger });
      relay.start();
      const r = relay;
      closers.push(() => r.stop());
    }

    const app = await NestFactory.create<NestFastifyApplication>(
      rootModule(options.modules, [
        ObservabilityModule.forRoot({ service: name, logger }),
        KitModule.forRoot({ store, database, nc, topo, config, schema }),
      ]),
      new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024 }),
      { logger: new NestPinoLogger(logger), abortOnError: false },
    );
    closers.push(() => app.close());
    // Listeners must be registered after the filter, or Nest's default RPC filter hides PermanentError; the app's
    // init hooks have already run, so the deferred microservice must not run them a second time.
    const strategy = new JetStreamServer({
      service: name,
      connection: nc,
      decode: decodeMessage,
      subjectOf: (type) => topo.subjectOf(type),
      consumer: { deadLetterPrefix: topo.deadLetterPrefix, ...options.consumer },
      logger,
    });
    const transport = app.connectMicroservice<MicroserviceOptions>({ strategy }, { deferInitialization: true });
    transport.useGlobalFilters(new JetStreamExceptionFilter());
    (transport as unknown as { setIsInitHookCalled(v: boolean): void }).setIsInitHookCalled(true);
    const label = instanceLabel(name);
    const unregister = [
      registerReadinessCheck(`${label}:nats`, () => {
        if (nc.isClosed()) throw new Error('NATS connection closed');
      }),
      registerReadinessCheck(`${label}:database`, async () => {
        await database.query('SELECT 1');
      }),
    ];
    closers.push(async () => unregister.forEach((u) => u()));
    await app.startAllMicroservices();
    await app.listen(config.port, config.httpHost);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost}:${port}`;
    logger.info({ url, schema, namespace: topo.namespace || undefined, store: config.databaseUrl ? 'postgresql' : 'pglite' }, `${name} started`);
    return { name, url, app, store, database, nc, topology: topo, logger, relay, close };
  } catch (err) {
    await close();
    throw err;
  }
}

interface KitValues {
  store: EventStore;
  database: Database;
  nc: NatsConnection;
  topo: Topology;
  config: ServiceConfig;
  schema: string;
}

@Module({})
class KitModule {
  static forRoot(v: KitValues): DynamicModule {
    const providers = [
      { provide: EVENT_STORE, useValue: v.store },
      { provide: DATABASE, useValue: v.database },
      { provide: NATS_CONNECTION, useValue: v.nc },
      { provide: TOPOLOGY, useValue: v.topo },
      { provide: SERVICE_CONFIG, useValue: v.config },
      { provide: SERVICE_SCHEMA, useValue: v.schema },
    ];
    return { module: KitModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}

@Module({})
class ServiceRootModule {}

function rootModule(modules: StartServiceOptions['modules'], infrastructure: DynamicModule[]): DynamicModule {
  return { module: ServiceRootModule, imports: [...infrastructure, ...modules] };
}
