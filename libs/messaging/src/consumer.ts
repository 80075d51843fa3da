import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { assertBackoffSchedule, DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVERIES } from './backoff';
import { ensureConsumer } from './consumer-config';
import type { DurableConsumerSpec } from './consumer-config';
import { DEAD_LETTER_SUBJECT_PREFIX } from './dead-letter';
import type { Decoder } from './decode';
import { isPermanentFailure } from './errors';
import { processBatch } from './batch-processor';
import type { BatchHandler } from './batch-processor';
import { processMessage } from './message-processor';
import type { MessageHandler, Outcome } from './message-processor';
import { Slots } from './slots';

/** Options of {@link startConsumer}. */
export interface ConsumerOptions<M> extends DurableConsumerSpec {
  /** Handles one message at a time (up to `concurrency` running at once). Give this or `batchHandler`. */
  handler?: MessageHandler<M>;
  /**
   * Handles the messages that arrived together (what one read of the pull's replies brought, at most `batchMax`) in
   * one call; each message still counts against `concurrency` until it is settled. Give this or `handler`.
   */
  batchHandler?: BatchHandler<M>;
  /** Most messages per `batchHandler` call (default: `concurrency`). */
  batchMax?: number;
  /** Parsed JSON → message, e.g. the contracts' `decodeMessage` or `decoderFromSchema(schema)`. */
  decode: Decoder<M>;
  /** Handlers running at once (default 8). Also the number of messages pulled ahead. */
  concurrency?: number;
  /** Deliveries before a transiently failing message is dead-lettered (default 10). */
  maxDeliveries?: number;
  /** `nak` delay after failed delivery n is `backoffMs[n-1]`, the last entry repeating (default 1 s … 10 min). */
  backoffMs?: readonly number[];
  /** Which thrown values mean "retrying cannot help" (default: those with `permanent: true`). */
  isPermanent?: (err: unknown) => boolean;
  /** Automatic `working()` interval while a handler runs, ms (default ack wait / 3; 0 = off). */
  heartbeatMs?: number;
  /** Dead-letter subject prefix (default `deadletter`); the dead-letter stream must cover `<prefix>.>`. */
  deadLetterPrefix?: string;
  /**
   * Lifetime of one pull request, ms (default 2000, at least 1000). {@link RunningConsumer.stop} waits for the
   * open pull to end so nothing is delivered to a closed inbox; an idle consumer sends one pull per period.
   */
  pullExpiresMs?: number;
  /** How long {@link RunningConsumer.stop} waits for running handlers, ms (default 30 000). */
  stopTimeoutMs?: number;
  /** Root logger; each message gets a child of it. */
  logger: Logger;
  /** Called after each message settles (metrics, tests). */
  onSettled?: (outcome: Outcome, msg: { subject: string; streamSeq: number; deliveryCount: number }) => void;
}

/** A running durable pull consumer. */
export interface RunningConsumer {
  readonly stream: string;
  readonly durable: string;
  /** Handlers running right now. */
  readonly inFlight: number;
  /**
   * Graceful stop: stop pulling (the open pull request is read to its end, at most `pullExpiresMs`), hand back
   * (nak, no delay) messages pulled but not started, let running handlers finish and settle (ack / nak /
   * dead-letter), flush the acks to the server. Does not close the connection.
   */
  stop(): Promise<void>;
}

/**
 * Ensures the durable consumer and starts delivering its messages to `handler` (or in batches to `batchHandler`)
 * with at most `concurrency` messages being handled at once. Delivery is at-least-once: a message is acked only after
 * its handler resolved.
 */
