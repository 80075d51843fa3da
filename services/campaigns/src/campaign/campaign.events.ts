import type { DomainEvent } from '@dailydesk/event-store';
import type { AudienceFilter, CampaignDefinition } from './campaign.definition';
import type { LocalDate } from './campaign.schedule';

// Events private to the campaigns service (never relayed: their types are not in the contracts catalogue).
// They are produced only by the decider from validated commands, so they are typed here rather than re-parsed.

/** What a run needs to know about its business, fixed when the run starts. */
export interface BusinessSnapshot {
  readonly timeZone: string;
  readonly name: string;
  readonly country: string;
}

export type CampaignCreated = DomainEvent<'CampaignCreated', { campaignId: string; businessId: string; timeZone: string; definition: CampaignDefinition }>;
export type CampaignEdited = DomainEvent<'CampaignEdited', { definition: CampaignDefinition; timeZone: string; next: LocalDate | null }>;
export type CampaignActivated = DomainEvent<'CampaignActivated', { timeZone: string; next: LocalDate }>;
export type CampaignPaused = DomainEvent<'CampaignPaused', Record<string, never>>;
export type CampaignResumed = DomainEvent<'CampaignResumed', { timeZone: string; next: LocalDate }>;
export type CampaignArchived = DomainEvent<'CampaignArchived', Record<string, never>>;
/** A run began: the template and audience are frozen here, so an edit during the run does not change it. */
export type CampaignRunStarted = DomainEvent<
  'CampaignRunStarted',
  { runId: string; occurrence: LocalDate; scheduledAt: string; template: string; audience: AudienceFilter; business: BusinessSnapshot }
>;
export type CampaignRunCompleted = DomainEvent<
  'CampaignRunCompleted',
  { runId: string; occurrence: LocalDate; requested: number; skipped: number; next: LocalDate | null }
>;
export type CampaignCompleted = DomainEvent<'CampaignCompleted', { reason: 'one-time-sent' | 'no-occurrence-left' }>;

export type CampaignEvent =
  | CampaignCreated
  | CampaignEdited
  | CampaignActivated
  | CampaignPaused
  | CampaignResumed
  | CampaignArchived
  | CampaignRunStarted
  | CampaignRunCompleted
  | CampaignCompleted;

/** Types of campaign events (a set, so stream readers can pick them out of the global log cheaply). */
export const CAMPAIGN_EVENT_TYPES: ReadonlySet<string> = new Set<CampaignEvent['type']>([
  'CampaignCreated', 'CampaignEdited', 'CampaignActivated', 'CampaignPaused', 'CampaignResumed', 'CampaignArchived',
  'CampaignRunStarted', 'CampaignRunCompleted', 'CampaignCompleted',
]);

/** Progress of a run, appended to the run's stream after each batch of SendSms is durable. */
export type CampaignRunProgressed = DomainEvent<
  'CampaignRunProgressed',
  { runId: string; batch: number; lastCustomerId: string; requested: number; skipped: number }
>;

/** Stream ids: one per campaign, one per run (progress checkpoints), one per batch of a run (its SendSms). */
export const streams = {
  campaign: (campaignId: string) => `campaign-${campaignId}`,
  run: (runId: string) => `campaign-run-${runId}`,
  batch: (runId: string, batch: number) => `campaign-run-${runId}-b${batch}`,
  campaignIdOf: (streamId: string) => (streamId.startsWith('campaign-') && !streamId.startsWith('campaign-run-') ? streamId.slice(9) : null),
};

/** The deterministic id of a run: campaign + the local date of the occurrence it serves. */
export const runIdOf = (campaignId: string, occurrence: LocalDate) => `${campaignId}.${occurrence}`;
