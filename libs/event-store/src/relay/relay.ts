import type { EnvelopeBase } from '@dailydesk/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { EventStore, GlobalPosition, Leadership, RecordedEvent, Subscription } from '../event-store.port';
import { WakeSignal } from '../subscription/wake-signal';
import { JetStreamPublisher, type ChainMessage, type PublishAck } from './jetstream-publisher';

/** Options of {@link Relay}. */
export interface RelayOptions {
  readonly store: EventStore;
  /** An open NATS connection; the relay publishes to JetStream over it (jetstream-publisher.ts). */
  readonly nc: NatsConnection;
  /**
   * Subject of an event, e.g. the contracts' `subjectOf(envelope.type)`; its stream needs a duplicate window.
   * `null` keeps the event private to its service: it is not published, and the checkpoint moves past it.
   */
  readonly subjectFor: (envelope: EnvelopeBase) => string | null;
  /**
   * The types that may be published, when known (e.g. the contracts' public types): the others are filtered out in
   * the store's read and never decoded here. `subjectFor` still decides; without `types` every event is read.
   */
  readonly types?: readonly string[];
  /** Checkpoint and leadership name; relays sharing it share one position and only one is active. Default `relay`. */
  readonly name?: string;
  /** Events read per batch; the checkpoint advances once per batch. Default 500. */
  readonly batchSize?: number;
  /** Publishes awaiting their PubAck at once when publishing one by one (not in chains). Default 256. */
  readonly maxInFlight?: number;
  /** How often a standby relay tries to take over, and the active one checks it still leads. Default 1000 ms. */
  readonly leadershipCheckMs?: number;
  /** A publish without JetStream's acknowledgement after this long fails its batch (retried). Default 5000 ms (nats.js's own
   * publish timeout). */
  readonly ackTimeoutMs?: number;
  /** Fallback polling when no append wake-up arrives. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
}

const encoder = new TextEncoder();
/** Events per acknowledged chain: a broken chain is published again, so not the whole batch. */
const CHAIN = 250;
/** After a broken chain, that stream's batches go one by one this long (another publisher is probably writing to it). */
const UNCHAINED_MS = 10_000;

/**
 * Publishes the store's events to JetStream in global order with `Nats-Msg-Id` = event id. The checkpoint lives in the
 * store and advances only once JetStream has stored the whole batch (every PubAck, or each chain shown stored), so a
 * relay killed at any moment republishes at most the unacknowledged batch and what its checkpoint had not stored yet
 * (≤ 250 ms of events, see the subscription), and JetStream drops those repeats within its duplicate window
 * (at-least-once).
 * Several replicas may run: only the holder of the store leadership `name` publishes; the others wait to take over.
 */
export class Relay {
  private stopped = false;
  private leadership: Leadership | null = null;
  private subscription: Subscription | null = null;
  private readonly signal = new WakeSignal();
  private loop: Promise<void> | null = null;
  private published = 0;
  private duplicates = 0;
  private skipped = 0;
  private brokenChains = 0;
  /** Streams whose batches go one by one until then (performance.now()), after a broken chain. */
  private readonly unchainedUntil = new Map<string, number>();
  private publisher: JetStreamPublisher | null = null;

  constructor(private readonly options: RelayOptions) {}

  /** Starts competing for leadership and, once leading, relaying. */
  start(): void {
    if (!this.loop) this.loop = this.run();
  }

  /** Stops after the batch in progress and releases leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal.wake();
    await this.loop;
  }

  /** Whether this relay is the active one. */
  get isLeader(): boolean {
    return this.leadership?.held === true;
  }

  /** Position of the last event whose batch was fully acknowledged (when leading). */
  get position(): GlobalPosition {
    return this.subscription?.position ?? 0;
  }

  /**
   * Events published, how many of the ones published one by one JetStream reported as duplicates (a chain that could not be
   * shown stored is published one by one), private events passed over, and chains that could not be shown stored.
   */
  get stats(): { published: number; duplicates: number; skipped: number; brokenChains: number } {
    return { published: this.published, duplicates: this.duplicates, skipped: this.skipped, brokenChains: this.brokenChains };
  }

