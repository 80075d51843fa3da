import { Module, type DynamicModule } from '@nestjs/common';
import type { Database, EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA, startService, type RunningService } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import type { ReceiptsConfig } from './config';
import { KeepSmsLifecycleWhenPublished } from './lifecycle/lifecycle.handlers';
import { ProjectionController } from './projection/projection.controller';
import { ProjectionRunner } from './projection/projection-runner';
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

/** The running receipts service plus its runtime (processor, projections, reconciler) for tests and the runner. */
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
        { provide: PARSED_CALLBACKS, useValue: new ParsedCallbacks() },
        {
          provide: PROJECTIONS,
          inject: [EVENT_STORE, DATABASE, SERVICE_SCHEMA, LOGGER],
          useFactory: (store: EventStore, db: Database, schema: string, logger: Logger) =>
            new ProjectionRunner(store, db, schema, Boolean(config.databaseUrl), logger),
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
    ...(overrides.schemaPrefix !== undefined ? { schemaPrefix: overrides.schemaPrefix } : {}),
    ...(overrides.logger ? { logger: overrides.logger } : {}),
  });
  return Object.assign(service, { runtime: service.app.get(ReceiptsRuntime) });
}
