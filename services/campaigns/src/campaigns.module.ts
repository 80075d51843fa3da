import { Module, type DynamicModule } from '@nestjs/common';
import type { Database } from '@dailydesk/event-store';
import { DATABASE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { AudienceHandlers } from './audience/audience.handlers';
import { AudienceProjection } from './audience/audience.projection';
import { AudienceQuery } from './audience/audience.query';
import { CampaignController } from './campaign/campaign.controller';
import { CampaignProjection } from './campaign/campaign.projection';
import { CAMPAIGNS_CONFIG, CLOCK, RUN_HOOKS, SCHEMA, type Clock } from './campaigns.tokens';
import type { CampaignsConfig } from './config';
import { RunExecutor, type RunHooks } from './run/run.executor';
import { StartDueRunsOnTick } from './run/start-due-runs-on-tick.handlers';
import { migrateCampaignsSchema } from './schema.migrations';

/** Everything the campaigns service runs: HTTP API, audience consumers, tick handler, run executor. */
@Module({})
export class CampaignsModule {
  static forRoot(options: { config: CampaignsConfig; clock: Clock; hooks: RunHooks }): DynamicModule {
    return {
      module: CampaignsModule,
      controllers: [CampaignController, AudienceHandlers, StartDueRunsOnTick],
      providers: [
        // An async factory: Nest awaits it while building the app, so the tables exist before any handler runs.
        { provide: SCHEMA, useFactory: (db: Database, schema: string) => migrateCampaignsSchema(db, schema), inject: [DATABASE, SERVICE_SCHEMA] },
        { provide: CAMPAIGNS_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock },
        { provide: RUN_HOOKS, useValue: options.hooks },
        AudienceProjection,
        AudienceQuery,
        CampaignProjection,
        RunExecutor,
      ],
    };
  }
}
