import { DomainError, type Command, type Decider } from '@dailydesk/event-store';
import type { CampaignDefinition } from './campaign.definition';
import { runIdOf, type BusinessSnapshot, type CampaignEvent, type CampaignRunStarted } from './campaign.events';
import { addDays, firstOccurrence, isDue, localDateAt, maxDate, type LocalDate, type Timing } from './campaign.schedule';

export type CampaignCommand =
  | Command<'CreateCampaign', { campaignId: string; businessId: string; timeZone: string; definition: CampaignDefinition }>
  | Command<'EditCampaign', { definition: CampaignDefinition; timeZone: string }>
  | Command<'ActivateCampaign', { timeZone: string }>
  | Command<'PauseCampaign', Record<string, never>>
  | Command<'ResumeCampaign', { timeZone: string }>
  | Command<'ArchiveCampaign', Record<string, never>>
  /** From a tick: `metadata.now` is the tick's slot. */
  | Command<'StartCampaignRun', { business: BusinessSnapshot }>
  | Command<'CompleteCampaignRun', { runId: string; requested: number; skipped: number }>;

/** The run under way: what CampaignRunStarted froze (template, audience, business). */
export type RunInProgress = CampaignRunStarted['data'];

interface Existing {
  readonly campaignId: string;
  readonly businessId: string;
  readonly definition: CampaignDefinition;
  readonly timeZone: string;
  /** The occurrence the campaign waits for (or is running); null when none is scheduled. */
  readonly next: LocalDate | null;
  readonly run: RunInProgress | null;
  readonly runsCompleted: number;
  readonly lastRun: { readonly runId: string; readonly occurrence: LocalDate; readonly requested: number } | null;
}

export type CampaignStatus = 'draft' | 'active' | 'paused' | 'completed' | 'archived';
export type CampaignState = { readonly status: 'none' } | (Existing & { readonly status: CampaignStatus });

const timingOf = (d: CampaignDefinition): Timing => ({ schedule: d.schedule, sendTime: d.sendTime, endDate: d.endDate });

/**
 * The next occurrence when a campaign is (re)activated at `now`. A one-time campaign keeps its date while that date
 * has not passed locally (sent at the next tick if its time of day is already past); a recurring one takes the first
 * occurrence whose send instant is still ahead, so activating at 10:00 never fires a 09:00 occurrence of today.
 */
function scheduleFrom(definition: CampaignDefinition, zone: string, now: string): LocalDate {
  const today = localDateAt(now, zone);
  const s = definition.schedule;
  if (s.kind === 'ONE_TIME') {
    if (s.date < today) throw new DomainError('CAMPAIGN_DATE_PASSED', `the campaign date ${s.date} has passed in ${zone}`);
    return s.date;
  }
  const next = firstOccurrence(timingOf(definition), today, zone, now);
  if (next === null) throw new DomainError('NO_OCCURRENCE_LEFT', 'the schedule has no occurrence left before its end date');
  return next;
}

/**
 * After the run of `occurrence` finished at `now`: the next occurrence after it whose send instant is still ahead.
 * Occurrences missed while the service was down collapse into the run that just happened (one text, not a burst).
 */
function nextAfterRun(definition: CampaignDefinition, zone: string, occurrence: LocalDate, now: string): LocalDate | null {
  if (definition.schedule.kind === 'ONE_TIME') return null;
  return firstOccurrence(timingOf(definition), maxDate(addDays(occurrence, 1), localDateAt(now, zone)), zone, now);
}

function existing(state: CampaignState): Existing & { status: CampaignStatus } {
  if (state.status === 'none') throw new DomainError('CAMPAIGN_NOT_FOUND', 'no such campaign');
  return state;
}

function open(state: CampaignState): Existing & { status: CampaignStatus } {
  const s = existing(state);
  if (s.status === 'archived' || s.status === 'completed') throw new DomainError('CAMPAIGN_CLOSED', `the campaign is ${s.status}`);
  return s;
}

