import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { EVENT_STORE } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import type { SchedulerConfig } from '../config';
import type { Clock } from './schedule-clock';
import { ScheduleLoop } from './schedule-loop';
import { ScheduleTicker } from './schedule.handlers';
import type { SchedulerRuntime } from './scheduler-runtime';
import { SCHEDULER_RUNTIME } from './scheduler.tokens';
import { CronsController } from './crons.controller';
import { SchedulesController } from './schedules.controller';

/** Starts the clock loop once the app is up and stops it (after its pass in progress) when the app closes. */
@Injectable()
class LoopLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(SCHEDULER_RUNTIME) private readonly runtime: SchedulerRuntime) {}

  onApplicationBootstrap(): void {
    this.runtime.loop?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runtime.loop?.stop();
  }
}

export interface SchedulerModuleOptions {
  readonly config: SchedulerConfig;
  readonly clock: Clock;
  readonly chapterSize?: number;
}

@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerModuleOptions): DynamicModule {
    const runtime = {
      provide: SCHEDULER_RUNTIME,
      inject: [EVENT_STORE, LOGGER],
      useFactory: (store: EventStore, logger: Logger): SchedulerRuntime => {
        const { config, clock } = options;
        const ticker = new ScheduleTicker(store, { horizonSeconds: config.horizonSeconds, maxRecordedSkips: config.maxRecordedSkips, chapterSize: options.chapterSize }, logger);
        const loop = config.clockEnabled ? new ScheduleLoop(config.schedules, ticker, clock, logger) : null;
        return { config, ticker, loop, clock };
      },
    };
    return { module: SchedulerModule, controllers: [CronsController, SchedulesController], providers: [runtime, LoopLifecycle] };
  }
}
