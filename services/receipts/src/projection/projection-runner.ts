import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Database, EventStore, RecordedEvent, Subscription } from '@dailydesk/event-store';
import { maskPhone } from '@dailydesk/observability';
import type { Logger } from 'pino';
import { SMS_LIFECYCLE_OBSERVED } from '../lifecycle/lifecycle.events';
import type { GatewayCallbackQuarantined } from '../webhook/webhook.events';
import { mergeRow, messagePatch, type MessageRow } from './message-row';
import { analystRole, generationTables, upsertMessages, viewsOver, writeProjection } from './projection-tables';

/**
 * The receipts the processor derives from report rows (one per row: ~2/3 of all events under ingest). The processor
 * projects them itself, right after appending them ({@link ProjectionRunner.projectReceipts}), so the live
 * subscription does not read them back; a rebuild replays them from the store like every other event.
 */
export const RECEIPT_TYPES: readonly string[] = ['SmsTransmitted', 'SmsTransmissionFailed', 'SmsDelivered', 'SmsUndelivered'];

/**
 * What the live subscription reads: the types that change the read model (`messagePatch`, `collect`) other than
 * the receipts. Raw callbacks (GatewayCallbackReceived, GatewayInboxPulled: every report row's JSON) change nothing
 * here; the store skips them and the receipts, so neither is sent nor decoded.
 */
export const LIVE_TYPES: readonly string[] = [
  SMS_LIFECYCLE_OBSERVED, 'SendSms', 'SmsSent', 'SmsFailed', 'SmsSuppressed',
  'CustomerOptedOut', 'CustomerOptedIn', 'InboundSmsReceived', 'GatewayCallbackQuarantined',
];

/** Merges the message patches of events in order (later patches into earlier ones, as the upsert does). */
function messageRows(events: Iterable<EnvelopeBase>): Map<string, MessageRow> {
  const rows = new Map<string, MessageRow>();
  for (const event of events) {
    const patch = messagePatch(event);
    if (!patch) continue;
    const prev = rows.get(patch.message_id);
    rows.set(patch.message_id, prev ? mergeRow(prev, patch) : patch);
  }
  return rows;
}

/** Projects one batch of stored events into a generation's tables and moves its checkpoint, in one statement. */
export async function projectBatch(db: Database, g: string, events: RecordedEvent[], position: number): Promise<void> {
  const rows = messageRows(events.map((e) => e.event));
  const consent: Array<Record<string, unknown>> = [];
  const inbound: Array<Record<string, unknown>> = [];
  const quarantine: Array<Record<string, unknown>> = [];
  for (const { event } of events) collect(event, consent, inbound, quarantine);
  await writeProjection(db, g, { messages: [...rows.values()], consent_changes: consent, inbound_sms: inbound, quarantine, position });
}

function collect(e: EnvelopeBase, consent: Array<Record<string, unknown>>, inbound: Array<Record<string, unknown>>, quarantine: Array<Record<string, unknown>>): void {
  if (e.type === 'CustomerOptedOut' || e.type === 'CustomerOptedIn') {
    const d = e.data as { phone: string; keyword: string; via: string; at: string };
    consent.push({ event_id: e.id, phone_masked: maskPhone(d.phone), action: e.type === 'CustomerOptedOut' ? 'opt-out' : 'opt-in', keyword: d.keyword, via: d.via, at: d.at });
  } else if (e.type === 'InboundSmsReceived') {
    const d = e.data as { from: string; port: string; receivedAt: string; text: string };
    inbound.push({ event_id: e.id, business_id: e.businessId, from_masked: maskPhone(d.from), port: d.port, received_at: d.receivedAt, text_length: d.text.length });
  } else if (e.type === 'GatewayCallbackQuarantined') {
    const d = e.data as GatewayCallbackQuarantined;
    quarantine.push({ event_id: e.id, reason: d.reason, content_type: d.contentType, bytes: d.bytes, received_at: d.receivedAt });
  }
}

/** What the API needs of the projections: the generation serving, and a rebuild on command. */
export interface ProjectionControl {
  readonly activeGeneration: number;
  readonly rebuildInProgress: boolean;
  /** Starts a rebuild (or joins the one running); resolves with the new generation once it serves. */
  rebuild(): Promise<number>;
}

/**
 * Keeps the read model current (a subscription on the store) and rebuilds it on command: a new generation is
 * filled by replaying the whole store while the current one keeps serving; then, with live projection paused, the
 * new one catches up to the last event, the views are pointed at it, and the old generation is dropped.
 */
