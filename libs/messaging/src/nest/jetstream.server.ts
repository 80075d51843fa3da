import { EventEmitter } from 'node:events';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Server } from '@nestjs/microservices';
import type { CustomTransportStrategy, MessageHandler as NestHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Logger } from 'pino';
import { connectNats } from '../connection';
import { startConsumer } from '../consumer';
import type { ConsumerOptions, RunningConsumer } from '../consumer';
import type { BatchResult } from '../batch-processor';
import type { Decoder } from '../decode';
import type { MessageContext } from '../message-processor';
import { ensureStreams } from '../streams';
import type { EnsureStreamsOptions, StreamDefinition } from '../streams';
import { JetStreamBatchContext } from './jetstream-batch.context';
import { JetStreamContext } from './jetstream.context';

/** Consumer settings shared by every handler of a service; each can be overridden per pattern. */
export type ConsumerDefaults = Partial<
  Pick<
    ConsumerOptions<unknown>,
    | 'concurrency' | 'maxDeliveries' | 'backoffMs' | 'ackWaitMs' | 'maxAckPending' | 'deliverPolicy'
    | 'isPermanent' | 'heartbeatMs' | 'deadLetterPrefix' | 'pullExpiresMs' | 'stopTimeoutMs' | 'batchMax'
  >
>;

/** Transport events for {@link JetStreamServer.on}. */
export type JetStreamServerEvents = {
  connected: () => void;
  disconnected: () => void;
  reconnected: () => void;
};

/** Values of the transport's `status` observable. */
export type JetStreamServerStatus = 'connected' | 'disconnected';

/** Per-handler extras: `@EventPattern('booking.evt.appointment-booked', { durable: 'send-confirmation' })`. */
export interface JetStreamPatternExtras extends ConsumerDefaults {
  /** Purpose half of the durable name `<service>--<purpose>` (default: derived from the pattern). */
  durable?: string;
  /**
   * Deliver in batches: the handler gets an array of messages (those that arrived together, at most `batchMax`) and a
   * {@link JetStreamBatchContext}, and answers nothing (all succeeded) or a {@link BatchResult}; throwing fails all.
   */
  batch?: boolean;
}

/** Options of {@link JetStreamServer}. */
export interface JetStreamServerOptions {
  /** The service name: first half of every durable consumer name. Lower-case kebab case. */
  service: string;
  /** NATS servers to connect to when no `connection` is given. */
  servers?: string | string[];
  /** An existing connection to use (left open by `close()`). */
  connection?: NatsConnection;
  /** Parsed JSON → message (the contracts' `decodeMessage`); failures are dead-lettered. */
  decode: Decoder<unknown>;
  /** Streams to create or update before consuming (the contracts' `streams`). */
  streams?: readonly StreamDefinition[];
  streamOptions?: EnsureStreamsOptions;
  /** Maps a PascalCase message type to its subject, so patterns may name types (`@EventPattern('SmsSent')`). */
  subjectOf?: (type: string) => string;
  /** Stream holding a subject (default: asks the server which stream captures it). */
  streamFor?: (subject: string) => string;
  consumer?: ConsumerDefaults;
  logger: Logger;
}

/**
 * A custom transport strategy for `@nestjs/microservices` that delivers JetStream messages to `@EventPattern`
 * handlers through durable pull consumers: at-least-once, ack after the handler succeeded, `nak` with backoff on
 * errors, dead-letter on undecodable messages, permanent failures and exhausted deliveries, graceful stop on
 * `close()`. Each pattern (a subject, possibly with wildcards, or a message type) gets its own durable consumer
 * `<service>--<purpose>` filtered on that subject. Request-response (`@MessagePattern`) is not supported.
 *
 * `NestFactory.createMicroservice(AppModule, { strategy: new JetStreamServer({...}) })`
 */
