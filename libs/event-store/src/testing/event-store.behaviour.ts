import type { EnvelopeBase } from '@dailydesk/contracts';
import { InvalidAppendError } from '../append-input';
import { ConcurrencyError, DuplicateEventError, type EventStore, type EventStoreOptions, type RecordedEvent } from '../event-store.port';

/** How the behaviour suite gets stores from an adapter. */
export interface StoreHarness {
  /** A new, empty store (its own storage). */
  fresh(options?: EventStoreOptions): Promise<EventStore>;
  /** Another store over the same storage as `store`, as a restarted process would open it (`store` is closed first). */
  reopen(store: EventStore): Promise<EventStore>;
}

let counter = 0;
/** A valid envelope; ids are unique per test run unless given. */
export function envelope(overrides: Partial<EnvelopeBase> = {}): EnvelopeBase {
  counter += 1;
  return {
    id: `evt-${process.pid}-${counter}`,
    type: 'ThingHappened',
    v: 1,
    occurredAt: '2026-11-29T12:00:00.000Z',
    businessId: 'biz-1',
    correlationId: 'corr-1',
    causationId: null,
    data: { n: counter },
    ...overrides,
  };
}

const ids = (events: RecordedEvent[]) => events.map((r) => r.event.id);

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The global log once it holds `count` events. On PostgreSQL a transaction open anywhere in the cluster (another test
 * file, here) hides later commits from readAll until it ends: that is the ordering guarantee at work, so wait for it.
 */
async function settledLog(store: EventStore, count: number): Promise<RecordedEvent[]> {
  let all: RecordedEvent[] = [];
  await eventually(async () => (all = await store.readAll(0, 100_000)).length >= count);
  return all;
}

