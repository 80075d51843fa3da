import { AssertionError } from 'node:assert';
import { type Decider, DomainError } from '@dailydesk/event-store';
import { given } from './given-when-then';

type Cmd = { type: 'Open'; id: string } | { type: 'Close'; id: string; at: string };
type Evt = { type: 'Opened'; id: string } | { type: 'Closed'; id: string; at: string };
type State = { status: 'none' } | { status: 'open'; id: string } | { status: 'closed'; id: string };

const door: Decider<Cmd, Evt, State> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_s, e) => (e.type === 'Opened' ? { status: 'open', id: e.id } : { status: 'closed', id: e.id }),
  decide: (c, s) => {
    if (c.type === 'Open') {
      if (s.status !== 'none') throw new DomainError('ALREADY_OPENED', 'already opened');
      return [{ type: 'Opened', id: c.id }];
    }
    if (s.status !== 'open') throw new DomainError('NOT_OPEN', 'not open');
    return [{ type: 'Closed', id: c.id, at: c.at }];
  },
};

describe('given/when/then', () => {
  it('passes when decide returns the expected events on the folded state', () => {
    given(door, []).when({ type: 'Open', id: 'd1' }).then([{ type: 'Opened', id: 'd1' }]);
    given(door, [{ type: 'Opened', id: 'd1' }])
      .when({ type: 'Close', id: 'd1', at: 't1' })
      .then([{ type: 'Closed', id: 'd1', at: 't1' }]);
  });

  it('fails when the events differ', () => {
    expect(() => given(door, []).when({ type: 'Open', id: 'd1' }).then([{ type: 'Opened', id: 'd2' }])).toThrow(
      AssertionError,
    );
  });

  it('fails .then when decide throws, naming the code', () => {
    expect(() => given(door, []).when({ type: 'Close', id: 'd1', at: 't' }).then([])).toThrow(/NOT_OPEN/);
  });

  it('thenThrows passes on the expected code and returns the error', () => {
    const err = given(door, [{ type: 'Opened', id: 'd1' }]).when({ type: 'Open', id: 'd1' }).thenThrows('ALREADY_OPENED');
    expect(err.message).toBe('already opened');
  });

  it('thenThrows fails on another code or when nothing is thrown', () => {
    expect(() => given(door, []).when({ type: 'Close', id: 'd', at: 't' }).thenThrows('ALREADY_OPENED')).toThrow(
      /expected an error with code "ALREADY_OPENED", but decide threw: DomainError\(NOT_OPEN\)/,
    );
    expect(() => given(door, []).when({ type: 'Open', id: 'd' }).thenThrows('NOT_OPEN')).toThrow(/decide returned/);
  });

  it('refuses to be awaited by mistake', async () => {
    await expect(
      (async () => {
        await (given(door, []).when({ type: 'Open', id: 'd' }) as unknown as Promise<unknown>);
      })(),
    ).rejects.toThrow(/do not await/);
  });
});
