import { Module, type DynamicModule } from '@nestjs/common';
import type { Database, EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA, startService, type RunningService } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import type { ReceiptsConfig } from './config';
import { KeepSmsLifecycleWhenPublished } from './lifecycle/lifecycle.handlers';
import { InlinePipeline } from './pipeline/inline-pipeline';
import { ThreadedPipeline } from './pipeline/threaded-pipeline';
import { ProjectionController } from './projection/projection.controller';
import { ReceiptsRuntime } from './receipts.runtime';
import { PARSED_CALLBACKS, PROJECTIONS, RECEIPTS_CONFIG } from './receipts.tokens';
import { ParsedCallbacks } from './webhook/parsed-callbacks';
import { WebhookRoutes } from './webhook/webhook.routes';

/** Test and runner overrides. */
export interface ReceiptsOverrides {
  /** Prefix of the service's schemas (tests: a random one). */
  schemaPrefix?: string;
  logger?: Logger;
}

/** The running receipts service plus its runtime (pipeline, reconciler) for tests and the runner. */
export interface RunningReceipts extends RunningService {
  readonly runtime: ReceiptsRuntime;
}

@Module({})
class ReceiptsModule {
  static forRoot(config: ReceiptsConfig): DynamicModule {
    return {
      module: ReceiptsModule,
      controllers: [KeepSmsLifecycleWhenPublished, ProjectionController],
      providers: [
        { provide: RECEIPTS_CONFIG, useValue: config },
        // The webhook's parses help only a processor on the same thread.
        { provide: PARSED_CALLBACKS, useValue: config.pipelineWorker ? null : new ParsedCallbacks() },
        {
          provide: PROJECTIONS,
          inject: [EVENT_STORE, DATABASE, SERVICE_SCHEMA, PARSED_CALLBACKS, LOGGER],
          useFactory: (store: EventStore, db: Database, schema: string, parsed: ParsedCallbacks | null, logger: Logger) =>
            config.pipelineWorker
              ? new ThreadedPipeline(
                  { databaseUrl: config.databaseUrl!, schema, logLevel: config.logLevel },
                  logger,
                )
              : new InlinePipeline({ store, db, schema, postgres: Boolean(config.databaseUrl), logger, ...(parsed ? { parsed } : {}) }),
        },
        ReceiptsRuntime,
        WebhookRoutes,
      ],
    };
  }
}

/** Starts the receipts service: gateway webhook, lifecycle consumers, receipt processor, projections and API. */
export async function startReceipts(config: ReceiptsConfig, overrides: ReceiptsOverrides = {}): Promise<RunningReceipts> {
  const service = await startService({
    name: 'receipts',
    modules: [ReceiptsModule.forRoot(config)],
    config,
    bodyLimit: config.bodyLimit,
    // With the pipeline in a worker thread, the relay gets a thread of its own too (its NATS publishing was the
    // largest share of the main thread's CPU under ingest).
    relay: config.pipelineWorker ? 'thread' : true,
    ...(overrides.schemaPrefix !== undefined ? { schemaPrefix: overrides.schemaPrefix } : {}),
    ...(overrides.logger ? { logger: overrides.logger } : {}),
  });
  return Object.assign(service, { runtime: service.app.get(ReceiptsRuntime) });
}
