import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Database, EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import type { DispatchConfig } from './config';
import { ConsentHandlers } from './consent/consent.handlers';
import { DispatchRuntime, type DispatchOverrides } from './dispatch/dispatch-runtime';
import { IntakeHandlers } from './intake/intake.handlers';
import { ReportHandlers } from './reports/report.handlers';
import { StatusController } from './status/status.controller';

class RuntimeLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(DispatchRuntime) private readonly runtime: DispatchRuntime) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }
  async onModuleDestroy(): Promise<void> {
    await this.runtime.stop();
  }
}

@Module({})
export class SmsDispatchModule {
  static forRoot(config: DispatchConfig, overrides: DispatchOverrides): DynamicModule {
    return {
      module: SmsDispatchModule,
      controllers: [IntakeHandlers, ConsentHandlers, ReportHandlers, StatusController],
      providers: [
        {
          provide: DispatchRuntime,
          inject: [EVENT_STORE, DATABASE, SERVICE_SCHEMA, LOGGER],
          useFactory: (store: EventStore, db: Database, schema: string, logger: Logger) => new DispatchRuntime(config, store, db, schema, logger, overrides),
        },
        RuntimeLifecycle,
      ],
      exports: [DispatchRuntime],
    };
  }
}
