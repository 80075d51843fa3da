import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { handleCommand, type Database, type EventStore, type Subscription } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { CAMPAIGNS_CONFIG, CLOCK, SCHEMA, type Clock } from '../campaigns.tokens';
import type { CampaignsConfig } from '../config';
import { campaignDecider, type CampaignCommand, type CampaignState } from './campaign.decider';
import { CAMPAIGN_EVENT_TYPES, streams, type CampaignEvent } from './campaign.events';
import { instantOf } from './campaign.schedule';
import { toView, type CampaignView } from './campaign.view';

/** A campaign folded from its stream. */
export interface LoadedCampaign {
  readonly state: CampaignState;
  readonly version: number;
}

/**
 * Campaign commands and the campaign list. Commands go through the decider (handleCommand) and the list row is
 * written right after, so the API reads its own writes; a subscription to the store's log writes it again for
 * every campaign event, which heals a row missed by a crash between the append and that write.
 */
@Injectable()
export class CampaignProjection implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SCHEMA) private readonly s: string,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CAMPAIGNS_CONFIG) private readonly config: CampaignsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.store.subscribe({
      name: 'campaigns-list',
      batchSize: 1000,
      logger: this.logger,
      handler: async (events) => {
        const ids = new Set<string>();
        for (const r of events) {
          const id = CAMPAIGN_EVENT_TYPES.has(r.event.type) ? streams.campaignIdOf(r.streamId) : null;
          if (id !== null) ids.add(id);
        }
        for (const id of ids) await this.save(id, await this.load(id));
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
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
