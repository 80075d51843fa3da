import { SchedulerSlotSkipped, SchedulerTicked } from '@dailydesk/contracts';
import { given } from '@dailydesk/testing';
import { scheduleDecider, type TickSchedule } from './schedule.decider';
import type { ScheduleEvent, ScheduleTickedEvent } from './schedule.events';
import { eventIdOf } from './schedule.events';

const tickAt = (now: string, over: Partial<TickSchedule['data']> = {}): TickSchedule => ({
  type: 'TickSchedule',
  data: { schedule: 'campaigns', cron: '*/15 * * * *', now, trigger: 'clock', horizonSeconds: 3600, maxRecordedSkips: 100, ...over },
});

const ticked = (slotAt: string, previousSlotAt: string | null, missedSlots = 0, trigger: 'clock' | 'http' = 'clock'): ScheduleTickedEvent => ({
  type: 'SchedulerTicked',
  data: { schedule: 'campaigns', slotAt, previousSlotAt, periodSeconds: 900, caughtUp: missedSlots > 0, missedSlots, trigger },
});

const skipped = (slotAt: string, reason: SchedulerSlotSkipped['data']['reason'], coveredBySlotAt: string): ScheduleEvent => ({
  type: 'SchedulerSlotSkipped',
  data: { schedule: 'campaigns', slotAt, reason, coveredBySlotAt },
});

