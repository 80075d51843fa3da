import { Controller, Inject } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { SchedulerTicked } from '@dailydesk/contracts';
import { LOGGER } from '@dailydesk/observability';
import type { Logger } from 'pino';
import { AudienceProjection } from '../audience/audience.projection';
import { CampaignProjection } from '../campaign/campaign.projection';
import { RunExecutor } from './run.executor';

/**
 * On the `campaigns` tick: every active campaign whose next send instant is not after the tick's slot starts its run
 * (the decider checks again in the business's zone and refuses a second run of the same occurrence, so a tick
 * delivered twice starts one run), then every run under way is executed in the background. The tick is acknowledged
 * once the runs are started, not sent: a run records its own progress and resumes after a crash.
 */
@Controller()
export class StartDueRunsOnTick {
  constructor(
    private readonly campaigns: CampaignProjection,
    private readonly businesses: AudienceProjection,
    private readonly executor: RunExecutor,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('SchedulerTicked', { durable: 'campaign-runs' })
  async startDueRuns(tick: SchedulerTicked): Promise<void> {
    if (tick.data.schedule !== 'campaigns') return;
    const now = tick.data.slotAt;
    for (const c of await this.campaigns.dueOrRunning(now)) {
      if (c.runId !== null) continue;
      const business = await this.businesses.business(c.businessId);
      if (!business) {
        this.logger.warn({ campaignId: c.campaignId, businessId: c.businessId }, 'campaign due but its business is unknown; skipped');
        continue;
      }
      await this.campaigns.execute(c.campaignId, c.businessId, {
        type: 'StartCampaignRun',
        data: { business: { timeZone: business.timeZone, name: business.name, country: business.country } },
        metadata: { commandId: tick.id, correlationId: tick.correlationId, now },
      });
    }
    await this.executor.resumeAll();
  }
}
