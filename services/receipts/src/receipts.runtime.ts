import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Database, EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { DATABASE, EVENT_STORE, SERVICE_SCHEMA } from '@dailydesk/service-kit';
import { SkylineClient } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { ReceiptsConfig } from './config';
import { processorMigration } from './processing/processor-tables';
import { ReceiptProcessor } from './processing/receipt-processor';
import { ProjectionRunner } from './projection/projection-runner';
import { InboxReconciler } from './reconciliation/inbox-reconciler';
import { PARSED_CALLBACKS, PROJECTIONS, RECEIPTS_CONFIG } from './receipts.tokens';
import type { ParsedCallbacks } from './webhook/parsed-callbacks';

/** Migrates the service's tables before HTTP serves, then runs the processor, the projection and the reconciler. */
@Injectable()
export class ReceiptsRuntime implements OnModuleInit, OnModuleDestroy {
  readonly processor: ReceiptProcessor;
  readonly reconciler: InboxReconciler | null;
  private client: SkylineClient | null = null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_SCHEMA) private readonly schema: string,
    @Inject(RECEIPTS_CONFIG) private readonly config: ReceiptsConfig,
    @Inject(PROJECTIONS) readonly projections: ProjectionRunner,
    @Inject(PARSED_CALLBACKS) parsed: ParsedCallbacks,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.processor = new ReceiptProcessor(store, db, schema, logger, parsed);
    if (config.gateway) {
      this.client = new SkylineClient({ ...config.gateway, logger });
      this.reconciler = new InboxReconciler(this.client, store, db, schema, logger);
    } else this.reconciler = null;
  }

  async onModuleInit(): Promise<void> {
    await this.db.exec(processorMigration(this.schema));
    await this.projections.migrate();
    await this.reconciler?.migrate();
    this.processor.start();
    this.projections.start();
    this.reconciler?.start(this.config.reconcileIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.reconciler?.stop();
    await this.processor.stop();
    await this.projections.stop();
    await this.client?.close();
  }
}