export class JetStreamServer extends Server<JetStreamServerEvents, JetStreamServerStatus> implements CustomTransportStrategy {
  private nc: NatsConnection | undefined;
  private readonly consumers: RunningConsumer[] = [];
  private readonly events = new EventEmitter();
  private readonly log: Logger;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(options.service)) {
      throw new Error(`service name "${options.service}" must be lower-case kebab case`);
    }
    this.log = options.logger.child({ transport: 'jetstream', service: options.service });
  }

  /** Connects, ensures streams, starts one durable consumer per event pattern, then calls `callback`. */
  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      this.nc = this.options.connection ?? (await connectNats({
        servers: this.options.servers ?? 'nats://127.0.0.1:4222',
        name: this.options.service,
        logger: this.options.logger,
      }));
      void this.watch(this.nc);
      const jsm = await jetstreamManager(this.nc);
      if (this.options.streams) await ensureStreams(jsm, this.options.streams, { logger: this.log, ...this.options.streamOptions });
      for (const [pattern, handler] of this.getHandlers()) {
        if (!handler.isEventHandler) {
          this.log.warn({ pattern }, 'request-response patterns are not carried over JetStream; ignored');
          continue;
        }
        const subject = this.subjectFor(pattern);
        const stream = this.options.streamFor?.(subject) ?? (await jsm.streams.find(subject));
        const extras = (handler.extras ?? {}) as JetStreamPatternExtras;
        const { durable: purpose, batch, ...overrides } = extras;
        const consumer = await startConsumer(this.nc, {
          ...this.options.consumer,
          ...overrides,
          stream,
          durable: `${this.options.service}--${purpose ?? purposeOf(pattern)}`,
          filterSubject: subject,
          decode: this.options.decode,
          logger: this.options.logger,
          ...(batch
            ? { batchHandler: (deliveries: ReadonlyArray<MessageContext<unknown>>) => this.invokeBatch(handler, deliveries) }
            : { handler: (ctx: MessageContext<unknown>) => this.invoke(handler, ctx) }),
        });
        this.consumers.push(consumer);
      }
      this._status$.next('connected');
      this.events.emit('connected');
      callback();
    } catch (err) {
      this.log.error({ err }, 'jetstream transport failed to start');
      await this.close().catch(() => undefined);
      callback(err);
    }
  }

  /** Stops every consumer gracefully (running handlers finish and are acked), then drains its own connection. */
  async close(): Promise<void> {
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.stop()));
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !this.options.connection && !nc.isClosed()) await nc.drain();
    this._status$.next('disconnected');
  }

  /** Subscribes to transport status events: `connected`, `disconnected`, `reconnected`. */
  on<K extends keyof JetStreamServerEvents>(event: K, callback: JetStreamServerEvents[K]): void {
    this.events.on(event, callback);
  }

  /** The underlying `NatsConnection`. */
  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening: call listen() first');
    return this.nc as T;
  }

  private async invoke(handler: NestHandler, ctx: MessageContext<unknown>): Promise<void> {
    await this.run(handler, ctx.message, new JetStreamContext([ctx]));
  }

  private async invokeBatch(handler: NestHandler, batch: ReadonlyArray<MessageContext<unknown>>): Promise<BatchResult | void> {
    const answer = await this.run(handler, batch.map((ctx) => ctx.message), new JetStreamBatchContext([batch]));
    return answer as BatchResult | void;
  }

  /** Calls a Nest handler inside the processing hooks; resolves with its answer (an Observable's last value). */
  private run(handler: NestHandler, payload: unknown, nestCtx: JetStreamContext | JetStreamBatchContext): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      this.onProcessingStartHook(this.transportId ?? Symbol.for('jetstream'), nestCtx, async () => {
        try {
          const result: unknown = await handler(payload, nestCtx);
          resolve(isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result);
        } catch (err) {
          reject(err);
        } finally {
          this.onProcessingEndHook?.(this.transportId ?? Symbol.for('jetstream'), nestCtx);
        }
      });
    });
  }

  private subjectFor(pattern: string): string {
    if (/^[A-Z][A-Za-z0-9]*$/.test(pattern)) {
      if (!this.options.subjectOf) throw new Error(`pattern ${pattern} is a message type but no subjectOf was given`);
      return this.options.subjectOf(pattern);
    }
    return pattern;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this._status$.next('disconnected');
        this.events.emit('disconnected');
      } else if (s.type === 'reconnect') {
        this._status$.next('connected');
        this.events.emit('reconnected');
      }
    }
  }
}

/** Durable purpose from a pattern: `booking.evt.>` → `booking-evt-all`, `SmsSent` → `sms-sent`. */
export function purposeOf(pattern: string): string {
  return pattern
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/>/g, 'all')
    .replace(/\*/g, 'any')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
