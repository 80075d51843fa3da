// Public API of @dailydesk/event-store: the event store port, its three adapters, the command loop and the relay.

export * from './decider';

export { ConcurrencyError, DuplicateEventError } from './event-store.port';
export type {
  AppendResult,
  EventStore,
  EventStoreOptions,
  ExpectedVersion,
  GlobalPosition,
  Leadership,
  ReadStreamResult,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.port';
export { InvalidAppendError } from './append-input';

export { createEventStore, createPgliteEventStore, createPostgresEventStore, DEFAULT_EVENT_STORE_SCHEMA } from './create-event-store';
export { loadPglite } from './pglite/load-pglite';
export { borrowDatabase, openDatabase } from './database';
export type { Database, OpenDatabaseOptions, SqlSession } from './database';
export type { CreateEventStoreOptions, PgliteEventStoreOptions, PostgresEventStoreOptions } from './create-event-store';
export { createInMemoryEventStore } from './memory/in-memory-event-store';

export { defaultEnrich, handleCommand } from './command/handle-command';
export type { Command, CommandMetadata, DomainEvent, HandleCommandOptions, HandleCommandResult } from './command/handle-command';

export { Relay } from './relay/relay';
export type { RelayOptions } from './relay/relay';
