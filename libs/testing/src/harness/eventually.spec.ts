import { Cleanup, eventually } from './eventually';
import { uniqueName } from './test-env';

describe('eventually', () => {
  it('returns the value once the assertion passes', async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return calls;
    }, { intervalMs: 1 });
    expect(value).toBe(3);
  });

  it('throws the last failure after the deadline', async () => {
    await expect(eventually(() => Promise.reject(new Error('never')), { timeoutMs: 60, intervalMs: 10 })).rejects.toThrow(
      /still failing after 60 ms .*never/,
    );
  });
});

describe('Cleanup', () => {
  it('runs every disposer in reverse order even when one fails, then reports the failure', async () => {
    const order: string[] = [];
    const cleanup = new Cleanup();
    cleanup.defer(async () => void order.push('first'));
    cleanup.defer(async () => {
      order.push('second');
      throw new Error('boom');
    });
    cleanup.defer(async () => void order.push('third'));
    await expect(cleanup.run()).rejects.toThrow(/1 disposer/);
    expect(order).toEqual(['third', 'second', 'first']);
  });
});

describe('uniqueName', () => {
  it('gives distinct names valid for NATS and PostgreSQL', () => {
    const a = uniqueName('orders');
    expect(a).toMatch(/^orders_[0-9a-f]{12}$/);
    expect(uniqueName('orders')).not.toBe(a);
    expect(() => uniqueName('Bad.Name')).toThrow(/prefix/);
  });
});
