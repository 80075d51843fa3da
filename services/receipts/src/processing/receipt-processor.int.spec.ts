import type { SmsSent } from '@dailydesk/contracts';
import { createInMemoryEventStore, openDatabase, type Database, type EventStore, type RecordedEvent } from '@dailydesk/event-store';
import pino from 'pino';
import { observedEvent } from '../lifecycle/lifecycle.events';
import { rootEvent } from '../webhook/webhook.events';
import { processorMigration } from './processor-tables';
import { ReceiptProcessor } from './receipt-processor';

// The processor over embedded PGlite (its SQL must run there too) and the in-memory store: a crash after the
// append and before the save replays with other batch boundaries, and every derived id is still stored once.
const T0 = 1_800_000_000;
const logger = pino({ level: 'silent' });

function sentEvent(n: number) {
  const at = new Date(T0 * 1000).toISOString();
  return observedEvent({
    id: `sent-${n}`, type: 'SmsSent', v: 1, occurredAt: at, businessId: 'biz-1', correlationId: `c-${n}`, causationId: null,
    data: { messageId: `m${n}`, purpose: 'reminder', refs: {}, tid: 100 + n, port: '1.01', to: `+1555123000${n}`, segments: 1, encoding: 'GSM-7', sentAt: at },
  } as SmsSent).event;
}
const report = (id: string, ns: number[]) =>
  rootEvent(`cb:${id}`, 'GatewayCallbackReceived', new Date(T0 * 1000).toISOString(), {
    kind: 'status-report', type: 'status-report', rows: ns.length, receivedAt: '',
    body: { type: 'status-report', rpts: ns.map((n) => ({ tid: 100 + n, sent: 1, sdr: [[0, `1555123000${n}`, '1.01', T0 + n]] })) },
  });

describe('ReceiptProcessor (PGlite)', () => {
  let db: Database;
  let store: EventStore;
  let inputs: RecordedEvent[];

  beforeAll(async () => {
    db = await openDatabase();
    store = createInMemoryEventStore();
    await store.appendToStream('seed', [1, 2, 3, 4].map(sentEvent), { expectedVersion: 'any' });
    await store.appendToStream('cb-a', [report('a', [1, 2])], { expectedVersion: 'any' });
    await store.appendToStream('cb-b', [report('b', [3, 4])], { expectedVersion: 'any' });
    inputs = await store.readAll(0, 100);
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  const derived = async () => (await store.readAll(0, 1000)).filter((e) => e.streamId.startsWith('derived-')).map((e) => e.event.id);

  it('a batch derives every transmission once; replaying it with other boundaries against unsaved state stores nothing twice', async () => {
    await db.exec(processorMigration('crashed') + processorMigration('replayed'));
    // One whole batch: appended, and its state saved in schema "crashed".
    await new ReceiptProcessor(store, db, 'crashed', logger).handle(inputs);
    expect((await derived()).sort()).toEqual(['rcpt:tx:m1', 'rcpt:tx:m2', 'rcpt:tx:m3', 'rcpt:tx:m4']);
    // As if the save had been lost: schema "replayed" has no state; the replay first takes a shorter batch, then the rest.
    const replay = new ReceiptProcessor(store, db, 'replayed', logger);
    await replay.handle(inputs.slice(0, 5));
    await replay.handle(inputs.slice(5));
    expect((await derived()).sort()).toEqual(['rcpt:tx:m1', 'rcpt:tx:m2', 'rcpt:tx:m3', 'rcpt:tx:m4']);
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "replayed".proc_messages WHERE tx = 1`);
    expect(row!.n).toBe(4);
  });

  it('folded in chunks (one append each), then replayed in one chunk against unsaved state, stores every derived id once', async () => {
    const chunked = createInMemoryEventStore();
    try {
      await chunked.appendToStream('seed', [1, 2, 3, 4].map(sentEvent), { expectedVersion: 'any' });
      await chunked.appendToStream('cb-a', [report('a', [1, 2])], { expectedVersion: 'any' });
      await chunked.appendToStream('cb-b', [report('b', [3, 4])], { expectedVersion: 'any' });
      const all = await chunked.readAll(0, 100);
      await db.exec(processorMigration('chunked') + processorMigration('rechunked'));
      // At most 2 report rows per append: each callback is a chunk of its own.
      await new ReceiptProcessor(chunked, db, 'chunked', logger, undefined, undefined, 2).handle(all);
      const stored = async () => (await chunked.readAll(0, 1000)).filter((e) => e.streamId.startsWith('derived-'));
      expect([...new Set((await stored()).map((e) => e.streamId))]).toEqual(['derived-cb:a', 'derived-cb:b']);
      await new ReceiptProcessor(chunked, db, 'rechunked', logger).handle(all);
      expect((await stored()).map((e) => e.event.id).sort()).toEqual(['rcpt:tx:m1', 'rcpt:tx:m2', 'rcpt:tx:m3', 'rcpt:tx:m4']);
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "rechunked".proc_messages WHERE tx = 1`);
      expect(row!.n).toBe(4);
    } finally {
      await chunked.close();
    }
  });
});
