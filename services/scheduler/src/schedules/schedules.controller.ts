import { Controller, Get, Inject } from '@nestjs/common';
import type { SchedulerRuntime } from './scheduler-runtime';
import { SCHEDULER_RUNTIME } from './scheduler.tokens';
import { slotAfter } from './schedule-slots';

const RECENT_SKIPS = 50;

/** `GET /schedules`: per schedule its cron, last tick, next slot and the skipped slots of its current chapter. */
@Controller('schedules')
export class SchedulesController {
  constructor(@Inject(SCHEDULER_RUNTIME) private readonly runtime: SchedulerRuntime) {}

  @Get()
  async list() {
    const now = this.runtime.clock.now();
    const schedules = await Promise.all(
      this.runtime.config.schedules.map(async (spec) => {
        const chapter = await this.runtime.ticker.read(spec.name);
        const events = chapter.events.map((r) => r.event);
        const lastTick = [...events].reverse().find((e) => e.type === 'SchedulerTicked');
        const skipped = events.filter((e) => e.type === 'SchedulerSlotSkipped');
        const truncated = events.filter((e) => e.type === 'SchedulerSkipsTruncated');
        const next = slotAfter(spec.cron, now.getTime());
        return {
          schedule: spec.name,
          cron: spec.cron,
          route: `/crons/${spec.route}`,
          lastSlotAt: chapter.state.lastSlotAt,
          // The full tick when it is in the current chapter (right after a chapter change only its slot is known).
          lastTick: lastTick ? { id: lastTick.id, emittedAt: lastTick.occurredAt, ...(lastTick.data as object) } : null,
          nextSlotAt: next === null ? null : new Date(next).toISOString(),
          skippedSlots: skipped.slice(-RECENT_SKIPS).map((e) => e.data),
          skippedSlotsInChapter: skipped.length,
          skippedSpans: truncated.map((e) => e.data),
          chapter: chapter.chapter,
        };
      }),
    );
    return { now: now.toISOString(), clockEnabled: this.runtime.config.clockEnabled, schedules };
  }
}
