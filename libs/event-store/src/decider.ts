/**
 * A Decider: the pure heart of an aggregate (after event-driven-io/emmett).
 * - `initialState()` is the state before any event;
 * - `evolve(state, event)` folds one event into the state;
 * - `decide(command, state)` returns the events the command causes, or throws a {@link DomainError}.
 * Time and ids come in on the command, never from the clock or a random source inside.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/**
 * An expected refusal of a command (a business rule said no). `code` is stable and machine-readable;
 * the edges map it to an HTTP status or to ack/term, never the message text.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
