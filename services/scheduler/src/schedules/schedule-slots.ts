import { CronExpressionParser } from 'cron-parser';

// Slot arithmetic over a cron expression, always in UTC. Pure: the instant comes in as a value.

/** Throws a readable error when `cron` is not a cron expression cron-parser accepts. */
export function assertCron(cron: string): void {
  CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(0) });
}

function expressionAt(cron: string, at: number) {
  return CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(at) });
}

/** The latest slot at or before `at` (epoch ms), or null when the expression never fired before. */
export function slotAtOrBefore(cron: string, at: number): number | null {
  try {
    // prev() is strictly before currentDate; one millisecond later makes a slot exactly at `at` count.
    return expressionAt(cron, at + 1).prev().getTime();
  } catch {
    return null;
  }
}

/** The first slot strictly after `at`, or null when there is none. */
export function slotAfter(cron: string, at: number): number | null {
  try {
    return expressionAt(cron, at).next().getTime();
  } catch {
    return null;
  }
}

/** Slots strictly before `slot`, newest first (lazy: the caller stops when it has enough). */
export function* slotsBefore(cron: string, slot: number): Generator<number> {
  const expression = expressionAt(cron, slot);
  for (;;) {
    try {
      yield expression.prev().getTime();
    } catch {
      return;
    }
  }
}

/** Seconds between `slot` and the slot before it (the schedule's period at that slot), clamped to the contract's range. */
export function periodSecondsAt(cron: string, slot: number): number {
  const previous = slotsBefore(cron, slot).next();
  const seconds = previous.done ? 60 : Math.round((slot - previous.value) / 1000);
  return Math.min(Math.max(seconds, 1), 86_400 * 31);
}
