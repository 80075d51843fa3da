import type { SchedulerConfig } from '../config';
import type { Clock } from './schedule-clock';
import type { ScheduleLoop } from './schedule-loop';
import type { ScheduleTicker } from './schedule.handlers';

/** What the controllers share with the app: the schedules, the ticker, the loop (null when the clock is off), time. */
export interface SchedulerRuntime {
  readonly config: SchedulerConfig;
  readonly ticker: ScheduleTicker;
  readonly loop: ScheduleLoop | null;
  readonly clock: Clock;
}
