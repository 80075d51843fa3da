import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, ReplayPolicy } from '@nats-io/jetstream';
import type { ConsumerConfig, ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

/** Durable consumer names are `<service>--<purpose>`, lower-case kebab on both sides. */
export const DURABLE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*--[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Throws a clear error unless `name` is `<service>--<purpose>` (e.g. `appointments--send-confirmation`). */
export function assertDurableName(name: string): void {
  if (!DURABLE_NAME.test(name)) {
    throw new Error(`durable consumer name "${name}" must be <service>--<purpose> in lower-case kebab case`);
  }
}

/** The server-side settings of a durable pull consumer. */
export interface DurableConsumerSpec {
  stream: string;
  /** `<service>--<purpose>`. */
  durable: string;
  /** Only subjects matching this are delivered (default: the whole stream). */
  filterSubject?: string;
  /** Time the server waits for an ack before redelivering, ms (default 30 000). */
  ackWaitMs?: number;
  /** Unacknowledged messages the server lets this consumer hold (default 1000). */
  maxAckPending?: number;
  /** Where a new durable starts: every stored message (default) or only new ones. Ignored once it exists. */
  deliverPolicy?: 'all' | 'new';
  description?: string;
}

/**
 * The consumer config: explicit ack, no server-side delivery limit (`max_deliver: -1`). The client decides when
 * to give up, and only after the dead-letter copy is stored; a server-side limit would silently strand messages
 * whose last delivery timed out.
 */
export function consumerConfigFor(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  const cfg: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_ack_pending: spec.maxAckPending ?? 1_000,
    max_deliver: -1,
    deliver_policy: spec.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    description: spec.description ?? '',
  };
  if (spec.filterSubject) cfg.filter_subject = spec.filterSubject;
  return cfg;
}

/**
 * Creates the durable pull consumer, or brings an existing one's ack wait, ack-pending limit and description in
 * line. A different filter subject on an existing durable is an error (a NATS 2.9 server cannot change it, and a
 * silent recreate would restart delivery from the beginning).
 */
export async function ensureConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec): Promise<ConsumerInfo> {
  assertDurableName(spec.durable);
  const wanted = consumerConfigFor(spec);
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(spec.stream, spec.durable);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    return jsm.consumers.add(spec.stream, wanted);
  }
  const have = info.config;
  if ((have.filter_subject ?? '') !== (wanted.filter_subject ?? '')) {
    throw new Error(
      `consumer ${spec.durable} on ${spec.stream} filters "${have.filter_subject ?? ''}", wanted ` +
        `"${wanted.filter_subject ?? ''}": delete it by hand or choose a new durable name`,
    );
  }
  if (have.ack_policy !== AckPolicy.Explicit) {
    throw new Error(`consumer ${spec.durable} on ${spec.stream} is not explicit-ack: choose a new durable name`);
  }
  const changed =
    have.ack_wait !== wanted.ack_wait ||
    have.max_ack_pending !== wanted.max_ack_pending ||
    (have.description ?? '') !== wanted.description ||
    (have.max_deliver ?? -1) !== -1;
  if (!changed) return info;
  return jsm.consumers.update(spec.stream, spec.durable, {
    ack_wait: wanted.ack_wait,
    max_ack_pending: wanted.max_ack_pending,
    description: wanted.description,
    max_deliver: -1,
  });
}
