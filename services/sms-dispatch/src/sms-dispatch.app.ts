import { startService, type RunningService } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import type { SmsDispatchConfig } from './config';
import { DispatchRuntime, type DispatchOverrides } from './dispatch/dispatch-runtime';
import { SmsDispatchModule } from './sms-dispatch.module';

export interface SmsDispatchOverrides extends DispatchOverrides {
  /** Prefix of the service's schemas (tests: a random one). */
  readonly schemaPrefix?: string;
  readonly logger?: Logger;
  /**
   * Benchmarks only: `false` runs without the relay (events stay in the store, nothing is published), to measure its
   * share of the pipeline. A service run this way is not part of the platform.
   */
  readonly relay?: false;
}

/** A running sms-dispatch: the service plus its runtime (dispatcher, projection) for tests and the runner. */
export interface RunningSmsDispatch extends RunningService {
  readonly runtime: DispatchRuntime;
}

/** Starts sms-dispatch: SendSms and opt-outs in, the gateway's only caller, SmsSent / SmsFailed / SmsSuppressed out. */
export async function startSmsDispatch(config: SmsDispatchConfig, overrides: SmsDispatchOverrides = {}): Promise<RunningSmsDispatch> {
  const service = await startService({
    name: 'sms-dispatch',
    modules: [SmsDispatchModule.forRoot(config.dispatch, overrides)],
    config: config.service,
    schemaPrefix: overrides.schemaPrefix,
    logger: overrides.logger,
    relay: overrides.relay,
    // The relay stays on this event loop: in a worker thread (service-kit's relay: 'thread') it cost more CPU in all
    // (a second isolate, pool and NATS connection) and drained slower on these 2-core machines (2.6-3.0k vs 2.8-3.2k
    // msg/s, alternated runs), and again after four passes of making the rest cheaper (5.1-5.5k vs 5.7-6.0k, the process
    // 1.0-1.5 CPU-s more per 40k texts; README, fifth pass); worth measuring again with more cores.
    // The server stops delivering at max_ack_pending (default 1000): it must cover the handlers in flight, or intake
    // batches stay at about half of it whatever the concurrency.
    consumer: { concurrency: config.dispatch.intakeConcurrency, maxAckPending: Math.max(1000, config.dispatch.intakeConcurrency) },
  });
  const runtime = service.app.get(DispatchRuntime);
  await runtime.ready.catch(async (err: unknown) => {
    await service.close();
    throw err;
  });
  return Object.assign(service, { runtime });
}
