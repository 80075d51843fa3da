import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Logger } from 'pino';
import { Headers } from './headers';

/** What the stream answered to one publish. */
export interface PublishResult {
  /** Stream that stored the message. */
  stream: string;
  /** Its stream sequence (for a duplicate: the sequence of the copy stored first). */
  seq: number;
  /** True when the id was already stored inside the duplicate window: nothing new was stored. */
  duplicate: boolean;
}

/** Options of {@link createPublisher}. */
export interface PublisherOptions {
  js: JetStreamClient;
  /** Subject for a message, e.g. the contracts' `subjectOf` (called with the envelope's `type`, then the envelope). */
  subjectOf: (type: string, envelope: EnvelopeBase) => string;
  /** How long to wait for the stream's PubAck, ms (default 5000). */
  timeoutMs?: number;
  logger?: Logger;
}

/** Options of {@link Publisher.publishMany}. */
export interface PublishManyOptions {
  /** Publishes awaiting their PubAck at once (default 256). */
  maxInFlight?: number;
}

/** Publishes envelopes to JetStream with `Nats-Msg-Id` = envelope id. */
export interface Publisher {
  /**
   * Publishes one envelope as JSON on its subject and resolves with the PubAck once the stream stored it.
   * Publishing the same id again inside the duplicate window stores nothing and reports `duplicate: true`.
   */
  publish(envelope: EnvelopeBase): Promise<PublishResult>;
  /**
   * Publishes many envelopes with at most `maxInFlight` PubAcks outstanding; results are in input order.
   * On failures every publish still runs to its end, then a {@link PublishBatchError} lists the failed indexes;
   * re-publishing the whole batch inside the duplicate window is safe (ids de-duplicate).
   */
  publishMany(envelopes: readonly EnvelopeBase[], options?: PublishManyOptions): Promise<PublishResult[]>;
}

/** Thrown by {@link Publisher.publishMany} when some publishes failed. */
export class PublishBatchError extends Error {
  constructor(
    /** Index in the input and the error for each failed envelope. */
    readonly failures: ReadonlyArray<{ index: number; error: unknown }>,
    /** Results by input index; `undefined` where the publish failed. */
    readonly results: ReadonlyArray<PublishResult | undefined>,
  ) {
    super(`${failures.length} of ${results.length} publishes failed; first: ${String(errorMessage(failures[0]?.error))}`);
    this.name = 'PublishBatchError';
  }
}

/** The `Dd-*` headers a published envelope carries (type, version, correlation and causation ids). */
export function envelopeHeaders(envelope: EnvelopeBase): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.Type, envelope.type);
  h.set(Headers.Version, String(envelope.v));
  h.set(Headers.CorrelationId, envelope.correlationId);
  if (envelope.causationId) h.set(Headers.CausationId, envelope.causationId);
  return h;
}

/** Creates a {@link Publisher} over a JetStream client. */
export function createPublisher(options: PublisherOptions): Publisher {
  const { js, subjectOf } = options;
  const timeout = options.timeoutMs ?? 5_000;
  const encoder = new TextEncoder();

  const publish = async (envelope: EnvelopeBase): Promise<PublishResult> => {
    if (typeof envelope.id !== 'string' || envelope.id === '') {
      throw new TypeError(`envelope of type ${String(envelope.type)} has no id: it cannot be de-duplicated`);
    }
    const subject = subjectOf(envelope.type, envelope);
    const ack = await js.publish(subject, encoder.encode(JSON.stringify(envelope)), {
      msgID: envelope.id,
      headers: envelopeHeaders(envelope),
      timeout,
    });
    if (ack.duplicate) {
      options.logger?.debug({ subject, messageId: envelope.id, seq: ack.seq }, 'duplicate publish ignored by stream');
    }
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  };

  const publishMany = async (
    envelopes: readonly EnvelopeBase[],
    opts: PublishManyOptions = {},
  ): Promise<PublishResult[]> => {
    const limit = Math.max(1, Math.floor(opts.maxInFlight ?? 256));
    const results: Array<PublishResult | undefined> = new Array(envelopes.length);
    const failures: Array<{ index: number; error: unknown }> = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < envelopes.length) {
        const index = next++;
        try {
          results[index] = await publish(envelopes[index] as EnvelopeBase);
        } catch (error) {
          failures.push({ index, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, envelopes.length) }, worker));
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new PublishBatchError(failures, results);
    }
    return results as PublishResult[];
  };

  return { publish, publishMany };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
