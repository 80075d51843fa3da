import { startService, type RunningService } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { CampaignsModule } from './campaigns.module';
import type { Clock } from './campaigns.tokens';
import type { CampaignsConfig } from './config';
import type { RunHooks } from './run/run.executor';

/** What tests and the all-in-one runner may replace. */
export interface CampaignsOverrides {
  /** Schema prefix of the store and tables (tests: a random one). */
  readonly schemaPrefix?: string;
  readonly logger?: Logger;
  /** The clock of HTTP commands and previews (ticks bring their own time). */
  readonly clock?: Clock;
  readonly hooks?: RunHooks;
}

/** Starts the campaigns service. */
export async function startCampaigns(config: CampaignsConfig, overrides: CampaignsOverrides = {}): Promise<RunningService> {
  return startService({
    name: 'campaigns',
    config: config.service,
    modules: [CampaignsModule.forRoot({ config, clock: overrides.clock ?? (() => new Date()), hooks: overrides.hooks ?? {} })],
    ...(overrides.schemaPrefix !== undefined ? { schemaPrefix: overrides.schemaPrefix } : {}),
    ...(overrides.logger ? { logger: overrides.logger } : {}),
  });
}
