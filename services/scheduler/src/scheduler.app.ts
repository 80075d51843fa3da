import type { Logger } from 'pino';
import { startService, type RunningService } from '@dailydesk/service-kit';
import type { SchedulerConfig } from './config';
import { systemClock, type Clock } from './schedules/schedule-clock';
import type { SchedulerRuntime } from './schedules/scheduler-runtime';
import { SchedulerModule } from './schedules/scheduler.module';
import { SCHEDULER_RUNTIME } from './schedules/scheduler.tokens';

/** What tests and the all-in-one runner may replace. */
export interface SchedulerOverrides {
  /** Time source of the loop and of POST /crons/* (tests: a ManualClock). */
  readonly clock?: Clock;
  /** Prefix of the service's schemas (tests: random; replicas sharing one store use the same). */
  readonly schemaPrefix?: string;
  readonly logger?: Logger;
  /** Events per history chapter before it is closed (tests: small, to exercise the rotation). */
  readonly chapterSize?: number;
}

/** A running scheduler: the service plus its runtime (ticker, loop, clock). */
export interface RunningScheduler extends RunningService {
  readonly scheduler: SchedulerRuntime;
}

/** Starts the scheduler service: clock loop (unless disabled), POST /crons/*, GET /schedules, /metrics, /health. */
export async function startScheduler(config: SchedulerConfig, overrides: SchedulerOverrides = {}): Promise<RunningScheduler> {
  const service = await startService({
    name: 'scheduler',
    config: config.service,
    schemaPrefix: overrides.schemaPrefix,
    logger: overrides.logger,
    modules: [SchedulerModule.forRoot({ config, clock: overrides.clock ?? systemClock, chapterSize: overrides.chapterSize })],
  });
  return { ...service, scheduler: service.app.get<SchedulerRuntime>(SCHEDULER_RUNTIME) };
}
