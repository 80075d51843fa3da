import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createNaivePostgresEventStoreForTest, createPostgresEventStore } from '../create-event-store';
import type { EventStore, RecordedEvent } from '../event-store.port';
import { eventStoreSql } from '../sql/event-store.sql';
import { toAppendRows } from '../sql/sql-event-store';
import { envelope, eventually } from '../testing/event-store.behaviour';

// The race: transaction A takes the lower global position but commits after B. A reader running in between must not
// move its position past A, or A is never read. Run on the real store, and on a store whose reads drop the
// visibility filter, to show the test catches the bug.
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `es_race_${randomBytes(4).toString('hex')}`;
const open: EventStore[] = [];

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  const client = new Client({ connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${prefix}_real" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${prefix}_naive" CASCADE`);
  for (const held of ['local', 'foreign']) await client.query(`DROP SCHEMA IF EXISTS "${prefix}_held_${held}" CASCADE`);
  await client.end();
});

/** Forces the race and returns what a position-advancing reader consumed, plus what it saw while A was open. */
async function raceWith(kind: 'real' | 'naive') {
  const schema = `${prefix}_${kind}`;
  const writer = await createPostgresEventStore({ connectionString, schema });
  const reader = kind === 'real' ? writer : await createNaivePostgresEventStoreForTest(connectionString, schema);
  open.push(writer, ...(reader === writer ? [] : [reader]));
  let position = 0;
  const consumed: RecordedEvent[] = [];
  const consume = async (): Promise<RecordedEvent[]> => {
    const page = await reader.readAll(position, 100);
    consumed.push(...page);
    if (page.length > 0) position = page[page.length - 1]!.globalPosition;
    return page;
  };

  const a = envelope();
  const b = envelope();
  const sql = eventStoreSql(schema);
  const txA = new Client({ connectionString });
  await txA.connect();
  try {
    // Transaction A runs the store's own append statement inside an explicit transaction, and does not commit yet.
    await txA.query('BEGIN');
    await txA.query(sql.append, ['stream-a', toAppendRows([a]), null]);
    await writer.appendToStream('stream-b', [b], { expectedVersion: 'no-stream' });
    const seenWhileAOpen = await consume();
    await txA.query('COMMIT');
    await eventually(async () => (await writer.readAll(0, 10)).length === 2);
    await consume();
    const positions = (await writer.readAll(0, 10)).map((r) => [r.event.id, r.globalPosition]);
    return { consumed: consumed.map((r) => r.event.id), seenWhileAOpen: seenWhileAOpen.map((r) => r.event.id), positions, a, b };
  } finally {
    await txA.end();
  }
}

describe('late-commit race on PostgreSQL', () => {
  it('a reader between the two commits does not pass the open transaction, and later reads both events', async () => {
    const { consumed, seenWhileAOpen, positions, a, b } = await raceWith('real');
    expect(positions).toEqual([
      [a.id, expect.any(Number)],
      [b.id, expect.any(Number)],
    ]);
    expect(seenWhileAOpen).toEqual([]);
    expect(consumed).toEqual([a.id, b.id]);
  });

  // Proof that the test above can fail: without the visibility filter the reader takes B, advances past A, loses A.
  it.failing('FAILS on the naive read (no transaction visibility filter): the late commit is skipped', async () => {
    const { consumed, a, b } = await raceWith('naive');
    expect(consumed).toEqual([a.id, b.id]);
  });

  it.each([
    ['appended by this process', false],
    ['appended by another process (position in its NOTIFY)', true],
  ])('a subscription woken by an append it cannot read yet reads it soon after the older transaction ends, not a polling period later: %s', async (_how, foreign) => {
    const schema = `${prefix}_held_${foreign ? 'foreign' : 'local'}`;
    const store = await createPostgresEventStore({ connectionString, schema });
    const writer = foreign ? await createPostgresEventStore({ connectionString, schema }) : store;
    open.push(store, ...(writer === store ? [] : [writer]));
    const seen: RecordedEvent[] = [];
    const sub = store.subscribe({ name: 'held', pollIntervalMs: 30_000, handler: async (batch) => void seen.push(...batch) });
    const blocker = new Client({ connectionString });
    await blocker.connect();
    try {
      // Another transaction with an id (any database of the cluster): appends committed after it started are not
      // readable until it ends.
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      await writer.appendToStream('held-1', [envelope()], { expectedVersion: 'no-stream' });
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual([]);
      await blocker.query('COMMIT');
      const committedAt = Date.now();
      await eventually(() => seen.length === 1, 5_000);
      expect(Date.now() - committedAt).toBeLessThan(2_000);
    } finally {
      await blocker.end();
      await sub.stop();
    }
  });
});
