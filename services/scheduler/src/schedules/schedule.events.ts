import type { SchedulerSlotSkipped, SchedulerTicked } from '@dailydesk/contracts';
import type { DomainEvent } from '@dailydesk/event-store';

// The events of one chapter of a schedule's history. SchedulerTicked and SchedulerSlotSkipped are public (the
// relay publishes them); the chapter markers and the truncation note are private to the scheduler.

export type ScheduleTickedEvent = DomainEvent<'SchedulerTicked', SchedulerTicked['data']>;
export type ScheduleSlotSkippedEvent = DomainEvent<'SchedulerSlotSkipped', SchedulerSlotSkipped['data']>;

/** First event of chapter n > 1: carries the state of the closed chapter before it ("closing the books"). */
export type ScheduleChapterOpened = DomainEvent<'ScheduleChapterOpened', { schedule: string; chapter: number; lastSlotAt: string | null }>;

/** Last event of a chapter: seals it (any later append at the old version conflicts); the history goes on in `next`. */
export type ScheduleChapterClosed = DomainEvent<'ScheduleChapterClosed', { schedule: string; next: number; lastSlotAt: string | null }>;

/**
 * A downtime so long that its slots beyond the horizon were not all recorded one by one: every slot in
 * `(afterSlotAt, beforeSlotAt)` was skipped too (reason beyond-catch-up-horizon) without an event of its own.
 */
export type SchedulerSkipsTruncated = DomainEvent<'SchedulerSkipsTruncated', { schedule: string; afterSlotAt: string; beforeSlotAt: string }>;

export type ScheduleEvent =
  | ScheduleTickedEvent
  | ScheduleSlotSkippedEvent
  | ScheduleChapterOpened
  | ScheduleChapterClosed
  | SchedulerSkipsTruncated;

/** Deterministic ids: the same decision made by two replicas is one event in the store and one message on NATS. */
export function eventIdOf(event: ScheduleEvent): string {
  switch (event.type) {
    case 'SchedulerTicked':
      return `tick:${event.data.schedule}:${event.data.slotAt}`;
    case 'SchedulerSlotSkipped':
      return `skip:${event.data.schedule}:${event.data.slotAt}:${event.data.reason}`;
    case 'ScheduleChapterOpened':
      return `chapter-opened:${event.data.schedule}:${event.data.chapter}`;
    case 'ScheduleChapterClosed':
      return `chapter-closed:${event.data.schedule}:${event.data.next - 1}`;
    case 'SchedulerSkipsTruncated':
      return `skips-truncated:${event.data.schedule}:${event.data.beforeSlotAt}`;
  }
}

/** The store stream of chapter `chapter` of `schedule`'s history. */
export const chapterStreamOf = (schedule: string, chapter: number) => `schedule-${schedule}-${chapter}`;