/** The one behaviour suite every adapter passes. */
export function describeEventStoreBehaviour(adapter: string, harness: StoreHarness): void {
  describe(`event store behaviour: ${adapter}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await harness.fresh();
    });
    afterEach(async () => {
      await store.close();
    });

    it('appends to a new stream and reads it back with its version', async () => {
      const e1 = envelope({ occurredAt: '2026-11-29T13:00:00+01:00', data: { nested: { a: [1, 'x'] }, text: 'Grüße, Zoë 👋 \u00a0"quoted" \\ back' } });
      const e2 = envelope({ causationId: e1.id, businessId: null });
      const result = await store.appendToStream('s-1', [e1, e2], { expectedVersion: 'no-stream' });
      expect(result).toMatchObject({ nextExpectedVersion: 2, appended: true });
      const read = await store.readStream('s-1');
      expect(read.version).toBe(2);
      expect(read.events.map((r) => r.event)).toEqual([{ ...e1, occurredAt: '2026-11-29T12:00:00.000Z' }, e2]);
      expect(read.events.map((r) => r.streamPosition)).toEqual([1, 2]);
      expect(read.events[1]!.globalPosition).toBe(result.lastGlobalPosition);
      expect(await store.readStream('missing')).toEqual({ version: 0, events: [] });
    });

    it('tells which event ids are stored, whatever their stream', async () => {
      const [a, b] = [envelope(), envelope()];
      await store.appendToStream('s-a', [a], { expectedVersion: 'no-stream' });
      await store.appendToStream('s-b', [b], { expectedVersion: 'no-stream' });
      expect(await store.storedIds([a.id, 'missing', b.id])).toEqual(new Set([a.id, b.id]));
      expect(await store.storedIds([])).toEqual(new Set());
    });

    it('refuses a stale expected version with ConcurrencyError and appends nothing', async () => {
      await store.appendToStream('s', [envelope(), envelope()], { expectedVersion: 'no-stream' });
      const cases = [{ expectedVersion: 1 }, { expectedVersion: 3 }, { expectedVersion: 'no-stream' as const }, { expectedVersion: 0 }];
      for (const options of cases) {
        const error = await store.appendToStream('s', [envelope()], options).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ streamId: 's', actualVersion: 2, expectedVersion: options.expectedVersion });
      }
      await expect(store.appendToStream('other', [envelope()], { expectedVersion: 4 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await store.readStream('s')).version).toBe(2);
      expect(await settledLog(store, 2)).toHaveLength(2);
      expect(await store.appendToStream('s', [envelope()], { expectedVersion: 2 })).toMatchObject({ nextExpectedVersion: 3 });
      expect(await store.appendToStream('s', [envelope()], { expectedVersion: 'any' })).toMatchObject({ nextExpectedVersion: 4 });
    });

    it('lets exactly one of many concurrent writers with the same expected version win', async () => {
      await store.appendToStream('hot', [envelope()], { expectedVersion: 'no-stream' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream('hot', [envelope(), envelope()], { expectedVersion: 1 })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConcurrencyError);
      const read = await store.readStream('hot');
      expect(read.events.map((r) => r.streamPosition)).toEqual([1, 2, 3]);
    });

    it('reads the global log in order, from any position, in pages', async () => {
      const appended: string[] = [];
      for (let i = 0; i < 30; i++) {
        const batch = [envelope(), envelope()];
        appended.push(...batch.map((e) => e.id));
        await store.appendToStream(`s-${i % 4}`, batch, { expectedVersion: 'any' });
      }
      const all = await settledLog(store, appended.length);
      expect(ids(all)).toEqual(appended);
      const positions = all.map((r) => r.globalPosition);
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      const paged: RecordedEvent[] = [];
      for (let after = 0; ; ) {
        const page = await store.readAll(after, 7);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(7);
        paged.push(...page);
        after = page[page.length - 1]!.globalPosition;
      }
      expect(ids(paged)).toEqual(appended);
      expect(ids(await store.readAll(positions[9]!, 5))).toEqual(appended.slice(10, 15));
      expect(await store.readAll(positions[positions.length - 1]!, 10)).toEqual([]);
    });

    it('keeps every stream contiguous under concurrent writers to different streams', async () => {
      const streams = Array.from({ length: 12 }, (_, i) => `w-${i}`);
      await Promise.all(
        streams.map(async (streamId) => {
          let version = 0;
          for (let i = 0; i < 15; i++) {
            version = (await store.appendToStream(streamId, [envelope(), envelope()], { expectedVersion: version })).nextExpectedVersion;
          }
        }),
      );
      const all = await settledLog(store, 12 * 30);
      expect(all).toHaveLength(12 * 30);
      expect(new Set(all.map((r) => r.globalPosition)).size).toBe(all.length);
      for (const streamId of streams) {
        const inLog = all.filter((r) => r.streamId === streamId).map((r) => r.streamPosition);
        expect(inLog).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      }
    });

    it('stores and reads a large stream (10k events)', async () => {
      let version = 0;
      for (let b = 0; b < 10; b++) {
        const batch = Array.from({ length: 1000 }, () => envelope());
        version = (await store.appendToStream('big', batch, { expectedVersion: version })).nextExpectedVersion;
      }
      const read = await store.readStream('big');
      expect(read.version).toBe(10_000);
      expect(read.events[9_999]!.streamPosition).toBe(10_000);
      expect(await settledLog(store, 10_000)).toHaveLength(10_000);
    });

    it('treats a repeated append as a no-op and refuses ids stored elsewhere', async () => {
      const batch = [envelope(), envelope()];
      const first = await store.appendToStream('a', batch, { expectedVersion: 'no-stream' });
      await store.appendToStream('a', [envelope()], { expectedVersion: 2 });
      const again = await store.appendToStream('a', batch, { expectedVersion: 'no-stream' });
      expect(again).toEqual({ nextExpectedVersion: 3, lastGlobalPosition: first.lastGlobalPosition, appended: false });
      const elsewhere = await store.appendToStream('b', [batch[0]!], { expectedVersion: 'any' }).catch((e: unknown) => e);
      expect(elsewhere).toBeInstanceOf(DuplicateEventError);
      expect(elsewhere).toMatchObject({ eventIds: [batch[0]!.id] });
      const partial = await store.appendToStream('a', [envelope(), batch[1]!], { expectedVersion: 3 }).catch((e: unknown) => e);
      expect(partial).toBeInstanceOf(DuplicateEventError);
      expect((await store.readStream('a')).version).toBe(3);
      expect(await settledLog(store, 3)).toHaveLength(3);
    });

    it('rejects malformed input with a clear error and stores nothing', async () => {
      const bad: [string, EnvelopeBase[], string][] = [
        ['', [envelope()], 'streamId'],
        ['s', [], 'nothing to append'],
        ['s', [envelope({ occurredAt: 'yesterday' })], 'occurredAt'],
        ['s', [envelope({ id: '' })], 'id must be'],
        ['s', [envelope({ id: 'same' }), envelope({ id: 'same' })], 'appears twice'],
        ['s', [{ ...envelope(), data: undefined }], 'data is missing'],
      ];
      for (const [streamId, events, reason] of bad) {
        const error = await store.appendToStream(streamId, events, { expectedVersion: 'any' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidAppendError);
        expect((error as Error).message).toContain(reason);
      }
      await expect(store.appendToStream('s', [envelope()], { expectedVersion: -1 })).rejects.toBeInstanceOf(InvalidAppendError);
      expect(await store.readAll(0, 10)).toEqual([]);
    });

    it('keeps named checkpoints that only move forward', async () => {
      expect(await store.readCheckpoint('p')).toBe(0);
      await store.storeCheckpoint('p', 42);
      await store.storeCheckpoint('p', 7);
      expect(await store.readCheckpoint('p')).toBe(42);
      expect(await store.readCheckpoint('q')).toBe(0);
    });

    it('grants a leadership name to one holder at a time', async () => {
      const first = await store.tryAcquireLeadership('relay');
      expect(first?.held).toBe(true);
      expect(await store.tryAcquireLeadership('relay')).toBeNull();
      const other = await store.tryAcquireLeadership('other');
      expect(other).not.toBeNull();
      await first!.release();
      expect(first!.held).toBe(false);
      const next = await store.tryAcquireLeadership('relay');
      expect(next?.held).toBe(true);
      await next!.release();
      await other!.release();
    });

    it('delivers batches to a subscription and resumes from its checkpoint after a restart', async () => {
      const seen: RecordedEvent[][] = [];
      const firstIds = [envelope(), envelope(), envelope(), envelope(), envelope()];
      await store.appendToStream('x', firstIds, { expectedVersion: 'no-stream' });
      const sub = store.subscribe({ name: 'proj', batchSize: 2, pollIntervalMs: 5_000, handler: async (batch) => void seen.push(batch) });
      await eventually(() => seen.flat().length === 5);
      expect(seen.map((b) => b.length)).toEqual([2, 2, 1]);
      // Woken by the append, well before the 5 s polling period.
      const late = envelope();
      await store.appendToStream('y', [late], { expectedVersion: 'no-stream' });
      await eventually(() => seen.flat().length === 6, 2_000);
      await sub.stop();
      expect(await store.readCheckpoint('proj')).toBe(seen.flat()[5]!.globalPosition);

      const whileDown = [envelope(), envelope()];
      await store.appendToStream('y', whileDown, { expectedVersion: 1 });
      store = await harness.reopen(store);
      const after: RecordedEvent[] = [];
      const resumed = store.subscribe({ name: 'proj', handler: async (batch) => void after.push(...batch) });
      await eventually(() => after.length === 2);
      expect(ids(after)).toEqual(whileDown.map((e) => e.id));
      await resumed.stop();
      expect(ids(seen.flat())).toEqual([...firstIds, late].map((e) => e.id));
    });

    it('delivers only the subscribed types and moves its checkpoint past the others', async () => {
      const wanted = [envelope({ type: 'Wanted' }), envelope({ type: 'Wanted' })];
      await store.appendToStream('t', [envelope(), wanted[0]!, envelope(), envelope(), envelope(), wanted[1]!, envelope()], { expectedVersion: 'no-stream' });
      const log = await settledLog(store, 7);
      const seen: RecordedEvent[][] = [];
      const sub = store.subscribe({ name: 'typed', batchSize: 3, types: ['Wanted'], handler: async (batch) => void seen.push(batch) });
      await eventually(async () => (await store.readCheckpoint('typed')) === log[6]!.globalPosition);
      await sub.stop();
      // Windows of 3 events: [x, W, x] [x, x, W] [x]; the last one has no match and is passed over.
      expect(seen.map(ids)).toEqual([[wanted[0]!.id], [wanted[1]!.id]]);
    });

    it('a handler holding its checkpoint back is read on past it, and after a restart gets the held events again', async () => {
      const first = [envelope(), envelope(), envelope(), envelope()];
      await store.appendToStream('h', first, { expectedVersion: 'no-stream' });
      const log = await settledLog(store, 4);
      const seen: RecordedEvent[] = [];
      // Holds the checkpoint just before the second event (as if it kept that one in memory).
      const sub = store.subscribe({ name: 'held', batchSize: 2, handler: async (batch) => (seen.push(...batch), { checkpointAt: log[0]!.globalPosition }) });
      // The position moves once the handler's promise settled, after it saw the batch: wait for both.
      await eventually(() => seen.length === 4 && sub.position === log[3]!.globalPosition);
      expect(seen).toHaveLength(4);
      await sub.stop();
      expect(await store.readCheckpoint('held')).toBe(log[0]!.globalPosition);

      store = await harness.reopen(store);
      const again: RecordedEvent[] = [];
      const resumed = store.subscribe({ name: 'held', handler: async (batch) => void again.push(...batch) });
      await eventually(() => again.length === 3);
      await resumed.stop();
      expect(ids(again)).toEqual(first.slice(1).map((e) => e.id));
      expect(await store.readCheckpoint('held')).toBe(log[3]!.globalPosition);
    });

    it('offers a failed batch again (at-least-once) without advancing the checkpoint', async () => {
      await store.appendToStream('f', [envelope(), envelope()], { expectedVersion: 'no-stream' });
      let calls = 0;
      const delivered: string[] = [];
      const sub = store.subscribe({
        name: 'flaky',
        handler: async (batch) => {
          calls += 1;
          if (calls === 1) throw new Error('projection database hiccup');
          delivered.push(...ids(batch));
        },
      });
      await eventually(() => delivered.length === 2);
      await sub.stop();
      expect(calls).toBe(2);
      expect(await store.readCheckpoint('flaky')).toBe((await settledLog(store, 2))[1]!.globalPosition);
    });

    it('upcasts envelopes on every read path', async () => {
      const upcasting = await harness.fresh({ upcast: (e) => (e.v === 1 ? { ...e, v: 2, data: { wrapped: e.data } } : e) });
      try {
        await upcasting.appendToStream('u', [envelope({ data: 'old' })], { expectedVersion: 'no-stream' });
        expect((await upcasting.readStream('u')).events[0]!.event).toMatchObject({ v: 2, data: { wrapped: 'old' } });
        expect((await settledLog(upcasting, 1))[0]!.event).toMatchObject({ v: 2, data: { wrapped: 'old' } });
      } finally {
        await upcasting.close();
      }
    });
  });
}
