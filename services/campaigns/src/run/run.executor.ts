import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EnvelopeBase, SendSms } from '@dailydesk/contracts';
import { ConcurrencyError, DuplicateEventError, type EventStore } from '@dailydesk/event-store';
import { LOGGER } from '@dailydesk/observability';
import { EVENT_STORE } from '@dailydesk/service-kit';
import type { Logger } from 'pino';
import { AudienceQuery } from '../audience/audience.query';
import { CampaignProjection } from '../campaign/campaign.projection';
import { streams, type CampaignRunProgressed } from '../campaign/campaign.events';
import { CAMPAIGNS_CONFIG, CLOCK, RUN_HOOKS, type Clock } from '../campaigns.tokens';
import type { CampaignsConfig } from '../config';
import { SendSmsBuilder } from './send-sms.builder';

/** Test hooks: called between the durable append of a batch's SendSms and its checkpoint (a crash there is the hard case). */
export interface RunHooks {
  afterBatchAppended?(runId: string, batch: number): Promise<void> | void;
}

interface Progress {
  batch: number;
  lastCustomerId: string;
  requested: number;
  skipped: number;
}

/**
 * Executes campaign runs: streams the audience in keyset pages, appends each page's SendSms requests to a stream of
 * their own (`campaign-run-<run>-b<n>`, ids = run + customer) and then a CampaignRunProgressed checkpoint to the run's
 * stream, and finally completes the run on the campaign. A run that stopped anywhere (crash, shutdown) resumes from
 * its last checkpoint; a batch that became durable without its checkpoint is found and checkpointed instead of
 * being selected again, so nobody is texted twice and nobody is skipped.
 */
@Injectable()
export class RunExecutor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly active = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly campaigns: CampaignProjection,
    private readonly audience: AudienceQuery,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CAMPAIGNS_CONFIG) private readonly config: CampaignsConfig,
    @Inject(RUN_HOOKS) private readonly hooks: RunHooks,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Heals the campaign list, then resumes runs left under way by a previous process. */
  onApplicationBootstrap(): void {
    void this.campaigns.reconcile().then(
      () => this.resumeAll(),
      (err: unknown) => this.logger.error({ err }, 'campaigns: could not reconcile the campaign list'),
    );
  }

  /** Stops at the next batch boundary and waits for running batches to finish. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.active.values()]);
  }

  /** Starts (in the background) every run under way that this process is not executing yet. */
  async resumeAll(): Promise<void> {
    try {
      for (const c of await this.campaigns.dueOrRunning(new Date(0).toISOString())) this.execute(c.campaignId);
    } catch (err) {
      this.logger.error({ err }, 'campaigns: could not list runs under way');
    }
  }

  /** Executes the campaign's run under way, if any, unless this process already does; resolves when it stops. */
  execute(campaignId: string): Promise<void> {
    const running = this.active.get(campaignId);
    if (running || this.stopping) return running ?? Promise.resolve();
    const p = this.run(campaignId)
      .catch((err: unknown) => this.logger.error({ err, campaignId }, 'campaign run stopped; it resumes at the next tick or restart'))
      .finally(() => this.active.delete(campaignId));
    this.active.set(campaignId, p);
    return p;
  }

  private async run(campaignId: string): Promise<void> {
    const { state } = await this.campaigns.load(campaignId);
    if (state.status === 'none' || state.run === null) return;
    const run = state.run;
    const log = this.logger.child({ campaignId, runId: run.runId });
    const builder = new SendSmsBuilder(run, state.businessId, this.config.smsTtlHours);
    const progress = await this.readProgress(run.runId);
    log.info({ resumedAt: progress.batch }, 'campaign run executing');
    const limit = this.config.batchSize;
    const fetchAfter = (after: string) => {
      const p = this.audience.page(state.businessId, run.audience, builder.scheduledAt, after, limit);
      p.catch(() => undefined); // awaited below; this only keeps a prefetch abandoned by a stop from being unhandled
      return p;
    };
    // The next page is read while the current batch is appended: the two round trips overlap.
    let next = fetchAfter(progress.lastCustomerId);
    for (;;) {
      if (this.stopping) return;
      const page = await next;
      if (page.length === 0) break;
      const pageLast = page[page.length - 1]!.customerId;
      next = page.length === limit ? fetchAfter(pageLast) : Promise.resolve([]);
      const now = this.clock().toISOString();
      const batch = progress.batch + 1;
      const requests: SendSms[] = [];
      let skipped = 0;
      for (const r of page) {
        const sms = builder.build(r, now);
        if (sms) requests.push(sms);
        else skipped++;
      }
      let last = pageLast;
      let requested = requests.length;
      if (requests.length) {
        const stored = await this.appendBatch(run.runId, batch, requests);
        if (stored) {
          // A previous attempt made this batch durable but crashed before its checkpoint: what is stored is the truth.
          last = stored.lastCustomerId;
          requested = stored.count;
          skipped = 0;
          if (last !== pageLast) {
            await next.catch(() => undefined);
            next = fetchAfter(last);
          }
        }
        await this.hooks.afterBatchAppended?.(run.runId, batch);
      }
      Object.assign(progress, { batch, lastCustomerId: last, requested: progress.requested + requested, skipped: progress.skipped + skipped });
      await this.checkpoint(run.runId, progress, state.businessId, now);
    }
    await this.campaigns.execute(campaignId, state.businessId, {
      type: 'CompleteCampaignRun',
      data: { runId: run.runId, requested: progress.requested, skipped: progress.skipped },
      metadata: { commandId: `complete:${run.runId}`, correlationId: run.runId },
    });
    log.info({ requested: progress.requested, skipped: progress.skipped, batches: progress.batch }, 'campaign run completed');
  }

  /** Appends a batch; when the batch stream exists already, returns what it holds instead. */
  private async appendBatch(runId: string, batch: number, requests: SendSms[]): Promise<{ lastCustomerId: string; count: number } | null> {
    const streamId = streams.batch(runId, batch);
    try {
      await this.store.appendToStream(streamId, requests as EnvelopeBase[], { expectedVersion: 'no-stream' });
      return null;
    } catch (err) {
      if (!(err instanceof ConcurrencyError || err instanceof DuplicateEventError)) throw err;
      const { events } = await this.store.readStream(streamId);
      const lastEvent = events[events.length - 1]?.event as SendSms | undefined;
      if (!lastEvent) throw err;
      return { lastCustomerId: lastEvent.data.refs.customerId!, count: events.length };
    }
  }

  private async readProgress(runId: string): Promise<Progress> {
    const { events } = await this.store.readStream(streams.run(runId));
    const last = events[events.length - 1]?.event as CampaignRunProgressed | undefined;
    return last ? { ...last.data } : { batch: 0, lastCustomerId: '', requested: 0, skipped: 0 };
  }

  private async checkpoint(runId: string, p: Progress, businessId: string, now: string): Promise<void> {
    const event: CampaignRunProgressed = { type: 'CampaignRunProgressed', data: { runId, ...p } };
    const envelope: EnvelopeBase = {
      id: `progress:${runId}:${p.batch}`,
      type: event.type,
      v: 1,
      occurredAt: now,
      businessId,
      correlationId: runId,
      causationId: runId,
      data: event.data,
    };
    // The run stream holds exactly one checkpoint per batch: its version is the number of batches done. Another
    // executor of the same run (a second replica) fails here with a ConcurrencyError and stops.
    await this.store.appendToStream(streams.run(runId), [envelope], { expectedVersion: p.batch === 1 ? 'no-stream' : p.batch - 1 });
  }
}
