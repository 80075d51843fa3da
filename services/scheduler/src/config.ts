import { baseServiceEnv, parseEnv, serviceConfigOf, type ServiceConfig } from '@dailydesk/service-kit';
import { z } from 'zod';
import { assertCron } from './schedules/schedule-slots';

const Cron = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((cron, ctx) => {
      try {
        assertCron(cron);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a cron expression (${err instanceof Error ? err.message : String(err)})` });
      }
    });

const Env = baseServiceEnv(3001).extend({
  SCHEDULE_REVIEW_REQUESTS: Cron('* * * * *'),
  SCHEDULE_CONFIRMATION_REMINDERS: Cron('*/30 * * * *'),
  SCHEDULE_CAMPAIGNS: Cron('*/15 * * * *'),
  /** Missed slots younger than this are covered by the catch-up tick; older ones are skipped (beyond-catch-up-horizon). */
  SCHEDULER_CATCH_UP_HORIZON_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(360),
  /** Abandoned slots recorded one event each per catch-up; older ones are summed up in one note. */
  SCHEDULER_MAX_RECORDED_SKIPS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** false: no clock loop, ticks only through POST /crons/* (an external cron such as EventBridge drives them). */
  SCHEDULER_CLOCK_ENABLED: z.enum(['true', 'false']).default('true'),
  /** API key of POST /crons/*; unset: those endpoints answer 401 to every call. */
  CRON_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
});

/** One schedule: its kebab-case name (the ticks' `schedule`), cron expression (UTC) and the HTTP route that triggers it. */
export interface ScheduleSpec {
  readonly name: string;
  readonly cron: string;
  readonly route: string;
}

export interface SchedulerConfig {
  readonly service: ServiceConfig;
  readonly schedules: readonly ScheduleSpec[];
  readonly horizonSeconds: number;
  readonly maxRecordedSkips: number;
  readonly clockEnabled: boolean;
  readonly cronApiKey: string | undefined;
}

/** Parses the scheduler's environment once; throws a ConfigError naming each bad variable (never a value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const e = parseEnv('scheduler', Env, env);
  const schedules: ScheduleSpec[] = [
    { name: 'review-requests', cron: e.SCHEDULE_REVIEW_REQUESTS, route: 'send-review-sms' },
    { name: 'confirmation-reminders', cron: e.SCHEDULE_CONFIRMATION_REMINDERS, route: 'send-confirmation-sms' },
    { name: 'campaigns', cron: e.SCHEDULE_CAMPAIGNS, route: 'send-campaign' },
  ];
  return Object.freeze({
    service: serviceConfigOf(e),
    schedules: Object.freeze(schedules.map((s) => Object.freeze(s))),
    horizonSeconds: e.SCHEDULER_CATCH_UP_HORIZON_MINUTES * 60,
    maxRecordedSkips: e.SCHEDULER_MAX_RECORDED_SKIPS,
    clockEnabled: e.SCHEDULER_CLOCK_ENABLED === 'true',
    cronApiKey: e.CRON_API_KEY,
  });
}
