import { Inject, Injectable } from '@nestjs/common';
import { handleCommand, type Database, type EventStore } from '@dailydesk/event-store';
import { DATABASE, EVENT_STORE } from '@dailydesk/service-kit';
import { CAMPAIGNS_CONFIG, CLOCK, SCHEMA, type Clock } from '../campaigns.tokens';
import type { CampaignsConfig } from '../config';
import { campaignDecider, type CampaignCommand, type CampaignState } from './campaign.decider';
import { streams, type CampaignEvent } from './campaign.events';
import { instantOf } from './campaign.schedule';
import { toView, type CampaignView } from './campaign.view';

/** A campaign folded from its stream. */
export interface LoadedCampaign {
  readonly state: CampaignState;
  readonly version: number;
}

/**
 * Campaign commands and the campaign list. Commands go through the decider (handleCommand) and the list row is
 * written right after (version-guarded), so the API and the tick handler read their own writes.
 */
@Injectable()
export class CampaignProjection {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SCHEMA) private readonly s: string,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CAMPAIGNS_CONFIG) private readonly config: CampaignsConfig,
  ) {}

  /**
   * Writes every listed campaign's row again from its stream, healing a row left stale by a crash between an append
   * and the row write (a subscription to the whole log would do it too, but would read every SendSms of every run).
   */
  async reconcile(): Promise<void> {
    const rows = await this.db.query<{ campaign_id: string }>(`SELECT campaign_id FROM ${this.s}.campaigns WHERE status NOT IN ('archived', 'completed') OR run_id IS NOT NULL`);
    for (const r of rows) await this.save(r.campaign_id, await this.load(r.campaign_id));
  }

  async load(campaignId: string): Promise<LoadedCampaign> {
    const { version, events } = await this.store.readStream(streams.campaign(campaignId));
    const state = events.reduce((s, r) => campaignDecider.evolve(s, r.event as unknown as CampaignEvent), campaignDecider.initialState());
    return { state, version };
  }

  /** Runs a command through the decider; `now` and ids come from the caller (a tick) or the clock and a fresh id. */
  async execute(
    campaignId: string,
    businessId: string,
    command: Pick<CampaignCommand, 'type' | 'data'> & { metadata: { commandId: string; correlationId: string; now?: string } },
  ): Promise<LoadedCampaign> {
    const metadata = { ...command.metadata, now: command.metadata.now ?? this.clock().toISOString(), businessId };
    const r = await handleCommand(this.store, streams.campaign(campaignId), campaignDecider, { ...command, metadata } as CampaignCommand);
    const loaded = { state: r.state, version: r.nextExpectedVersion };
    await this.save(campaignId, loaded);
    return loaded;
  }

  view(loaded: LoadedCampaign): CampaignView | null {
    if (loaded.state.status === 'none') return null;
    return toView(loaded.state, loaded.version, { now: this.clock().toISOString(), receiptsPublicUrl: this.config.receiptsPublicUrl });
  }

  private async save(campaignId: string, { state, version }: LoadedCampaign): Promise<void> {
    if (state.status === 'none') return;
    const nextRunAt = state.status === 'active' && state.next !== null ? instantOf(state.next, state.definition.sendTime, state.timeZone) : null;
    await this.db.query(
      `INSERT INTO ${this.s}.campaigns AS c (campaign_id, business_id, status, next_run_at, run_id, version, view)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (campaign_id) DO UPDATE SET status = excluded.status, next_run_at = excluded.next_run_at, run_id = excluded.run_id,
         version = excluded.version, view = excluded.view
       WHERE c.version < excluded.version`,
      [campaignId, state.businessId, state.status, nextRunAt, state.run?.runId ?? null, version, JSON.stringify(this.view({ state, version }))],
    );
  }

  /** Active campaigns whose next send instant is not after `at`, and campaigns with a run under way. */
  async dueOrRunning(at: string): Promise<Array<{ campaignId: string; businessId: string; runId: string | null }>> {
    const rows = await this.db.query<{ campaign_id: string; business_id: string; run_id: string | null }>(
      `SELECT campaign_id, business_id, run_id FROM ${this.s}.campaigns
       WHERE (status = 'active' AND next_run_at <= $1) OR run_id IS NOT NULL ORDER BY campaign_id`,
      [at],
    );
    return rows.map((r) => ({ campaignId: r.campaign_id, businessId: r.business_id, runId: r.run_id }));
  }

  async list(businessId: string, status?: string): Promise<unknown[]> {
    const rows = await this.db.query<{ view: unknown }>(
      `SELECT view FROM ${this.s}.campaigns WHERE business_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY campaign_id LIMIT 1000`,
      [businessId, status ?? null],
    );
    return rows.map((r) => (typeof r.view === 'string' ? JSON.parse(r.view) : r.view));
  }
}
