import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FactoryProvider } from '@nestjs/common';
import { createPublisher } from '../publisher';
import type { Publisher, PublisherOptions } from '../publisher';

/** Injection token of the {@link Publisher}: `constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: Publisher)`. */
export const EVENT_PUBLISHER = Symbol.for('dailydesk.messaging.EventPublisher');

/** Options of {@link eventPublisherProvider}. */
export interface EventPublisherProviderOptions extends Omit<PublisherOptions, 'js'> {
  /** Token of the `NatsConnection` provider in the module (its owner connects and drains it). */
  connectionToken: string | symbol;
}

/**
 * A Nest provider of a JetStream {@link Publisher} over a `NatsConnection` the module already provides:
 * `providers: [{ provide: NATS, useFactory: () => connectNats(...) }, eventPublisherProvider({ connectionToken: NATS, subjectOf })]`.
 */
export function eventPublisherProvider(options: EventPublisherProviderOptions): FactoryProvider<Publisher> {
  const { connectionToken, ...rest } = options;
  return {
    provide: EVENT_PUBLISHER,
    inject: [connectionToken],
    useFactory: (nc: NatsConnection) => createPublisher({ ...rest, js: jetstream(nc) }),
  };
}
