import { DomainError, type Decider } from '@dailydesk/event-store';
import type { ScheduleEvent, ScheduleSlotSkippedEvent, ScheduleTickedEvent } from './schedule.events';
import { periodSecondsAt, slotAtOrBefore, slotsBefore } from './schedule-slots';

/** Emit whatever is due for one schedule at `now` (by the clock loop or an HTTP call). */
export interface TickSchedule {
  readonly type: 'TickSchedule';
  readonly data: {
    readonly schedule: string;
    readonly cron: string;
    /** ISO instant: the decider never reads a clock. */
    readonly now: string;
    readonly trigger: 'clock' | 'http';
    /** Missed slots at or after `now - horizonSeconds` are covered by the catch-up tick; older ones are abandoned. */
    readonly horizonSeconds: number;
    /** At most this many abandoned slots get an event each; the rest are summed up in one SchedulerSkipsTruncated. */
    readonly maxRecordedSkips: number;
  };
}

/** What deciding needs from one chapter of history: is it still open, and the slot of the last tick. */
export interface ScheduleState {
  readonly status: 'open' | 'closed';
  readonly lastSlotAt: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function skipped(schedule: string, slot: number, reason: ScheduleSlotSkippedEvent['data']['reason'], coveredBy: number): ScheduleSlotSkippedEvent {
  return { type: 'SchedulerSlotSkipped', data: { schedule, slotAt: iso(slot), reason, coveredBySlotAt: iso(coveredBy) } };
}

/**
 * One tick per slot, one catch-up tick after downtime. The tick for the latest due slot covers the window
 * `(previousSlotAt, slotAt]`: every missed slot inside the horizon is in it (and recorded as skipped with reason
 * missed-during-downtime); missed slots older than the horizon are recorded as skipped with reason
 * beyond-catch-up-horizon and `previousSlotAt` becomes the newest of them, so consumers never act on them.
 */
export function decideTick(command: TickSchedule, state: ScheduleState): ScheduleEvent[] {
  const { schedule, cron, trigger, horizonSeconds, maxRecordedSkips } = command.data;
  if (state.status === 'closed') throw new DomainError('CHAPTER_CLOSED', `a closed chapter of ${schedule} takes no ticks`);
  const now = Date.parse(command.data.now);
  const due = slotAtOrBefore(cron, now);
  if (due === null) return [];
  const last = state.lastSlotAt === null ? null : Date.parse(state.lastSlotAt);
  if (last !== null && due <= last) {
    // The clock asks again and again; only a repeated HTTP trigger is worth recording.
    return trigger === 'http' ? [skipped(schedule, due, 'already-ticked', last)] : [];
  }
  const tick = (previous: number | null, missedSlots: number): ScheduleTickedEvent => ({
    type: 'SchedulerTicked',
    data: {
      schedule,
      slotAt: iso(due),
      previousSlotAt: previous === null ? null : iso(previous),
      periodSeconds: periodSecondsAt(cron, due),
      caughtUp: missedSlots > 0,
      missedSlots,
      trigger,
    },
  });
  if (last === null) return [tick(null, 0)];

  const horizonStart = now - horizonSeconds * 1000;
  const within: number[] = [];
  const beyond: number[] = [];
  let truncated = false;
  for (const slot of slotsBefore(cron, due)) {
    if (slot <= last) break;
    if (slot >= horizonStart) within.push(slot);
    else if (beyond.length < maxRecordedSkips) beyond.push(slot);
    else {
      truncated = true;
      break;
    }
  }
  const events: ScheduleEvent[] = [];
  if (truncated) {
    events.push({ type: 'SchedulerSkipsTruncated', data: { schedule, afterSlotAt: iso(last), beforeSlotAt: iso(beyond[beyond.length - 1]) } });
  }
  for (const slot of [...beyond].reverse()) events.push(skipped(schedule, slot, 'beyond-catch-up-horizon', due));
  for (const slot of [...within].reverse()) events.push(skipped(schedule, slot, 'missed-during-downtime', due));
  events.push(tick(beyond.length > 0 ? beyond[0] : last, within.length));
  return events;
}

export function evolveSchedule(state: ScheduleState, event: ScheduleEvent): ScheduleState {
  switch (event.type) {
    case 'ScheduleChapterOpened':
      return { status: 'open', lastSlotAt: event.data.lastSlotAt };
    case 'SchedulerTicked':
      return { ...state, lastSlotAt: event.data.slotAt };
    case 'ScheduleChapterClosed':
      return { ...state, status: 'closed' };
    default:
      return state;
  }
}

export const initialScheduleState = (): ScheduleState => ({ status: 'open', lastSlotAt: null });

/** The schedule decider (emmett style); the ticker folds one chapter of history with it. */
export const scheduleDecider: Decider<TickSchedule, ScheduleEvent, ScheduleState> = {
  decide: decideTick,
  evolve: evolveSchedule,
  initialState: initialScheduleState,
};