describe('schedule decider', () => {
  it('ticks the latest due slot the first time ever, with no previous slot', () => {
    given(scheduleDecider, []).when(tickAt('2026-11-29T10:07:30.000Z')).then([ticked('2026-11-29T10:00:00.000Z', null)]);
  });

  it('counts a slot that falls exactly on now as due', () => {
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)])
      .when(tickAt('2026-11-29T10:15:00.000Z'))
      .then([ticked('2026-11-29T10:15:00.000Z', '2026-11-29T10:00:00.000Z')]);
  });

  it('emits nothing while the due slot already ticked, however often the clock asks', () => {
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)]).when(tickAt('2026-11-29T10:14:59.999Z')).then([]);
  });

  it('records a repeated HTTP trigger of a slot that already ticked, and emits no second tick', () => {
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)])
      .when(tickAt('2026-11-29T10:05:00.000Z', { trigger: 'http' }))
      .then([skipped('2026-11-29T10:00:00.000Z', 'already-ticked', '2026-11-29T10:00:00.000Z')]);
  });

  it('catches up missed slots inside the horizon with one tick whose window covers them all', () => {
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)])
      .when(tickAt('2026-11-29T10:50:00.000Z', { trigger: 'http' }))
      .then([
        skipped('2026-11-29T10:15:00.000Z', 'missed-during-downtime', '2026-11-29T10:45:00.000Z'),
        skipped('2026-11-29T10:30:00.000Z', 'missed-during-downtime', '2026-11-29T10:45:00.000Z'),
        ticked('2026-11-29T10:45:00.000Z', '2026-11-29T10:00:00.000Z', 2, 'http'),
      ]);
  });

  it('abandons slots older than the horizon, visibly, and starts the window after the newest of them', () => {
    // horizon 1 h before 12:10 = 11:10: slots 10:15 … 11:00 are beyond it, 11:15 … 11:45 inside.
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)])
      .when(tickAt('2026-11-29T12:10:00.000Z'))
      .then([
        skipped('2026-11-29T10:15:00.000Z', 'beyond-catch-up-horizon', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T10:30:00.000Z', 'beyond-catch-up-horizon', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T10:45:00.000Z', 'beyond-catch-up-horizon', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T11:00:00.000Z', 'beyond-catch-up-horizon', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T11:15:00.000Z', 'missed-during-downtime', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T11:30:00.000Z', 'missed-during-downtime', '2026-11-29T12:00:00.000Z'),
        skipped('2026-11-29T11:45:00.000Z', 'missed-during-downtime', '2026-11-29T12:00:00.000Z'),
        ticked('2026-11-29T12:00:00.000Z', '2026-11-29T11:00:00.000Z', 3),
      ]);
  });

  it('records at most maxRecordedSkips abandoned slots and sums up the older ones in one truncation note', () => {
    const events = given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null)])
      .when(tickAt('2026-12-29T10:00:00.000Z', { cron: '* * * * *', horizonSeconds: 0, maxRecordedSkips: 3 }))
      .then([
        { type: 'SchedulerSkipsTruncated', data: { schedule: 'campaigns', afterSlotAt: '2026-11-29T10:00:00.000Z', beforeSlotAt: '2026-12-29T09:57:00.000Z' } },
        skipped('2026-12-29T09:57:00.000Z', 'beyond-catch-up-horizon', '2026-12-29T10:00:00.000Z'),
        skipped('2026-12-29T09:58:00.000Z', 'beyond-catch-up-horizon', '2026-12-29T10:00:00.000Z'),
        skipped('2026-12-29T09:59:00.000Z', 'beyond-catch-up-horizon', '2026-12-29T10:00:00.000Z'),
        { ...ticked('2026-12-29T10:00:00.000Z', '2026-12-29T09:59:00.000Z'), data: { ...ticked('2026-12-29T10:00:00.000Z', '2026-12-29T09:59:00.000Z').data, periodSeconds: 60 } },
      ]);
    expect(events).toHaveLength(5);
  });

  it('uses the gap before an irregular slot as its period (weekdays at 09:00)', () => {
    const [tick] = given(scheduleDecider, [])
      .when(tickAt('2026-11-30T09:30:00.000Z', { cron: '0 9 * * 1-5' }))
      .then([{ type: 'SchedulerTicked', data: { schedule: 'campaigns', slotAt: '2026-11-30T09:00:00.000Z', previousSlotAt: null, periodSeconds: 3 * 86_400, caughtUp: false, missedSlots: 0, trigger: 'clock' } }]);
    expect(tick.type).toBe('SchedulerTicked');
  });

  it('refuses to decide on a closed chapter', () => {
    given(scheduleDecider, [ticked('2026-11-29T10:00:00.000Z', null), { type: 'ScheduleChapterClosed', data: { schedule: 'campaigns', next: 2, lastSlotAt: '2026-11-29T10:00:00.000Z' } }])
      .when(tickAt('2026-11-29T10:30:00.000Z'))
      .thenThrows('CHAPTER_CLOSED');
  });

  it('continues a chapter from the state its opening marker carries', () => {
    given(scheduleDecider, [{ type: 'ScheduleChapterOpened', data: { schedule: 'campaigns', chapter: 2, lastSlotAt: '2026-11-29T10:00:00.000Z' } }])
      .when(tickAt('2026-11-29T10:15:00.000Z'))
      .then([ticked('2026-11-29T10:15:00.000Z', '2026-11-29T10:00:00.000Z')]);
  });
});

describe('schedule events against the contracts', () => {
  const envelope = (e: ScheduleEvent) => ({
    id: eventIdOf(e), type: e.type, v: 1, occurredAt: '2026-11-29T12:10:00.000Z', businessId: null, correlationId: eventIdOf(e), causationId: null, data: e.data,
  });
  it('a catch-up decision decodes as SchedulerSlotSkipped / SchedulerTicked', () => {
    const decided = scheduleDecider.decide(tickAt('2026-11-29T12:10:00.000Z'), { status: 'open', lastSlotAt: '2026-11-29T10:00:00.000Z' });
    for (const e of decided) {
      if (e.type === 'SchedulerTicked') expect(SchedulerTicked.safeParse(envelope(e)).success).toBe(true);
      else expect(SchedulerSlotSkipped.safeParse(envelope(e)).success).toBe(true);
    }
    expect(eventIdOf(decided[decided.length - 1])).toBe('tick:campaigns:2026-11-29T12:00:00.000Z');
  });
});
