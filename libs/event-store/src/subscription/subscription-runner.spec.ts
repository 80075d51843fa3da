import type { RecordedEvent } from '../event-store.port';
import { SubscriptionRunner } from './subscription-runner';

/** A source whose log stays empty to its readers (every append held back), counting the reads. */
function heldBackSource() {
  const reads: number[] = [];
  return {
    reads,
    readAll: async (): Promise<RecordedEvent[]> => {
      reads.push(Date.now());
      return [];
    },
    readCheckpoint: async () => 0,
    storeCheckpoint: async () => undefined,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SubscriptionRunner: reading again after a wake', () => {
  async function readsAfterWake(lastPosition: number | undefined): Promise<number> {
    const source = heldBackSource();
    let wake: (lastPosition?: number) => void = () => undefined;
    const runner = new SubscriptionRunner(source, { name: 's', pollIntervalMs: 60_000, handler: async () => undefined }, (w) => {
      wake = w;
      return () => undefined;
    });
    await sleep(50); // the first read found nothing: asleep for the polling period
    const before = source.reads.length;
    wake(lastPosition);
    await sleep(700);
    await runner.stop();
    return source.reads.length - before;
  }

  it('an append announced beyond what it can read (held back by an older transaction) is looked for again 10, 20, 40 … ms later', async () => {
    // 0 ms, then 10, 20, 40, 80, 160, 320 ms later: 7 reads within 700 ms.
    expect(await readsAfterWake(5)).toBeGreaterThanOrEqual(5);
  });

  it('a wake with nothing announced beyond its position (or no position: an older writer, a reconnect) reads once, then sleeps the polling period', async () => {
    expect(await readsAfterWake(undefined)).toBe(1);
    expect(await readsAfterWake(0)).toBe(1);
  });
});

describe('SubscriptionRunner: storing the checkpoint', () => {
  /** A log of `total` events read `batch` at a time, each read taking `readMs`; the stored checkpoints in order. */
  function logSource(total: number, readMs: number) {
    const stored: number[] = [];
    const event = (p: number): RecordedEvent => ({
      event: { id: `e${p}`, type: 'T', v: 1, occurredAt: '2026-11-29T12:00:00.000Z', businessId: null, correlationId: 'c', causationId: null, data: {} },
      streamId: 's',
      streamPosition: p,
      globalPosition: p,
    });
    return {
      stored,
      readAll: async (after: number, limit: number): Promise<RecordedEvent[]> => {
        await sleep(readMs);
        return Array.from({ length: Math.max(0, Math.min(limit, total - after)) }, (_, i) => event(after + i + 1));
      },
      readCheckpoint: async () => 0,
      storeCheckpoint: async (_name: string, position: number) => {
        stored.push(position);
      },
    };
  }
  const start = (source: ReturnType<typeof logSource>, batchSize: number) =>
    new SubscriptionRunner(source, { name: 's', batchSize, pollIntervalMs: 60_000, handler: async () => undefined }, () => () => undefined);

  it('while batches keep coming, stores it at most every 250 ms; once caught up, stores the last position at once', async () => {
    const source = logSource(2_000, 5); // 200 batches of 10, ~5 ms each: ~1 s of reading
    const runner = start(source, 10);
    try {
      for (let i = 0; i < 400 && runner.position < 2_000; i++) await sleep(10);
      await sleep(50);
      expect(runner.position).toBe(2_000);
      expect(source.stored.at(-1)).toBe(2_000);
      expect(source.stored.length).toBeLessThan(20);
      expect(source.stored).toEqual([...source.stored].sort((a, b) => a - b));
    } finally {
      await runner.stop();
    }
  });

  it('stores what it reached when stopped in the middle', async () => {
    const source = logSource(1_000_000, 1);
    const runner = start(source, 10);
    await sleep(100);
    await runner.stop();
    expect(source.stored.at(-1)).toBe(runner.position);
    expect(runner.position).toBeGreaterThan(0);
  });
});
