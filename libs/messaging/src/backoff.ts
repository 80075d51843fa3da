/** Redelivery delays used when no schedule is given: 1 s, 5 s, 30 s, 2 min, then 10 min for every later attempt. */
export const DEFAULT_BACKOFF_MS: readonly number[] = Object.freeze([1_000, 5_000, 30_000, 120_000, 600_000]);

/** Deliveries a message gets before it is dead-lettered when no limit is given. */
export const DEFAULT_MAX_DELIVERIES = 10;

/**
 * The `nak` delay after the delivery numbered `deliveryCount` (1 = first delivery) failed with a transient error:
 * `schedule[deliveryCount - 1]`, or the schedule's last entry once the schedule is exhausted.
 */
export function backoffDelay(schedule: readonly number[], deliveryCount: number): number {
  if (schedule.length === 0) return 0;
  const index = Math.min(Math.max(Math.floor(deliveryCount), 1), schedule.length) - 1;
  return schedule[index] ?? 0;
}

/** Throws a clear error unless the schedule is a list of non-negative finite millisecond delays. */
export function assertBackoffSchedule(schedule: readonly number[]): void {
  for (const [i, ms] of schedule.entries()) {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`backoff schedule entry ${i} must be a non-negative number of ms, got ${String(ms)}`);
    }
  }
}
