import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Decider } from '../decider';
import { ConcurrencyError, type EventStore } from '../event-store.port';

/** What every command carries besides its data: the ids and the time its events will bear (never read from a clock). */
export interface CommandMetadata {
  /** Id of the command (or of the message that carried it). Event ids derive from it, so a retried command is harmless. */
  readonly commandId: string;
  /** When the command is handled (ISO 8601 instant); the events' `occurredAt`. */
  readonly now: string;
  readonly correlationId: string;
  readonly businessId: string | null;
}

/** A command as deciders receive it (emmett style). */
export interface Command<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
  readonly metadata: CommandMetadata;
}

/** An event as deciders produce and fold it: no ids, no time; `v` defaults to 1. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
  readonly v?: number;
}

/** Options of {@link handleCommand}. */
export interface HandleCommandOptions<C extends Command, E extends DomainEvent> {
  /** Further attempts after a ConcurrencyError (each re-reads and re-decides); default 3. */
  readonly maxRetries?: number;
  /** Builds the envelope of the `index`-th event of the command; default {@link defaultEnrich}. */
  readonly enrich?: (event: E, context: { command: C; streamId: string; index: number }) => EnvelopeBase;
  /** Turns a stored envelope back into the decider's event; default `{ type, data, v }` (the store upcasts first). */
  readonly toEvent?: (envelope: EnvelopeBase) => E;
}

/** Result of {@link handleCommand}. */
export interface HandleCommandResult<S> {
  /** The envelopes the command produced (empty when it changed nothing). */
  readonly events: EnvelopeBase[];
  /** The stream version after the command. */
  readonly nextExpectedVersion: number;
  readonly state: S;
  /** false when nothing was written: no events, or an idempotent repeat of an already stored command. */
  readonly appended: boolean;
}

/**
 * Default envelope: id `<commandId>:<streamId>:<index>` (deterministic: the same command on the same stream yields the
 * same ids, which the store treats as a repeat), causation = the command, correlation and business from its metadata.
 */
export function defaultEnrich<E extends DomainEvent>(event: E, { command, streamId, index }: { command: Command; streamId: string; index: number }): EnvelopeBase {
  const m = command.metadata;
  return {
    id: `${m.commandId}:${streamId}:${index}`,
    type: event.type,
    v: event.v ?? 1,
    occurredAt: m.now,
    businessId: m.businessId,
    correlationId: m.correlationId,
    causationId: m.commandId,
    data: event.data,
  };
}

const defaultToEvent = <E extends DomainEvent>(envelope: EnvelopeBase): E =>
  ({ type: envelope.type, data: envelope.data, v: envelope.v }) as unknown as E;

/**
 * The command loop: read the stream, fold it with `decider.evolve`, `decide`, append with the read version as the
 * expected version; on a ConcurrencyError start over, at most `maxRetries` more times (then the error is thrown).
 * A DomainError from `decide` propagates and nothing is appended.
 */
export async function handleCommand<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
  command: C,
  options: HandleCommandOptions<C, E> = {},
): Promise<HandleCommandResult<S>> {
  const maxRetries = options.maxRetries ?? 3;
  const enrich = options.enrich ?? defaultEnrich;
  const toEvent = options.toEvent ?? defaultToEvent<E>;
  for (let attempt = 0; ; attempt++) {
    const { version, events: stored } = await store.readStream(streamId);
    const state = stored.reduce((s, r) => decider.evolve(s, toEvent(r.event)), decider.initialState());
    const produced = decider.decide(command, state);
    if (produced.length === 0) return { events: [], nextExpectedVersion: version, state, appended: false };
    const envelopes = produced.map((event, index) => enrich(event, { command, streamId, index }));
    try {
      const result = await store.appendToStream(streamId, envelopes, { expectedVersion: version === 0 ? 'no-stream' : version });
      // An idempotent repeat wrote nothing: the state read (which already holds the first run) stays the truth.
      const newState = result.appended ? produced.reduce((s, e) => decider.evolve(s, e), state) : state;
      return { events: envelopes, nextExpectedVersion: result.nextExpectedVersion, state: newState, appended: result.appended };
    } catch (err) {
      if (err instanceof ConcurrencyError && attempt < maxRetries) continue;
      throw err;
    }
  }
}
