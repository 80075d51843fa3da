import { encodeMessage, topology, type PublicMessage, type PublicMessageType, type Topology } from '@dailydesk/contracts';
import { ensureStreams } from '@dailydesk/messaging';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** A message as read back from a stream (any type, public or dead letter). */
export interface BusMessage {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly id: string;
  readonly type: string;
  readonly businessId: string | null;
  /** Id of the message or command that caused it (for a SendSms of appointments: the tick or booking it handled). */
  readonly causationId: string | null;
  readonly data: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

/**
 * The suite's side of NATS: publishes as the booking frontend does (contract-checked by `encodeMessage`,
 * `Nats-Msg-Id` = envelope id) and reads every stream of the namespace back by sequence, incrementally.
 */
export class PlatformBus {
  private readonly cursors = new Map<string, number>();
  private readonly seen: BusMessage[] = [];

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly topo: Topology,
  ) {}

  static async open(natsUrl: string, namespace: string): Promise<PlatformBus> {
    const nc = await connect({ servers: natsUrl.split(','), name: 'full-flow-suite' });
    const jsm = await jetstreamManager(nc);
    const topo = topology(namespace);
    await ensureStreams(jsm, topo.streams, { deadLetter: false, replicas: 1 });
    return new PlatformBus(nc, jsm, topo);
  }

  /** Publishes one public message; throws when the contract refuses it or JetStream does not acknowledge it. */
  async publish(message: PublicMessage): Promise<void> {
    await jetstream(this.nc).publish(this.topo.subjectOf(message.type), encodeMessage(message), { msgID: message.id });
  }

  /**
   * Every message on every stream of the namespace so far (reads only what is new since the last call). Calls run one
   * after another, and a read that fails (a JetStream API timeout on a loaded machine) throws WITHOUT moving past that
   * sequence: the caller's `eventually` reads it again. (Swallowing that error skipped the message for good: the likely
   * cause of a CI run that saw "no SmsSuppressed" for a suppressed text.) Only "no message found" (a deleted sequence)
   * is passed over.
   */
  all(): Promise<readonly BusMessage[]> {
    const run = this.reading.then(() => this.readNew());
    this.reading = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private reading: Promise<void> = Promise.resolve();

  private async readNew(): Promise<readonly BusMessage[]> {
    for (const stream of this.topo.streams) {
      const last = (await this.jsm.streams.info(stream.name)).state.last_seq;
      for (let seq = (this.cursors.get(stream.name) ?? 0) + 1; seq <= last; seq++) {
        const m = await this.jsm.streams.getMessage(stream.name, { seq });
        this.cursors.set(stream.name, seq);
        if (!m) continue;
        const headers: Record<string, string> = {};
        for (const [k, v] of m.header ?? []) headers[k] = v.join(',');
        let body: Partial<{ id: string; type: string; businessId: string | null; causationId: string | null; data: Record<string, unknown> }> = {};
        try {
          body = m.json();
        } catch {
          // a dead letter may carry a body that is not JSON; keep its headers
        }
        this.seen.push({ stream: stream.name, seq, subject: m.subject, id: body.id ?? '', type: body.type ?? '', businessId: body.businessId ?? null, causationId: body.causationId ?? null, data: body.data ?? {}, headers });
      }
    }
    return this.seen;
  }

  /** Messages of one type (read fresh). */
  async ofType(type: PublicMessageType): Promise<BusMessage[]> {
    return (await this.all()).filter((m) => m.type === type);
  }

  /** Dead letters of the namespace (a handler gave up on a message). */
  async deadLetters(): Promise<BusMessage[]> {
    return (await this.all()).filter((m) => m.stream === this.topo.deadLetterStream.name);
  }

  /** Throws unless every durable consumer named `<prefix>…` on the stream of `type` has nothing pending or unacknowledged. */
  async expectConsumed(prefix: string, type: PublicMessageType): Promise<void> {
    const subject = this.topo.subjectOf(type);
    const stream = this.topo.streams.find((st) => st.subjects.some((p) => p === subject || (p.endsWith('>') && subject.startsWith(p.slice(0, -1)))));
    if (!stream) throw new Error(`no stream holds ${type}`);
    const found: string[] = [];
    for await (const c of this.jsm.consumers.list(stream.name)) {
      if (!c.name.startsWith(prefix)) continue;
      found.push(c.name);
      if (c.num_pending + c.num_ack_pending > 0) throw new Error(`${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} unacknowledged`);
    }
    if (found.length === 0) throw new Error(`no consumer ${prefix}* on ${stream.name}`);
  }

  /** Deletes the namespace's streams and closes the connection. */
  async dispose(): Promise<void> {
    for (const s of this.topo.streams) await this.jsm.streams.delete(s.name).catch(() => undefined);
    await this.nc.close();
  }
}
