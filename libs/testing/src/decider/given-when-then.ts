import { deepStrictEqual, fail } from 'node:assert/strict';
import type { Decider } from '@dailydesk/event-store';

/** The `when` step of {@link given}. */
export interface GivenStep<Command, Event> {
  /** The command under test, decided on the state folded from the given events. */
  when(command: Command): WhenStep<Event>;
}

/** The `then` step of {@link given}. Do not `await` it: it runs synchronously. */
export interface WhenStep<Event> {
  /**
   * Asserts that `decide` returned exactly `expected` (deep, strict equality: order, types, no extra keys;
   * `undefined`-valued keys count). Returns the events for further checks.
   */
  then(expected: Event[]): Event[];
  /**
   * Asserts that `decide` threw an error whose `code` is `code` (a `DomainError` or anything with that `code`).
   * Returns the error for further checks.
   */
  thenThrows(code: string): Error & { code: string };
}

/**
 * Given/when/then for a {@link Decider}: folds `events` with `evolve` from `initialState()`, decides `command`,
 * and asserts on the outcome.
 * @example
 * given(appointmentDecider, [booked]).when(cancel).then([cancelled]);
 * given(appointmentDecider, []).when(cancel).thenThrows('APPOINTMENT_NOT_FOUND');
 */
export function given<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: Event[] = [],
): GivenStep<Command, Event> {
  return {
    when(command) {
      const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      const run = (): { events: Event[] } | { error: unknown } => {
        try {
          return { events: decider.decide(command, state) };
        } catch (error) {
          return { error };
        }
      };
      return {
        then(expected) {
          // `then` makes this object a thenable: awaiting it would call then(resolve, reject).
          if (typeof expected === 'function') {
            throw new Error('given(...).when(...) is synchronous: call .then(expectedEvents), do not await it');
          }
          const outcome = run();
          if ('error' in outcome) {
            fail(`expected events, but decide threw: ${describe(outcome.error)}`);
          }
          deepStrictEqual(outcome.events, expected);
          return outcome.events;
        },
        thenThrows(code) {
          const outcome = run();
          if (!('error' in outcome)) {
            fail(`expected an error with code "${code}", but decide returned ${JSON.stringify(outcome.events)}`);
          }
          const error = outcome.error;
          if (!(error instanceof Error) || (error as Error & { code?: unknown }).code !== code) {
            fail(`expected an error with code "${code}", but decide threw: ${describe(outcome.error)}`);
          }
          return error as Error & { code: string };
        },
      };
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? '' : `(${String(code)})`}: ${error.message}`;
  }
  return String(error);
}
