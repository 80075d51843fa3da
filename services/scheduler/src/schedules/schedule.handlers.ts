import { SchedulerSlotSkipped, SchedulerTicked, type EnvelopeBase } from '@dailydesk/contracts';
import { ConcurrencyError, DuplicateEventError, type EventStore, type RecordedEvent } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import type { ScheduleSpec } from '../config';
import { decideTick, evolveSchedule, initialScheduleState, type ScheduleState } from './schedule.decider';
import { chapterStreamOf, eventIdOf, type ScheduleChapterOpened, type ScheduleEvent } from './schedule.events';
import { lastTickSlot, slotsSkipped, tickConflicts, ticksEmitted } from './schedule.metrics';

export interface TickerOptions {
  readonly horizonSeconds: number;
  readonly maxRecordedSkips: number;
  /** A chapter holding this many events is closed before the next append (bounds every read). Default 500. */
  readonly chapterSize?: number;
}

/** One chapter of a schedule's history as read from the store. */
export interface Chapter {
  readonly chapter: number;
  readonly version: number;
  readonly state: ScheduleState;
  readonly events: RecordedEvent[];
  /** Set when the chapter does not exist yet: the marker its first append must start with. */
  readonly opening: ScheduleChapterOpened | null;
}

/** What one tick call stored. */
export interface TickOutcome {
  readonly schedule: string;
  readonly appended: EnvelopeBase[];
  readonly tick: SchedulerTicked | null;
  readonly state: ScheduleState;
}

const MAX_ATTEMPTS = 8;

/**
 * Reads a schedule's current chapter, decides, and appends at the read version. Two replicas deciding the same slot
 * produce the same ids: the second append is a no-op or a ConcurrencyError, after which it re-reads and finds nothing due.
 */
export class ScheduleTicker {
  private readonly chapterSize: number;
  private readonly currentChapter = new Map<string, number>();

  constructor(
    private readonly store: EventStore,
    private readonly options: TickerOptions,
    private readonly logger: Logger,
  ) {
    this.chapterSize = options.chapterSize ?? 500;
  }

  async tick(spec: ScheduleSpec, now: Date, trigger: 'clock' | 'http'): Promise<TickOutcome> {
    const command = {
      type: 'TickSchedule' as const,
      data: { schedule: spec.name, cron: spec.cron, now: now.toISOString(), trigger, ...this.limits() },
    };
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(spec.name);
      const decided = decideTick(command, current.state);
      if (decided.length === 0) return { schedule: spec.name, appended: [], tick: null, state: current.state };
      const stream = chapterStreamOf(spec.name, current.chapter);
      const expectedVersion = current.version === 0 ? 'no-stream' : current.version;
      try {
        if (current.version >= this.chapterSize) {
          const closed: ScheduleEvent = { type: 'ScheduleChapterClosed', data: { schedule: spec.name, next: current.chapter + 1, lastSlotAt: current.state.lastSlotAt } };
          await this.store.appendToStream(stream, [this.envelope(closed, now)], { expectedVersion });
          continue;
        }
        const events = [...(current.opening ? [current.opening] : []), ...decided];
        const envelopes = events.map((e) => this.envelope(e, now, events));
        const result = await this.store.appendToStream(stream, envelopes, { expectedVersion });
        const state = events.reduce(evolveSchedule, current.state);
        if (!result.appended) return { schedule: spec.name, appended: [], tick: null, state };
        this.count(events, spec.name);
        const tick = envelopes.find((e): e is SchedulerTicked => e.type === 'SchedulerTicked') ?? null;
        return { schedule: spec.name, appended: envelopes, tick, state };
      } catch (err) {
        if (!(err instanceof ConcurrencyError || err instanceof DuplicateEventError) || attempt >= MAX_ATTEMPTS) throw err;
        tickConflicts.inc({ schedule: spec.name });
        this.logger.debug({ schedule: spec.name, attempt }, 'scheduler: another replica appended first; deciding again');
      }
    }
  }

  /** The chapter a schedule's next event goes to (following closed chapters), folded. */
  async read(schedule: string): Promise<Chapter> {
    let chapter = this.currentChapter.get(schedule) ?? (await this.lastExistingChapter(schedule));
    let carried: string | null = null;
    for (;;) {
      const { version, events } = await this.store.readStream(chapterStreamOf(schedule, chapter));
      if (version === 0) {
        this.currentChapter.set(schedule, chapter);
        if (chapter === 1) return { chapter, version, state: initialScheduleState(), events, opening: null };
        const opening: ScheduleChapterOpened = { type: 'ScheduleChapterOpened', data: { schedule, chapter, lastSlotAt: carried } };
        return { chapter, version, state: evolveSchedule(initialScheduleState(), opening), events, opening };
      }
      const state = events.reduce((s, r) => evolveSchedule(s, r.event as unknown as ScheduleEvent), initialScheduleState());
      if (state.status === 'open') {
        this.currentChapter.set(schedule, chapter);
        if (state.lastSlotAt) lastTickSlot.set({ schedule }, Date.parse(state.lastSlotAt) / 1000);
        return { chapter, version, state, events, opening: null };
      }
      carried = state.lastSlotAt;
      chapter++;
    }
  }

  // A fresh process finds the newest chapter in O(log n) reads: double until a chapter is missing, then bisect.
  private async lastExistingChapter(schedule: string): Promise<number> {
    const exists = async (n: number) => (await this.store.readStream(chapterStreamOf(schedule, n))).version > 0;
    if (!(await exists(1))) return 1;
    let low = 1;
    let high = 2;
    while (await exists(high)) {
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await exists(middle)) low = middle;
      else high = middle;
    }
    return low;
  }

  private limits() {
    return { horizonSeconds: this.options.horizonSeconds, maxRecordedSkips: this.options.maxRecordedSkips };
  }

  private envelope(event: ScheduleEvent, now: Date, batch: ScheduleEvent[] = []): EnvelopeBase {
    const id = eventIdOf(event);
    const tick = batch.find((e) => e.type === 'SchedulerTicked');
    const envelope: EnvelopeBase = {
      id,
      type: event.type,
      v: 1,
      occurredAt: now.toISOString(),
      businessId: null,
      // Skips and markers of a catch-up belong to the flow of the tick that covers them.
      correlationId: tick ? eventIdOf(tick) : id,
      causationId: null,
      data: event.data,
    };
    // A public message that breaks its contract is a bug here: fail before it reaches the store.
    if (event.type === 'SchedulerTicked') SchedulerTicked.parse(envelope);
    if (event.type === 'SchedulerSlotSkipped') SchedulerSlotSkipped.parse(envelope);
    return envelope;
  }

  private count(events: ScheduleEvent[], schedule: string): void {
    for (const e of events) {
      if (e.type === 'SchedulerTicked') {
        ticksEmitted.inc({ schedule, trigger: e.data.trigger, caught_up: String(e.data.caughtUp) });
        lastTickSlot.set({ schedule }, Date.parse(e.data.slotAt) / 1000);
      } else if (e.type === 'SchedulerSlotSkipped') slotsSkipped.inc({ schedule, reason: e.data.reason });
    }
  }
}
