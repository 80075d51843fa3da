import { given } from '@dailydesk/testing';
import { CampaignDefinition } from './campaign.definition';
import { campaignDecider, type CampaignCommand } from './campaign.decider';
import type { BusinessSnapshot, CampaignEvent } from './campaign.events';

const zone = 'Europe/Berlin';
const business: BusinessSnapshot = { timeZone: zone, name: 'Salon', country: 'DE' };
const meta = (now: string) => ({ commandId: `c-${now}`, now, correlationId: 'corr', businessId: 'biz-1' });
const def = (over: Record<string, unknown>) =>
  CampaignDefinition.parse({ name: 'Spring', template: 'Hi {{firstName}}', sendTime: '09:00', schedule: { kind: 'ONE_TIME', date: '2026-03-10' }, ...over });

const created = (d: CampaignDefinition): CampaignEvent => ({ type: 'CampaignCreated', data: { campaignId: 'cmp1', businessId: 'biz-1', timeZone: zone, definition: d } });
const activate = (now: string, timeZone = zone): CampaignCommand => ({ type: 'ActivateCampaign', data: { timeZone }, metadata: meta(now) });
const tick = (now: string, b: BusinessSnapshot = business): CampaignCommand => ({ type: 'StartCampaignRun', data: { business: b }, metadata: meta(now) });
const complete = (runId: string, now: string): CampaignCommand => ({ type: 'CompleteCampaignRun', data: { runId, requested: 3, skipped: 0 }, metadata: meta(now) });
const activated = (next: string, timeZone = zone): CampaignEvent => ({ type: 'CampaignActivated', data: { timeZone, next } });
const started = (d: CampaignDefinition, occurrence: string, b: BusinessSnapshot = business): CampaignEvent => ({
  type: 'CampaignRunStarted',
  data: { runId: `cmp1.${occurrence}`, occurrence, scheduledAt: `${occurrence}T${d.sendTime}`, template: d.template, audience: d.audience, business: b },
});
const completed = (occurrence: string, next: string | null): CampaignEvent => ({
  type: 'CampaignRunCompleted',
  data: { runId: `cmp1.${occurrence}`, requested: 3, skipped: 0, occurrence, next },
});

describe('campaign decider: ONE_TIME', () => {
  const d = def({});
  it('activates for its date and starts one run once the local send time has passed', () => {
    given(campaignDecider, [created(d)]).when(activate('2026-03-01T10:00:00Z')).then([activated('2026-03-10')]);
    // 09:00 in Berlin in March (CET, +01:00) is 08:00Z.
    given(campaignDecider, [created(d), activated('2026-03-10')]).when(tick('2026-03-10T07:59:00Z')).then([]);
    given(campaignDecider, [created(d), activated('2026-03-10')]).when(tick('2026-03-10T08:00:00Z')).then([started(d, '2026-03-10')]);
  });
  it('a tick delivered twice (or a second tick during the run) starts no second run', () => {
    given(campaignDecider, [created(d), activated('2026-03-10'), started(d, '2026-03-10')]).when(tick('2026-03-10T08:15:00Z')).then([]);
  });
  it('completes after its run, and a repeated completion is a no-op', () => {
    const history = [created(d), activated('2026-03-10'), started(d, '2026-03-10')];
    given(campaignDecider, history)
      .when(complete('cmp1.2026-03-10', '2026-03-10T08:01:00Z'))
      .then([completed('2026-03-10', null), { type: 'CampaignCompleted', data: { reason: 'one-time-sent' } }]);
    const done: CampaignEvent[] = [...history, completed('2026-03-10', null), { type: 'CampaignCompleted', data: { reason: 'one-time-sent' } }];
    given(campaignDecider, done).when(complete('cmp1.2026-03-10', '2026-03-10T08:02:00Z')).then([]);
    given(campaignDecider, done).when(tick('2026-03-11T08:00:00Z')).then([]);
  });
  it('refuses activation once its local date has passed, but sends later the same day', () => {
    given(campaignDecider, [created(d)]).when(activate('2026-03-10T23:30:00Z')).thenThrows('CAMPAIGN_DATE_PASSED'); // 00:30 on the 11th in Berlin
    given(campaignDecider, [created(d)]).when(activate('2026-03-10T22:30:00Z')).then([activated('2026-03-10')]); // 23:30 on the 10th
  });
});