export async function startConsumer<M>(nc: NatsConnection, options: ConsumerOptions<M>): Promise<RunningConsumer> {
  if (!options.handler === !options.batchHandler) throw new TypeError('give a consumer exactly one of handler and batchHandler');
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const batchMax = Math.max(1, Math.floor(options.batchMax ?? concurrency));
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  assertBackoffSchedule(backoffMs);
  const maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) throw new RangeError('maxDeliveries must be an integer ≥ 1');
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const pullExpiresMs = Math.max(1_000, options.pullExpiresMs ?? 2_000);
  const logger = options.logger.child({ consumer: options.durable, stream: options.stream });

  const jsm = await jetstreamManager(nc);
  await ensureConsumer(jsm, options);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(options.stream, options.durable);
  const settings = {
    js,
    consumer: options.durable,
    decode: options.decode,
    maxDeliveries,
    backoffMs,
    isPermanent: options.isPermanent ?? isPermanentFailure,
    heartbeatMs: options.heartbeatMs ?? Math.floor(ackWaitMs / 3),
    deadLetterPrefix: options.deadLetterPrefix ?? DEAD_LETTER_SUBJECT_PREFIX,
    logger: options.logger,
  };

  const slots = new Slots(concurrency);
  const running = new Set<Promise<void>>();
  let stopping = false;

  const track = (p: Promise<void>, slotsHeld: number): void => {
    const tracked = p.finally(() => {
      running.delete(tracked);
      for (let i = 0; i < slotsHeld; i++) slots.release();
    });
    running.add(tracked);
  };
  const settled = (outcome: Outcome, m: JsMsg): void =>
    options.onSettled?.(outcome, { subject: m.subject, streamSeq: m.seq, deliveryCount: m.info.deliveryCount });
  const unexpected = (err: unknown): void => logger.error({ err }, 'message processing failed unexpectedly; it will be redelivered');

  const { handler, batchHandler } = options;
  const one = handler && { ...settings, handler };
  const many = batchHandler && { ...settings, batchHandler };
  const dispatchOne = (m: JsMsg): void =>
    track(processMessage(m, one!).then((outcome) => settled(outcome, m)).catch(unexpected), 1);
  const dispatchBatch = (ms: JsMsg[]): void =>
    track(processBatch(ms, many!).then((outcomes) => outcomes.forEach((o, i) => settled(o, ms[i]!))).catch(unexpected), ms.length);

  // Batch mode: the messages taken while the pull's replies are read in one turn of the event loop (one socket read
  // brings many) go to the handler together, at the latest at the next `setImmediate`, or as soon as `batchMax` wait.
  let gathered: JsMsg[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    if (gathered.length === 0) return;
    const ms = gathered;
    gathered = [];
    dispatchBatch(ms);
  };
  const take = (m: JsMsg): void => {
    if (!many) return dispatchOne(m);
    gathered.push(m);
    if (gathered.length >= batchMax) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  // fetch, not consume(): consume() queues its next pull request inside the iterator and sends it even after
  // close(), and the server then delivers to an inbox nobody reads (messages stranded until the ack wait).
  // A fetch is one pull request; on stop we read it to its end (≤ pullExpiresMs) and hand back what arrives.
  const loop = async (): Promise<void> => {
    while (!stopping) {
      try {
        const batch = await consumer.fetch({ max_messages: concurrency, expires: pullExpiresMs });
        for await (const m of batch) {
          if (!stopping) await slots.acquire();
          if (stopping) {
            m.nak(); // pulled but not started: give it back now rather than after the ack wait
            continue;
          }
          take(m);
        }
      } catch (err) {
        if (stopping) break;
        logger.warn({ err }, 'pull failed, retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    flush(); // taken messages hold slots: they are handled, as running ones are, before stop() settles
  };
  const loopDone = loop();
  logger.info({ concurrency, maxDeliveries }, 'consumer started');

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    slots.cancelWaiters();
    await loopDone;
    const timeoutMs = options.stopTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([Promise.all([...running]).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      logger.warn({ inFlight: running.size }, 'stop timed out; unfinished messages will be redelivered');
    }
    if (!nc.isClosed()) await nc.flush();
    logger.info('consumer stopped');
  };

  return {
    stream: options.stream,
    durable: options.durable,
    get inFlight() {
      return running.size;
    },
    stop: () => (stopped ??= stop()),
  };
}
