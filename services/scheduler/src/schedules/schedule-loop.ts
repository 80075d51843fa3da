import type { Logger } from 'pino';
import type { ScheduleSpec } from '../config';
import type { Clock } from './schedule-clock';
import type { ScheduleTicker, TickOutcome } from './schedule.handlers';
import { slotAfter } from './schedule-slots';

/** Longest sleep between two passes: bounds how long a replica takes to notice a changed clock or a lost race. */
const MAX_SLEEP_MS = 30_000;
const RETRY_AFTER_ERROR_MS = 5_000;

/**
 * The timer loop: a pass ticks every schedule at the clock's `now` (catching up whatever is due), then sleeps until
 * the next slot of any schedule. The first pass runs at start, so a restart catches up at once.
 */
export class ScheduleLoop {
  private abort = new AbortController();
  private running: Promise<void> | null = null;
  private passes = 0;

  constructor(
    private readonly schedules: readonly ScheduleSpec[],
    private readonly ticker: ScheduleTicker,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.run(this.abort.signal);
  }

  /** Stops after the pass in progress. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = null;
  }

  /** Completed passes (tests wait for the loop to have seen a moved clock). */
  get completedPasses(): number {
    return this.passes;
  }

  /** One pass over every schedule at `now`; one failing schedule does not hold up the others. */
  async pass(now: Date): Promise<{ outcomes: TickOutcome[]; failed: number }> {
    const results = await Promise.allSettled(this.schedules.map((s) => this.ticker.tick(s, now, 'clock')));
    const outcomes: TickOutcome[] = [];
    let failed = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') outcomes.push(r.value);
      else {
        failed++;
        this.logger.error({ err: r.reason, schedule: this.schedules[i].name }, 'scheduler: tick failed; retrying on the next pass');
      }
    });
    for (const o of outcomes) {
      if (o.tick) this.logger.info({ schedule: o.schedule, slotAt: o.tick.data.slotAt, missedSlots: o.tick.data.missedSlots }, 'scheduler: tick');
    }
    return { outcomes, failed };
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = this.clock.now();
      const { failed } = await this.pass(now);
      this.passes++;
      if (signal.aborted) break;
      await this.clock.sleep(failed > 0 ? RETRY_AFTER_ERROR_MS : this.untilNextSlot(now), signal);
    }
  }

  private untilNextSlot(now: Date): number {
    const next = Math.min(...this.schedules.map((s) => slotAfter(s.cron, now.getTime()) ?? Infinity));
    return Math.min(Math.max(next - now.getTime(), 0), MAX_SLEEP_MS);
  }
}
