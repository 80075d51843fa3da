import { startService, type RunningService } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { AppointmentsModule } from './appointments.module';
import type { AppointmentsConfig } from './config';

/** What tests and the all-in-one runner may replace. */
export interface AppointmentsOverrides {
  /** The clock deciding "now" for instant texts and confirmation links (ticks carry their own time). */
  readonly clock?: () => Date;
  readonly logger?: Logger;
  /** Schema prefix (tests: a random one); default `config.schemaPrefix`. */
  readonly schemaPrefix?: string;
}

/** Starts the appointments service; stop it with `close()`. */
export function startAppointments(config: AppointmentsConfig, overrides: AppointmentsOverrides = {}): Promise<RunningService> {
  const schemaPrefix = overrides.schemaPrefix ?? config.schemaPrefix;
  return startService({
    name: 'appointments',
    config,
    modules: [AppointmentsModule.forRoot({ publicBaseUrl: config.publicBaseUrl, clock: overrides.clock ?? (() => new Date()) })],
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    ...(schemaPrefix ? { schemaPrefix } : {}),
  });
}
