import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Logger } from 'pino';

/**
 * What the writer expects the stream's version (its number of events) to be before the append:
 * - `'no-stream'` (or `0`): the stream must not exist yet;
 * - `'any'`: no check, append at the end;
 * - a number n ≥ 1: the stream must hold exactly n events.
 */
export type ExpectedVersion = 'no-stream' | 'any' | number;

/** Position of an event in the store's global log; 0 means "before the first event". Strictly increasing in read order. */
export type GlobalPosition = number;

/** An event as stored: the envelope plus where it sits in its stream and in the global log. */
export interface RecordedEvent<E extends EnvelopeBase = EnvelopeBase> {
  readonly event: E;
  readonly streamId: string;
  /** 1 for the first event of the stream; equals the stream version right after this event. */
  readonly streamPosition: number;
  readonly globalPosition: GlobalPosition;
}

/** Result of {@link EventStore.appendToStream}. */
export interface AppendResult {
  /** The stream version after the append: pass it as `expectedVersion` of the next append. */
  readonly nextExpectedVersion: number;
  /** Global position of the last event of this append (of the stored copy when the append was an idempotent repeat). */
  readonly lastGlobalPosition: GlobalPosition;
  /** false when every event id was already stored in this stream: the call was a harmless repeat and wrote nothing. */
  readonly appended: boolean;
}

/** Result of {@link EventStore.readStream}. */
export interface ReadStreamResult<E extends EnvelopeBase = EnvelopeBase> {
  /** Number of events in the stream (0 when it does not exist); the version matching `events`. */
  readonly version: number;
  readonly events: RecordedEvent<E>[];
}

/** Options of {@link EventStore.subscribe}. */
export interface SubscribeOptions {
  /** Name of the checkpoint kept in the store; a subscription with the same name resumes where the last one stopped. */
  readonly name: string;
  /**
   * Receives the events in global order, in batches of at most `batchSize`. The checkpoint advances only after it
   * resolves; if it throws, the same batch is offered again after a back-off (at-least-once: handlers must be idempotent).
   * A handler that keeps state for some events in memory only may hold the stored checkpoint back by resolving
   * `{ checkpointAt }` (below the batch's end): the subscription goes on reading past it, and after a restart delivers
   * again from there. It must never move back (a lower checkpoint than one already stored is ignored).
   */
  readonly handler: (events: RecordedEvent[]) => Promise<void | { readonly checkpointAt: GlobalPosition }>;
  /** Default 500. */
  readonly batchSize?: number;
  /** Fallback polling period when no wake-up arrives, default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Only events of these types reach the handler (default: every event). The subscription still moves its checkpoint
   * past the others; `batchSize` bounds the events looked at per read, matching or not. The SQL adapters filter in
   * the database, so the others are neither sent nor decoded (e.g. a processor skipping the events it derives itself).
   */
  readonly types?: readonly string[];
  readonly logger?: Logger;
}

/** A running subscription. */
export interface Subscription {
  /**
   * Position of the last event whose batch the handler finished. It is stored as the checkpoint at most 250 ms later
   * while batches keep coming, at once when the subscription catches up or stops (a crash repeats that much more).
   */
  readonly position: GlobalPosition;
  /** Stops after the batch in progress; resolves when stopped. */
  stop(): Promise<void>;
}

/** Exclusive right to act for the store under a name (held by at most one holder across all processes). */
export interface Leadership {
  /** false once the lock is lost (connection closed) or released. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * The event store port: append with optimistic concurrency, read a stream, read the global log in order,
 * named checkpoints and subscriptions. Implemented by PostgreSQL, PGlite and in-memory adapters.
 */
export interface EventStore {
  /**
   * Appends `events` atomically at the end of `streamId`.
   * @throws ConcurrencyError when `expectedVersion` does not match; nothing is appended.
   * @throws DuplicateEventError when some event id is already stored elsewhere (another stream, or only part of the batch).
   * Repeating an append whose ids are all already in this stream is a no-op (`appended: false`), whatever the version.
   */
  appendToStream(streamId: string, events: EnvelopeBase[], options: { expectedVersion: ExpectedVersion }): Promise<AppendResult>;
  /** Which of `eventIds` are stored (committed), whatever their stream: one indexed lookup for the batch. */
  storedIds(eventIds: readonly string[]): Promise<Set<string>>;
  /** All events of a stream in stream order (upcast), with the matching version. */
  readStream(streamId: string): Promise<ReadStreamResult>;
  /**
   * Up to `limit` events with a global position greater than `after`, in global order. Never returns an event while an
   * event with a lower position may still commit, so a reader advancing its position never skips one.
   */
  readAll(after: GlobalPosition, limit: number): Promise<RecordedEvent[]>;
  /** The stored checkpoint `name` (0 when none). */
  readCheckpoint(name: string): Promise<GlobalPosition>;
  /** Stores checkpoint `name`; it only moves forward (a lower position is ignored). */
  storeCheckpoint(name: string, position: GlobalPosition): Promise<void>;
  /** Starts delivering the global log from checkpoint `options.name`. */
  subscribe(options: SubscribeOptions): Subscription;
  /** Tries to become the single holder of `name` (e.g. the active relay). Resolves null when someone else holds it. */
  tryAcquireLeadership(name: string): Promise<Leadership | null>;
  /** Stops subscriptions and closes connections. */
  close(): Promise<void>;
}

/** Options every adapter accepts. */
export interface EventStoreOptions {
  /** Applied to every envelope read from the store (readStream, readAll, subscriptions), e.g. the contracts upcaster. */
  readonly upcast?: (envelope: EnvelopeBase) => EnvelopeBase;
  readonly logger?: Logger;
}

/** The expected version did not match the stream; nothing was appended. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId}: expected version ${expectedVersion}, found ${actualVersion}`);
    this.name = 'ConcurrencyError';
  }
}

/** Some event ids of an append are already stored in another stream, or only part of the batch is; nothing was appended. */
export class DuplicateEventError extends Error {
  readonly code = 'DUPLICATE_EVENT';
  constructor(
    readonly streamId: string,
    readonly eventIds: string[],
  ) {
    super(`stream ${streamId}: event ids already stored: ${eventIds.slice(0, 5).join(', ')}${eventIds.length > 5 ? ', …' : ''}`);
    this.name = 'DuplicateEventError';
  }
}
