/**
 * @dailydesk/messaging — JetStream over NATS for the whole platform (NATS 2.9 features only).
 *
 * - {@link connectNats}: a connection with reconnect-forever settings.
 * - {@link ensureStreams}: streams (and the dead-letter stream) created or updated idempotently.
 * - {@link createPublisher}: publish envelopes with `Nats-Msg-Id` = envelope id (JetStream de-duplicates).
 * - {@link startConsumer}: durable pull consumer; ack after success, `nak` with backoff, term + dead letter;
 *   one message per handler call, or the messages that arrived together per `batchHandler` call.
 * - {@link JetStreamServer}: the same consumer behind `@EventPattern` handlers in NestJS.
 *
 * Nest's built-in `Transport.NATS` is core NATS (at-most-once) and must not carry domain events.
 */
export { connectNats } from './connection';
export type { ConnectNatsOptions } from './connection';

export { ensureStreams, streamConfigFor, diffManaged } from './streams';
export type { StreamDefinition, EnsureStreamsOptions, EnsureStreamResult, ManagedStreamConfig } from './streams';

export { createPublisher, envelopeHeaders, PublishBatchError } from './publisher';
export type { Publisher, PublisherOptions, PublishResult, PublishManyOptions } from './publisher';

export { startConsumer } from './consumer';
export type { ConsumerOptions, RunningConsumer } from './consumer';
export { ensureConsumer, consumerConfigFor, assertDurableName, DURABLE_NAME } from './consumer-config';
export type { DurableConsumerSpec } from './consumer-config';
export type { MessageContext, MessageHandler, Outcome } from './message-processor';
export type { BatchHandler, BatchResult } from './batch-processor';

export { decoderFromSchema, decodeBody } from './decode';
export type { Decoder, DecodeResult, SafeParseSchema, SchemaIssue } from './decode';

export { backoffDelay, assertBackoffSchedule, DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVERIES } from './backoff';
export { PermanentError, isPermanentFailure, describeFailure } from './errors';
export { Headers } from './headers';
export {
  buildDeadLetter,
  readDeadLetter,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_SUBJECT_PREFIX,
} from './dead-letter';
export type { DeadLetterReason, DeadLetterRecord, DeadLetterMessage, ReadDeadLetter } from './dead-letter';

export { JetStreamServer, purposeOf } from './nest/jetstream.server';
export type {
  JetStreamServerOptions,
  JetStreamPatternExtras,
  ConsumerDefaults,
  JetStreamServerEvents,
  JetStreamServerStatus,
} from './nest/jetstream.server';
export { JetStreamContext } from './nest/jetstream.context';
export { JetStreamBatchContext } from './nest/jetstream-batch.context';
export { JetStreamExceptionFilter } from './nest/jetstream-exception.filter';
export { EVENT_PUBLISHER, eventPublisherProvider } from './nest/event-publisher.provider';
export type { EventPublisherProviderOptions } from './nest/event-publisher.provider';
