import type { EnvelopeBase, SendSms } from '@dailydesk/contracts';
import type { Database, EventStore } from '@dailydesk/event-store';
import type { Logger } from 'pino';
import { eventIdOf, appendNew, type AppendedBatch } from '../dispatch/store-writes';
import { StageStats } from '../dispatch/stage-stats';
import { decideIntake } from './intake.decider';
import { toE164 } from './phone-number';

/** One caller's requests: its answer (one entry per request, `undefined` = stored) once the last is settled. */
interface Waiter {
  readonly results: unknown[];
  remaining: number;
  readonly resolve: (results: unknown[]) => void;
}

interface Pending {
  readonly request: SendSms;
  readonly waiter: Waiter;
  readonly index: number;
}

/**
 * Makes SMS requests durable in batches: every request waiting while the append in progress runs goes into the next
 * one (one opt-out lookup, one transaction). A caller hands over the requests that arrived together (the consumer's
 * batch) and gets, once every one's decision is stored or its append failed, one answer per request, so each NATS
 * message is acknowledged only when its request is durable (a failed append's requests are retried).
 */
export class IntakeBatcher {
  private pending: Pending[] = [];
  /** Batches being stored at once (1 unless configured: appends serialise on the store's append lock anyway). */
  private running = 0;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly options: { enabled: boolean; maxSegments: number; clock: () => number; maxBatch?: number; maxConcurrent?: number },
    private readonly logger: Logger,
    /** Called synchronously when a batch is stored (before its requests are acknowledged): hands it to the dispatcher. */
    private readonly onStored: (stored: AppendedBatch) => void,
    private readonly stats = new StageStats(),
  ) {}

  /** Resolves with one entry per request, in order: `undefined` once it is stored, else the error of its append. */
  submitMany(requests: readonly SendSms[]): Promise<unknown[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise<unknown[]>((resolve) => {
      const waiter: Waiter = { results: new Array<unknown>(requests.length).fill(undefined), remaining: requests.length, resolve };
      requests.forEach((request, index) => this.pending.push({ request, waiter, index }));
      if (this.running < (this.options.maxConcurrent ?? 1)) void this.drain();
    });
  }

  private settle(batch: readonly Pending[], failure: { err: unknown } | null): void {
    for (const p of batch) {
      if (failure) p.waiter.results[p.index] = failure.err;
      p.waiter.remaining -= 1;
      if (p.waiter.remaining === 0) p.waiter.resolve(p.waiter.results);
    }
  }

  private async drain(): Promise<void> {
    this.running += 1;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.maxBatch ?? 2000);
        let stored: AppendedBatch;
        try {
          stored = await this.stats.time('intake-append', batch.length, () => this.store_(batch.map((p) => p.request)));
        } catch (err) {
          this.settle(batch, { err });
          continue;
        }
        try {
          this.onStored(stored);
        } catch (err) {
          this.logger.warn({ err }, 'stored requests not handed to the dispatcher at once; it finds them in the queue subscription');
        }
        this.settle(batch, null);
      }
    } finally {
      this.running -= 1;
    }
  }

  private async store_(requests: SendSms[]): Promise<AppendedBatch> {
    const now = new Date(this.options.clock()).toISOString();
    const recipients = requests.map((r) => toE164(r.data.recipient.phone, r.data.recipient.defaultRegion));
    const phones = [...new Set(recipients.filter((p): p is string => p !== null))];
    const optedOut = new Set(
      (await this.db.query<{ phone: string }>(`SELECT phone FROM "${this.schema}".consent WHERE opted_out AND phone = ANY($1)`, [phones])).map((r) => r.phone),
    );
    const context = { enabled: this.options.enabled, maxSegments: this.options.maxSegments, optedOut };
    const seen = new Set<string>();
    const events: EnvelopeBase[] = [];
    for (const [i, r] of requests.entries()) {
      const id = eventIdOf('intake', r.data.messageId);
      if (seen.has(id)) continue;
      seen.add(id);
      const e = decideIntake(r.data, context, now, recipients[i] ?? null);
      events.push({ id, type: e.type, v: 1, occurredAt: now, businessId: r.businessId, correlationId: r.correlationId, causationId: r.id, data: e.data });
    }
    const stored = await appendNew(this.store, 'sms-intake', events);
    for (const e of stored.appended) {
      if (e.type === 'SmsSuppressed') this.logger.info({ messageId: (e.data as { messageId: string }).messageId, reason: (e.data as { reason: string }).reason }, 'sms suppressed');
    }
    return stored;
  }
}