export class ProjectionRunner implements ProjectionControl {
  private generation = 1;
  private subscription: Subscription | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private rebuilding: Promise<number> | null = null;
  private live: { g: string; position: number } | null = null;
  /** Highest store position among the receipts {@link projectReceipts} wrote (a rebuild catches up past it). */
  private receiptsThrough = 0;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly postgres: boolean,
    private readonly logger: Logger,
  ) {}

  private gen(n: number): string {
    return `${this.schema}_g${n}`;
  }

  /** Creates the state table, the active generation, the views and (PostgreSQL) the analyst role. Idempotent. */
  async migrate(): Promise<void> {
    const s = `"${this.schema}"`;
    await this.db.exec(`CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.projection_state (id integer PRIMARY KEY, generation integer NOT NULL);
      INSERT INTO ${s}.projection_state VALUES (1, 1) ON CONFLICT DO NOTHING;`);
    const [row] = await this.db.query<{ generation: number }>(`SELECT generation FROM ${s}.projection_state WHERE id = 1`);
    this.generation = Number(row!.generation);
    await this.db.exec(generationTables(this.gen(this.generation)) + viewsOver(this.schema, this.gen(this.generation)));
    if (this.postgres) await this.db.exec(analystRole(this.schema));
  }

  start(): void {
    // First the whole store since the generation's checkpoint, receipts included: those a processor appended but had
    // not projected when it stopped (it projects them again when it replays; this covers an older version's too).
    void this.exclusive(() => this.catchUp(this.gen(this.generation))).catch((err: unknown) =>
      this.logger.error({ err }, 'receipts: projection catch-up at start failed; live projection goes on'),
    );
    this.subscription = this.store.subscribe({
      name: 'receipts-projection',
      // Large batches: each costs ~5 round trips whatever its size, and under load a round trip waits for a CPU.
      batchSize: 5000,
      pollIntervalMs: 250,
      types: LIVE_TYPES,
      logger: this.logger,
      handler: (events) => this.exclusive(() => this.applyLive(events)),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.rebuilding?.catch(() => undefined);
  }

  get activeGeneration(): number {
    return this.generation;
  }

  get rebuildInProgress(): boolean {
    return this.rebuilding !== null;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async checkpointOf(g: string): Promise<number> {
    const [row] = await this.db.query<{ position: string | number }>(`SELECT position FROM "${g}".checkpoint WHERE id = 1`);
    return Number(row?.position ?? 0);
  }

  private async applyLive(batch: RecordedEvent[]): Promise<void> {
    const g = this.gen(this.generation);
    // The generation's checkpoint moves only here and in a rebuild's catch-up of another generation: kept in memory
    // after a write, read again after a failure or a swap.
    const done = this.live?.g === g ? this.live.position : await this.checkpointOf(g);
    this.live = null;
    const events = batch.filter((e) => e.globalPosition > done);
    if (events.length === 0) {
      this.live = { g, position: done };
      return;
    }
    const position = events[events.length - 1]!.globalPosition;
    const started = performance.now();
    await projectBatch(this.db, g, events, position);
    this.logger.debug({ events: events.length, ms: Math.round(performance.now() - started) }, 'receipts: projected a batch');
    this.live = { g, position };
  }

  /**
   * Projects receipts the processor has just appended (positions up to `position`) into the active generation: the
   * message rows only; the generation's checkpoint is the live subscription's. The processor calls this after each
   * append and saves its state only after, so a receipt whose state is saved has been projected, and a replay
   * projects again what it derives again (the upsert is idempotent). Queued with the live batches and the rebuild's
   * swap, so it writes into whichever generation serves at the time.
   */
  projectReceipts(events: EnvelopeBase[], position: number): Promise<void> {
    return this.exclusive(async () => {
      const rows = messageRows(events.filter((e) => RECEIPT_TYPES.includes(e.type)));
      await upsertMessages(this.db, this.gen(this.generation), [...rows.values()]);
      this.receiptsThrough = Math.max(this.receiptsThrough, position);
    });
  }

  /** Replays the store into generation `g` from its checkpoint until nothing more is readable. */
  private async catchUp(g: string): Promise<void> {
    for (let position = await this.checkpointOf(g); ; ) {
      const events = await this.store.readAll(position, 2000);
      if (events.length === 0) return;
      position = events[events.length - 1]!.globalPosition;
      await projectBatch(this.db, g, events, position);
    }
  }

  /** Starts a rebuild (or joins the one running); resolves with the new generation once it serves. */
  rebuild(): Promise<number> {
    this.rebuilding ??= this.doRebuild().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async doRebuild(): Promise<number> {
    const next = this.generation + 1;
    const g = this.gen(next);
    this.logger.info({ generation: next }, 'receipts: projection rebuild started');
    await this.db.exec(`DROP SCHEMA IF EXISTS "${g}" CASCADE;` + generationTables(g));
    await this.catchUp(g);
    await this.exclusive(async () => {
      await this.catchUp(g);
      // Every receipt projected into the serving generation must be in the new one: a receipt the processor appended
      // may still be hidden from readers by an older transaction that has not ended yet (the store's visibility rule).
      for (const until = Date.now() + 10_000; (await this.checkpointOf(g)) < this.receiptsThrough; await this.catchUp(g)) {
        if (Date.now() > until) throw new Error('projection rebuild: the store did not show the latest receipts within 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      const old = this.gen(this.generation);
      await this.db.transaction(async (tx) => {
        await tx.exec(viewsOver(this.schema, g));
        await tx.query(`UPDATE "${this.schema}".projection_state SET generation = $1 WHERE id = 1`, [next]);
      });
      this.generation = next;
      await this.db.exec(`DROP SCHEMA IF EXISTS "${old}" CASCADE`);
    });
    this.logger.info({ generation: next }, 'receipts: projection rebuild swapped in');
    return next;
  }
}
