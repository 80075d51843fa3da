import { Headers } from './headers';
import { oneLine } from './errors';

/** Why a message was dead-lettered. */
export type DeadLetterReason = 'undecodable' | 'max-deliveries' | 'permanent-failure';

/**
 * Default dead-letter stream (same name and subjects as the contracts' one): every consumer of the platform
 * copies what it gives up on here.
 */
export const DEAD_LETTER_STREAM = Object.freeze({
  name: 'DEAD_LETTER',
  subjects: ['deadletter.>'],
  description: 'Messages a consumer gave up on: original payload as body, reason and origin as Dd-Dlq-* headers',
});

/** Subject prefix of dead letters (must be covered by the dead-letter stream's subjects). */
export const DEAD_LETTER_SUBJECT_PREFIX = 'deadletter';

/** Everything known about a message a consumer gives up on. */
export interface DeadLetterRecord {
  reason: DeadLetterReason;
  /** One-line human detail: the decode error or the last handler error. */
  detail: string;
  /** Subject the original was published on. */
  subject: string;
  /** Stream holding the original. */
  stream: string;
  /** The original's stream sequence (lets an operator fetch or replay it). */
  streamSeq: number;
  /** Durable consumer that gave up. */
  consumer: string;
  /** Deliveries so far, including the current one. */
  deliveryCount: number;
  /** ISO instant of dead-lettering. */
  deadLetteredAt: string;
  /** The original body, byte for byte. */
  payload: Uint8Array;
  /** The original's headers (NATS-internal `Nats-*` ones are not carried over). */
  originalHeaders?: ReadonlyArray<readonly [string, string]>;
}

/** A dead letter ready to publish: the subject, a de-duplication id, headers and the body. */
export interface DeadLetterMessage {
  /** `<prefix>.<original subject>` (the consumer is in the `Dd-Dlq-Consumer` header). */
  subject: string;
  /** Stable per (stream, sequence, consumer) so a retried dead-lettering is stored once. */
  msgID: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

/**
 * Builds the dead-letter copy of a message. The body is the original payload unchanged (even when it is not
 * valid JSON, it is kept as received); what happened is in `Dd-Dlq-*` headers ({@link Headers}); the original
 * headers follow, except `Nats-*` ones (its `Nats-Msg-Id` would collide with the dead letter's own id).
 */
export function buildDeadLetter(record: DeadLetterRecord, prefix: string = DEAD_LETTER_SUBJECT_PREFIX): DeadLetterMessage {
  const headers: Array<readonly [string, string]> = [
    [Headers.DlqReason, record.reason],
    [Headers.DlqDetail, oneLine(record.detail, 500) || '-'],
    [Headers.DlqSubject, record.subject],
    [Headers.DlqStream, record.stream],
    [Headers.DlqStreamSeq, String(record.streamSeq)],
    [Headers.DlqConsumer, record.consumer],
    [Headers.DlqDeliveries, String(record.deliveryCount)],
    [Headers.DlqAt, record.deadLetteredAt],
  ];
  for (const [k, v] of record.originalHeaders ?? []) {
    if (/^nats-/i.test(k) || /^dd-dlq-/i.test(k)) continue;
    headers.push([k, oneLine(v, 1_000)]);
  }
  return {
    subject: `${prefix}.${record.subject}`,
    msgID: `dlq:${record.stream}:${record.streamSeq}:${record.consumer}`,
    headers,
    body: record.payload,
  };
}

/** A dead letter as read back from the dead-letter stream. */
export type ReadDeadLetter = Omit<DeadLetterRecord, 'reason' | 'originalHeaders'> & {
  /** As stored: a {@link DeadLetterReason} written by this version, or another string from an older or newer one. */
  reason: string;
};

/**
 * Reads the `Dd-Dlq-*` headers of a stored dead letter back into a record (for operator tools and tests).
 * `get` is a header lookup such as `msg.headers?.get.bind(msg.headers)`.
 */
export function readDeadLetter(get: (name: string) => string | undefined, payload: Uint8Array): ReadDeadLetter {
  const need = (name: string): string => {
    const v = get(name);
    if (v === undefined || v === '') throw new Error(`not a dead letter: header ${name} missing`);
    return v;
  };
  return {
    reason: need(Headers.DlqReason),
    detail: get(Headers.DlqDetail) ?? '',
    subject: need(Headers.DlqSubject),
    stream: need(Headers.DlqStream),
    streamSeq: Number(need(Headers.DlqStreamSeq)),
    consumer: need(Headers.DlqConsumer),
    deliveryCount: Number(need(Headers.DlqDeliveries)),
    deadLetteredAt: need(Headers.DlqAt),
    payload,
  };
}
