import { DomainError, type Decider } from '../decider';
import { ConcurrencyError, type EventStore } from '../event-store.port';
import { createInMemoryEventStore } from '../memory/in-memory-event-store';
import { handleCommand, type Command, type DomainEvent } from './handle-command';

type Deposit = Command<'Deposit', { amount: number }>;
type Deposited = DomainEvent<'Deposited', { amount: number }>;
type Account = { status: 'empty' } | { status: 'open'; balance: number };

const account: Decider<Deposit, Deposited, Account> = {
  initialState: () => ({ status: 'empty' }),
  evolve: (state, event) => ({ status: 'open', balance: (state.status === 'open' ? state.balance : 0) + event.data.amount }),
  decide: (command, state) => {
    if (command.data.amount <= 0) throw new DomainError('AMOUNT_NOT_POSITIVE', 'deposit a positive amount');
    if (state.status === 'open' && state.balance + command.data.amount > 100) throw new DomainError('LIMIT', 'over the limit');
    return [{ type: 'Deposited', data: { amount: command.data.amount } }];
  },
};

const deposit = (amount: number, commandId = `cmd-${amount}-${Math.random()}`): Deposit => ({
  type: 'Deposit',
  data: { amount },
  metadata: { commandId, now: '2026-11-29T12:00:00.000Z', correlationId: 'corr-9', businessId: 'biz-1' },
});

describe('handleCommand', () => {
  let store: EventStore;
  beforeEach(() => {
    store = createInMemoryEventStore();
  });

  it('reads, folds, decides and appends enveloped events built from the command metadata', async () => {
    await handleCommand(store, 'acc-1', account, deposit(10));
    const result = await handleCommand(store, 'acc-1', account, deposit(5, 'cmd-b'));
    expect(result).toMatchObject({ nextExpectedVersion: 2, state: { status: 'open', balance: 15 }, appended: true });
    expect(result.events).toEqual([
      {
        id: 'cmd-b:acc-1:0',
        type: 'Deposited',
        v: 1,
        occurredAt: '2026-11-29T12:00:00.000Z',
        businessId: 'biz-1',
        correlationId: 'corr-9',
        causationId: 'cmd-b',
        data: { amount: 5 },
      },
    ]);
    expect((await store.readStream('acc-1')).events.map((r) => r.event.id)).toEqual([expect.any(String), 'cmd-b:acc-1:0']);
  });

  it('lets a DomainError through and appends nothing', async () => {
    await expect(handleCommand(store, 'acc-1', account, deposit(-1))).rejects.toMatchObject({ code: 'AMOUNT_NOT_POSITIVE' });
    expect((await store.readStream('acc-1')).version).toBe(0);
  });

  it('re-reads and re-decides after a concurrent append, deciding on the fresh state', async () => {
    let raced = 0;
    // The first decide is overtaken by another writer, as a concurrent process would.
    const racing: typeof account = {
      ...account,
      decide: (command, state) => {
        if (raced++ === 0) void store.appendToStream('acc-1', [{ ...envelopeOf(95) }], { expectedVersion: 'any' });
        return account.decide(command, state);
      },
    };
    await expect(handleCommand(store, 'acc-1', racing, deposit(10))).rejects.toMatchObject({ code: 'LIMIT' });
    expect(raced).toBe(2);
    const ok = await handleCommand(store, 'acc-2', racing, deposit(10));
    expect(ok.nextExpectedVersion).toBe(1);
  });

  it('gives up with the ConcurrencyError after maxRetries', async () => {
    let decisions = 0;
    const alwaysOvertaken: typeof account = {
      ...account,
      decide: (command, state) => {
        decisions += 1;
        void store.appendToStream('acc-1', [envelopeOf(0)], { expectedVersion: 'any' });
        return account.decide(command, state);
      },
    };
    await expect(handleCommand(store, 'acc-1', alwaysOvertaken, deposit(1), { maxRetries: 2 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(decisions).toBe(3);
  });

  it('makes a redelivered command harmless: same ids, no second write', async () => {
    const command = deposit(7, 'cmd-once');
    await handleCommand(store, 'acc-1', account, command);
    // A decider that would decide again (no dedupe in the state) still cannot double-write.
    const again = await handleCommand(store, 'acc-1', account, command);
    expect(again).toMatchObject({ appended: false, state: { status: 'open', balance: 7 } });
    expect((await store.readStream('acc-1')).version).toBe(1);
  });
});

let n = 0;
function envelopeOf(amount: number) {
  n += 1;
  return {
    id: `other-${n}`,
    type: 'Deposited',
    v: 1,
    occurredAt: '2026-11-29T12:00:00.000Z',
    businessId: 'biz-1',
    correlationId: 'other',
    causationId: null,
    data: { amount },
  };
}
