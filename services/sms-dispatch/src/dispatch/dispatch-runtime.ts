import type { SendSms } from '@dailydesk/contracts';
import type { Database, EventStore } from '@dailydesk/event-store';
import { SkylineClient } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { DispatchConfig } from '../config';
import { AuditedGateway } from '../gateway/audited-gateway';
import { IntakeBatcher } from '../intake/intake-batcher';
import { migrateDispatchSchema } from './dispatch.schema';
import { Dispatcher, type DispatcherHooks } from './dispatcher';
import { PortPacer, type Clock } from './port-pacer';
import type { HoldLimits } from './queue-fold';
import { QueueProjection } from './queue.projection';
import { StageStats } from './stage-stats';

/** Per-URL status report cache period requested from the gateway (s); SMS_REPORT_GRACE_MS must exceed it. */
const REPORT_CACHE_PERIOD_S = 30;

/** What tests (and the all-in-one runner) may replace: the clock, the idle poll, crash points, the hold limits. */
export interface DispatchOverrides {
  readonly clock?: Clock;
  readonly idleMs?: number;
  readonly hooks?: DispatcherHooks;
  /** How long waiting texts are held in memory before the queue table gets them (default HOLD_LIMITS: 10 s, 50,000). */
  readonly holdLimits?: HoldLimits;
  /** How often a replica that is not the dispatcher retries the lock (ms, default 1000). */
  readonly leadershipCheckMs?: number;
}

/** The service's moving parts, started after the schema is migrated and stopped before the store closes. */
export class DispatchRuntime {
  readonly projection: QueueProjection;
  readonly intake: IntakeBatcher;
  readonly dispatcher: Dispatcher;
  readonly gateway: AuditedGateway | null;
  /** Wall time per pipeline stage (benchmark). */
  readonly stats = new StageStats();
  private readonly client: SkylineClient | null;
  readonly ready: Promise<void>;
  private markReady!: (err?: unknown) => void;

  constructor(
    readonly config: DispatchConfig,
    store: EventStore,
    readonly db: Database,
    readonly schema: string,
    logger: Logger,
    overrides: DispatchOverrides = {},
  ) {
    const clock = overrides.clock ?? Date.now;
    this.ready = new Promise<void>((resolve, reject) => (this.markReady = (err) => (err ? reject(err) : resolve())));
    this.ready.catch(() => undefined);
    this.client = config.gateway
      ? new SkylineClient({
          ...config.gateway,
          connections: config.maxPostsInFlight + 2,
          timeoutMs: config.gatewayTimeoutMs,
          headersTimeoutMs: config.gatewayTimeoutMs,
          bodyTimeoutMs: config.gatewayTimeoutMs,
          reports: config.receiptsWebhookUrl ? { srUrl: config.receiptsWebhookUrl, srPrd: REPORT_CACHE_PERIOD_S, smsUrl: config.receiptsWebhookUrl } : {},
          logger,
        })
      : null;
    this.gateway = this.client ? new AuditedGateway(this.client, db, schema, config.gatewayTimeoutMs, logger) : null;
    this.projection = new QueueProjection(store, db, schema, logger, this.stats, overrides.holdLimits);
    const pacer = new PortPacer({ perMinute: config.portPerMinute, dailyCap: config.simDailyCap, clock });
    this.dispatcher = new Dispatcher(config, store, db, schema, this.projection, this.gateway, pacer, clock, logger, overrides.hooks, overrides.idleMs, this.stats, overrides.leadershipCheckMs);
    this.intake = new IntakeBatcher(store, db, schema, { enabled: config.enabled, maxSegments: config.maxSegments, clock }, logger, (stored) => this.dispatcher.enqueueAppended(stored), this.stats);
  }

  async start(): Promise<void> {
    try {
      await migrateDispatchSchema(this.db, this.schema);
      await this.dispatcher.start(); // its takeover starts the queue projection
      this.markReady();
    } catch (err) {
      this.markReady(err);
      throw err;
    }
  }

  /** Makes requests durable (queued or suppressed); one answer per request, `undefined` once it is stored. */
  async acceptMany(requests: readonly SendSms[]): Promise<unknown[]> {
    await this.ready;
    return this.intake.submitMany(requests);
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.projection.stop();
    await this.client?.close();
  }
}
