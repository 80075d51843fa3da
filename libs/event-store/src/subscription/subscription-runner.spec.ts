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