describe('campaign decider: RECURRING', () => {
  it('DAILY: the first occurrence still ahead, then the day after each run', () => {
    const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'DAILY' }, startDate: '2026-03-01' } });
    // Activated at 10:00 local on the 5th: today's 09:00 is gone, so the 6th.
    given(campaignDecider, [created(d)]).when(activate('2026-03-05T09:00:00Z')).then([activated('2026-03-06')]);
    const history = [created(d), activated('2026-03-06'), started(d, '2026-03-06')];
    given(campaignDecider, history).when(complete('cmp1.2026-03-06', '2026-03-06T08:05:00Z')).then([completed('2026-03-06', '2026-03-07')]);
  });
  it('DAILY: occurrences missed during downtime collapse into one run', () => {
    const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'DAILY' }, startDate: '2026-03-01' } });
    const history = [created(d), activated('2026-03-06'), started(d, '2026-03-06')];
    // The run ends on the 9th at 12:00 local: the 7th, 8th and 9th are skipped, the 10th is next.
    given(campaignDecider, history).when(complete('cmp1.2026-03-06', '2026-03-09T11:00:00Z')).then([completed('2026-03-06', '2026-03-10')]);
  });
  it('WEEKLY on given days', () => {
    const d = def({ schedule: { kind: 'RECURRING', recurrence: 'FREQ=WEEKLY;BYDAY=MO,TH', startDate: '2026-03-01' } });
    // 2026-03-03 is a Tuesday → Thursday the 5th; after it, Monday the 9th.
    given(campaignDecider, [created(d)]).when(activate('2026-03-03T12:00:00Z')).then([activated('2026-03-05')]);
    given(campaignDecider, [created(d), activated('2026-03-05'), started(d, '2026-03-05')])
      .when(complete('cmp1.2026-03-05', '2026-03-05T08:01:00Z'))
      .then([completed('2026-03-05', '2026-03-09')]);
  });
  it('MONTHLY on a day: the 31st falls on the last day of shorter months', () => {
    const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'MONTHLY', byMonthDay: 31 }, startDate: '2026-01-01' } });
    given(campaignDecider, [created(d)]).when(activate('2026-02-01T12:00:00Z')).then([activated('2026-02-28')]);
    given(campaignDecider, [created(d), activated('2026-02-28'), started(d, '2026-02-28')])
      .when(complete('cmp1.2026-02-28', '2026-02-28T08:01:00Z'))
      .then([completed('2026-02-28', '2026-03-31')]);
  });
  it('starts no earlier than its start date', () => {
    const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'DAILY' }, startDate: '2026-04-01' } });
    given(campaignDecider, [created(d)]).when(activate('2026-03-05T09:00:00Z')).then([activated('2026-04-01')]);
  });
});

describe('campaign decider: send time in the business zone across DST', () => {
  const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'DAILY' }, startDate: '2026-03-01' } });
  it('09:00 Berlin is 08:00Z before the spring change and 07:00Z after it (2026-03-29)', () => {
    const onThe28 = [created(d), activated('2026-03-28')];
    given(campaignDecider, onThe28).when(tick('2026-03-28T07:59:00Z')).then([]);
    given(campaignDecider, onThe28).when(tick('2026-03-28T08:00:00Z')).then([started(d, '2026-03-28')]);
    const onThe29 = [created(d), activated('2026-03-29')];
    given(campaignDecider, onThe29).when(tick('2026-03-29T06:59:00Z')).then([]);
    given(campaignDecider, onThe29).when(tick('2026-03-29T07:00:00Z')).then([started(d, '2026-03-29')]);
  });
  it('02:30 on the spring-forward night (no such local time) sends at 03:30 local', () => {
    const night = def({ sendTime: '02:30', schedule: { kind: 'ONE_TIME', date: '2026-03-29' } });
    const h = [created(night), activated('2026-03-29')];
    given(campaignDecider, h).when(tick('2026-03-29T01:29:00Z')).then([]);
    given(campaignDecider, h).when(tick('2026-03-29T01:30:00Z')).then([started(night, '2026-03-29')]);
  });
  it('uses the zone of the business, not the server: New York changes on 2026-03-08', () => {
    const ny: BusinessSnapshot = { timeZone: 'America/New_York', name: 'Salon', country: 'US' };
    const h = [created(d), activated('2026-03-08', ny.timeZone)];
    // 09:00 EDT (-04:00) = 13:00Z on the 8th; the day before it was 14:00Z.
    given(campaignDecider, h).when(tick('2026-03-08T12:59:00Z', ny)).then([]);
    given(campaignDecider, h).when(tick('2026-03-08T13:00:00Z', ny)).then([started(d, '2026-03-08', ny)]);
  });
});

