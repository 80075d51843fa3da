import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Database, EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { SkylineClient } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { ReceiptsConfig } from './config';
import type { ReceiptsPipeline } from './pipeline/inline-pipeline';
import { InboxReconciler } from './reconciliation/inbox-reconciler';
import { PROJECTIONS, RECEIPTS_CONFIG } from './receipts.tokens';

/**
 * Migrates the service's tables before HTTP serves, then runs the pipeline (processor and projections, inline or in
 * a worker thread) and the reconciler.
 */
@Injectable()
export class ReceiptsRuntime implements OnModuleInit, OnModuleDestroy {
  readonly reconciler: InboxReconciler | null;
  private client: SkylineClient | null = null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATABASE) db: Database,
    @Inject(SERVICE_SCHEMA) schema: string,
    @Inject(RECEIPTS_CONFIG) private readonly config: ReceiptsConfig,
    @Inject(PROJECTIONS) readonly pipeline: ReceiptsPipeline,
    @Inject(LOGGER) logger: Logger,
  ) {
    if (config.gateway) {
      this.client = new SkylineClient({ ...config.gateway, logger });
      this.reconciler = new InboxReconciler(this.client, store, db, schema, logger);
    } else this.reconciler = null;
  }

  async onModuleInit(): Promise<void> {
    // The pipeline's migrations create the service schema the reconciler's table lives in.
    await this.pipeline.start();
    await this.reconciler?.migrate();
    this.reconciler?.start(this.config.reconcileIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.reconciler?.stop();
    await this.pipeline.stop();
    await this.client?.close();
  }
}