  private async run(): Promise<void> {
    const name = this.options.name ?? 'relay';
    const checkMs = this.options.leadershipCheckMs ?? 1_000;
    while (!this.stopped) {
      try {
        if (!this.leadership?.held) {
          await this.resign();
          this.leadership = await this.options.store.tryAcquireLeadership(name);
          if (!this.leadership) {
            await this.signal.sleep(checkMs);
            continue;
          }
          this.options.logger?.info({ relay: name }, 'relay: leading; publishing from the checkpoint');
          this.subscription = this.options.store.subscribe({
            name,
            batchSize: this.options.batchSize ?? 500,
            pollIntervalMs: this.options.pollIntervalMs ?? 1_000,
            handler: (batch) => this.publish(batch),
            ...(this.options.types ? { types: this.options.types } : {}),
            ...(this.options.logger ? { logger: this.options.logger } : {}),
          });
        }
        await this.signal.sleep(checkMs);
      } catch (err) {
        this.options.logger?.error({ err, relay: name }, 'relay: leadership check failed');
        await this.signal.sleep(checkMs);
      }
    }
    await this.resign();
  }

  private async resign(): Promise<void> {
    const subscription = this.subscription;
    const leadership = this.leadership;
    this.subscription = null;
    this.leadership = null;
    await subscription?.stop();
    this.publisher?.close();
    this.publisher = null;
    await leadership?.release();
  }

  /**
   * Publishes a batch and resolves when JetStream has stored all of it. The events of each stream go as chains of up to
   * {@link CHAIN} (two acknowledgements per chain, see `publishChain`); a chain that cannot be shown stored, a batch with a
   * subject whose stream is not known yet, and every batch for {@link UNCHAINED_MS} after a broken chain of that stream
   * (another publisher writing to it at the same time) go one by one with a PubAck each, in order, at most `maxInFlight`
   * unacknowledged.
   */
  private async publish(batch: RecordedEvent[]): Promise<void> {
    // A relay that lost its lock must not advance the shared checkpoint: refuse the batch, the subscription retries.
    if (!this.leadership?.held) throw new Error('relay: leadership lost');
    const publisher = (this.publisher ??= new JetStreamPublisher(this.options.nc, this.options.ackTimeoutMs));
    const messages: ChainMessage[] = [];
    for (const { event } of batch) {
      const subject = this.options.subjectFor(event);
      if (subject === null) {
        this.skipped += 1;
        continue;
      }
      messages.push({ subject, data: encoder.encode(JSON.stringify(event)), msgId: event.id });
    }
    const byStream = new Map<string, ChainMessage[]>();
    for (const m of messages) {
      const stream = publisher.streamOf(m.subject);
      if (stream === undefined || (this.unchainedUntil.get(stream) ?? 0) > performance.now()) return this.publishEach(publisher, messages);
      const list = byStream.get(stream);
      if (list) list.push(m);
      else byStream.set(stream, [m]);
    }
    await Promise.all(
      [...byStream].map(async ([stream, list]) => {
        const chains = Array.from({ length: Math.ceil(list.length / CHAIN) }, (_, i) => list.slice(i * CHAIN, (i + 1) * CHAIN));
        const proven = await Promise.all(chains.map((chain) => publisher.publishChain(chain)));
        const broken = chains.filter((_, i) => !proven[i]);
        this.published += list.length - broken.reduce((n, chain) => n + chain.length, 0);
        if (broken.length === 0) return;
        this.brokenChains += 1;
        this.unchainedUntil.set(stream, performance.now() + UNCHAINED_MS);
        await this.publishEach(publisher, broken.flat());
      }),
    );
  }

  /** Publishes one by one in order with a bounded window of unacknowledged publishes; resolves when all are acknowledged. */
  private async publishEach(publisher: JetStreamPublisher, messages: readonly ChainMessage[]): Promise<void> {
    const maxInFlight = this.options.maxInFlight ?? 256;
    const window: Promise<PublishAck>[] = [];
    const settle = (ack: PublishAck): void => {
      this.published += 1;
      if (ack.duplicate) this.duplicates += 1;
    };
    for (const m of messages) {
      if (window.length >= maxInFlight) settle(await window.shift()!);
      const ack = publisher.publish(m.subject, m.data, m.msgId);
      ack.catch(() => undefined); // awaited below; this only keeps an early rejection from being reported as unhandled
      window.push(ack);
    }
    for (const ack of window) settle(await ack);
  }
}