describe('campaign decider: pause, resume, end date, archive', () => {
  const d = def({ schedule: { kind: 'RECURRING', recurrence: { freq: 'DAILY' }, startDate: '2026-03-01' }, endDate: '2026-03-12' });
  const running = [created(d), activated('2026-03-06')];
  const pause: CampaignCommand = { type: 'PauseCampaign', data: {}, metadata: meta('2026-03-05T12:00:00Z') };
  it('a paused campaign starts no run; resume skips what passed while paused', () => {
    given(campaignDecider, running).when(pause).then([{ type: 'CampaignPaused', data: {} }]);
    const paused = [...running, { type: 'CampaignPaused', data: {} } as CampaignEvent];
    given(campaignDecider, paused).when(tick('2026-03-06T08:00:00Z')).then([]);
    given(campaignDecider, paused).when(pause).then([]);
    given(campaignDecider, paused)
      .when({ type: 'ResumeCampaign', data: { timeZone: zone }, metadata: meta('2026-03-08T10:00:00Z') })
      .then([{ type: 'CampaignResumed', data: { timeZone: zone, next: '2026-03-09' } }]);
    given(campaignDecider, paused)
      .when({ type: 'ActivateCampaign', data: { timeZone: zone }, metadata: meta('2026-03-08T10:00:00Z') })
      .thenThrows('CAMPAIGN_NOT_DRAFT');
  });
  it('completes at its end date and refuses to resume past it', () => {
    const last = [created(d), activated('2026-03-12'), started(d, '2026-03-12')];
    given(campaignDecider, last)
      .when(complete('cmp1.2026-03-12', '2026-03-12T08:01:00Z'))
      .then([completed('2026-03-12', null), { type: 'CampaignCompleted', data: { reason: 'no-occurrence-left' } }]);
    const paused = [...running, { type: 'CampaignPaused', data: {} } as CampaignEvent];
    given(campaignDecider, paused)
      .when({ type: 'ResumeCampaign', data: { timeZone: zone }, metadata: meta('2026-03-12T09:00:00Z') })
      .thenThrows('NO_OCCURRENCE_LEFT');
  });
  it('an archived campaign runs no more and cannot be edited', () => {
    const archived = [...running, { type: 'CampaignArchived', data: {} } as CampaignEvent];
    given(campaignDecider, archived).when(tick('2026-03-06T08:00:00Z')).then([]);
    given(campaignDecider, archived).when({ type: 'EditCampaign', data: { definition: d, timeZone: zone }, metadata: meta('2026-03-06T08:00:00Z') }).thenThrows('CAMPAIGN_CLOSED');
  });
  it('an edit of an active campaign re-derives its next date', () => {
    const later = def({ ...d, sendTime: '18:00' });
    given(campaignDecider, running)
      .when({ type: 'EditCampaign', data: { definition: later, timeZone: zone }, metadata: meta('2026-03-05T12:00:00Z') })
      .then([{ type: 'CampaignEdited', data: { definition: later, timeZone: zone, next: '2026-03-05' } }]);
  });
  it('commands on a missing campaign are refused', () => {
    given(campaignDecider, []).when(activate('2026-03-05T12:00:00Z')).thenThrows('CAMPAIGN_NOT_FOUND');
  });
});
