import type { CampaignState } from './campaign.decider';
import { prospectiveNext } from './campaign.decider';
import { instantOf, renderLocal, type LocalDate } from './campaign.schedule';

/** When a campaign sends next, as the API shows it. `scheduled` is false for a draft or paused campaign (if activated now). */
export interface NextCampaignDate {
  readonly at: string;
  readonly local: string;
  readonly date: LocalDate;
  readonly scheduled: boolean;
}

/** A campaign as the HTTP API shows it. */
export type CampaignView = ReturnType<typeof toView>;

/** The API view of an existing campaign; `nextCampaignDate` is always derived, never stored by hand. */
export function toView(state: Exclude<CampaignState, { status: 'none' }>, version: number, context: { now: string; receiptsPublicUrl: string }) {
  const { definition: d, timeZone } = state;
  let next: LocalDate | null = null;
  let scheduled = false;
  if (state.status === 'active') {
    next = state.next;
    scheduled = true;
  } else if (state.status === 'draft' || state.status === 'paused') {
    next = prospectiveNext(d, timeZone, context.now);
  }
  const nextCampaignDate: NextCampaignDate | null =
    next === null ? null : { at: instantOf(next, d.sendTime, timeZone), local: renderLocal(next, d.sendTime, timeZone), date: next, scheduled };
  // The receipts service keeps the delivery funnel; it summarises per campaign (not yet per run).
  const results = `${context.receiptsPublicUrl}/receipts/campaigns/${encodeURIComponent(state.campaignId)}/summary`;
  return {
    campaignId: state.campaignId,
    businessId: state.businessId,
    status: state.status,
    name: d.name,
    template: d.template,
    audience: d.audience,
    schedule: d.schedule,
    sendTime: d.sendTime,
    endDate: d.endDate,
    timeZone,
    nextCampaignDate,
    currentRun: state.run ? { runId: state.run.runId, occurrence: state.run.occurrence } : null,
    lastRun: state.lastRun ? { ...state.lastRun } : null,
    runsCompleted: state.runsCompleted,
    resultsUrl: results,
    version,
  };
}
