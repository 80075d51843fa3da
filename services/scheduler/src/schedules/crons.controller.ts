import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Headers, HttpCode, Inject, NotFoundException, Param, Post, UnauthorizedException } from '@nestjs/common';
import { LOGGER } from '@dailydesk/observability';
import type { Logger } from 'pino';
import type { SchedulerRuntime } from './scheduler-runtime';
import { SCHEDULER_RUNTIME } from './scheduler.tokens';

// Hashing both sides first gives equal lengths, so the comparison time says nothing about the key's length either.
function sameKey(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * EventBridge-compatible triggers: `POST /crons/send-campaign`, `/crons/send-review-sms`,
 * `/crons/send-confirmation-sms` with header `x-api-key`. Each emits the current slot's tick of that schedule
 * (trigger http) — the same tick the clock emits for that slot, so clock and HTTP together still make one.
 */
@Controller('crons')
export class CronsController {
  constructor(
    @Inject(SCHEDULER_RUNTIME) private readonly runtime: SchedulerRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(':route')
  @HttpCode(200)
  async trigger(@Param('route') route: string, @Headers('x-api-key') apiKey: string | undefined) {
    const expected = this.runtime.config.cronApiKey;
    if (!expected) throw new UnauthorizedException('cron endpoints are disabled: CRON_API_KEY is not configured');
    if (typeof apiKey !== 'string' || !sameKey(apiKey, expected)) {
      this.logger.warn({ route }, 'scheduler: cron call with a missing or wrong API key refused');
      throw new UnauthorizedException('missing or wrong x-api-key');
    }
    const spec = this.runtime.config.schedules.find((s) => s.route === route);
    if (!spec) throw new NotFoundException(`no cron route "${route}"; known: ${this.runtime.config.schedules.map((s) => s.route).join(', ')}`);
    const outcome = await this.runtime.ticker.tick(spec, this.runtime.clock.now(), 'http');
    const lastSlotAt = outcome.state.lastSlotAt;
    return {
      schedule: spec.name,
      emitted: outcome.tick !== null,
      tick: outcome.tick ? { id: outcome.tick.id, ...outcome.tick.data } : null,
      // When nothing was emitted the slot already had its tick (by the clock, another replica or an earlier call).
      lastSlotAt,
    };
  }
}