function decide(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  const now = command.metadata.now;
  switch (command.type) {
    case 'CreateCampaign':
      if (state.status !== 'none') throw new DomainError('CAMPAIGN_EXISTS', 'a campaign with this id exists');
      return [{ type: 'CampaignCreated', data: command.data }];
    case 'EditCampaign': {
      const s = open(state);
      const { definition, timeZone } = command.data;
      const next = s.status === 'active' ? scheduleFrom(definition, timeZone, now) : s.next;
      return [{ type: 'CampaignEdited', data: { definition, timeZone, next } }];
    }
    case 'ActivateCampaign': {
      const s = open(state);
      if (s.status === 'active') return [];
      if (s.status !== 'draft') throw new DomainError('CAMPAIGN_NOT_DRAFT', `a ${s.status} campaign is resumed, not activated`);
      return [{ type: 'CampaignActivated', data: { timeZone: command.data.timeZone, next: scheduleFrom(s.definition, command.data.timeZone, now) } }];
    }
    case 'PauseCampaign': {
      const s = open(state);
      if (s.status === 'paused') return [];
      if (s.status !== 'active') throw new DomainError('CAMPAIGN_NOT_ACTIVE', `a ${s.status} campaign cannot be paused`);
      return [{ type: 'CampaignPaused', data: {} }];
    }
    case 'ResumeCampaign': {
      const s = open(state);
      if (s.status === 'active') return [];
      if (s.status !== 'paused') throw new DomainError('CAMPAIGN_NOT_PAUSED', `a ${s.status} campaign cannot be resumed`);
      return [{ type: 'CampaignResumed', data: { timeZone: command.data.timeZone, next: scheduleFrom(s.definition, command.data.timeZone, now) } }];
    }
    case 'ArchiveCampaign':
      return existing(state).status === 'archived' ? [] : [{ type: 'CampaignArchived', data: {} }];
    case 'StartCampaignRun': {
      if (state.status !== 'active' || state.run !== null || state.next === null) return [];
      const { business } = command.data;
      if (!isDue(state.next, state.definition.sendTime, business.timeZone, now)) return [];
      const runId = runIdOf(state.campaignId, state.next);
      if (state.lastRun?.runId === runId) return [];
      const { template, audience, sendTime } = state.definition;
      return [
        {
          type: 'CampaignRunStarted',
          data: { runId, occurrence: state.next, scheduledAt: `${state.next}T${sendTime}`, template, audience, business },
        },
      ];
    }
    case 'CompleteCampaignRun': {
      if (state.status === 'none' || state.run?.runId !== command.data.runId) return [];
      const { occurrence } = state.run;
      const next = state.status === 'archived' ? null : nextAfterRun(state.definition, state.timeZone, occurrence, now);
      const done: CampaignEvent[] = [{ type: 'CampaignRunCompleted', data: { ...command.data, occurrence, next } }];
      if (next === null && state.status !== 'archived') {
        done.push({ type: 'CampaignCompleted', data: { reason: state.definition.schedule.kind === 'ONE_TIME' ? 'one-time-sent' : 'no-occurrence-left' } });
      }
      return done;
    }
  }
}

function evolve(state: CampaignState, event: CampaignEvent): CampaignState {
  if (event.type === 'CampaignCreated') {
    const { campaignId, businessId, timeZone, definition } = event.data;
    return { status: 'draft', campaignId, businessId, timeZone, definition, next: null, run: null, runsCompleted: 0, lastRun: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CampaignEdited':
      return { ...state, definition: event.data.definition, timeZone: event.data.timeZone, next: event.data.next };
    case 'CampaignActivated':
      return { ...state, status: 'active', timeZone: event.data.timeZone, next: event.data.next };
    case 'CampaignPaused':
      return { ...state, status: 'paused' };
    case 'CampaignResumed':
      return { ...state, status: 'active', timeZone: event.data.timeZone, next: event.data.next };
    case 'CampaignArchived':
      return { ...state, status: 'archived', next: null };
    case 'CampaignRunStarted':
      return { ...state, timeZone: event.data.business.timeZone, run: event.data };
    case 'CampaignRunCompleted': {
      const { runId, occurrence, requested, next } = event.data;
      return { ...state, run: null, next, runsCompleted: state.runsCompleted + 1, lastRun: { runId, occurrence, requested } };
    }
    case 'CampaignCompleted':
      return { ...state, status: 'completed', next: null };
  }
}

/** The Campaign aggregate: definition, lifecycle and scheduling rules; pure (time arrives on the command). */
export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};

/** The occurrence activating (or resuming) at `now` would schedule; null when it would be refused. For views of drafts. */
export function prospectiveNext(definition: CampaignDefinition, zone: string, now: string): LocalDate | null {
  try {
    return scheduleFrom(definition, zone, now);
  } catch {
    return null;
  }
}
