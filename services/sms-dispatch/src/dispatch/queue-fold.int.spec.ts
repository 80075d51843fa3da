import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Database } from '@dailydesk/event-store';
import type { SmsQueuedData } from '../intake/intake.events';
import { useDispatchTables } from '../sms-dispatch.test-harness';
import { migrateDispatchSchema } from './dispatch.schema';
import { QueueFold } from './queue-fold';

/**
 * The queue fold against the machine's PostgreSQL: waiting texts are held in memory with the checkpoint before them,
 * `messages` gets only the ones that wait long (parked) and loses them with their outcome, day counts are exact.
 */
describe('QueueFold (PostgreSQL)', () => {
  const t = useDispatchTables('fold');

  const envelope = (id: string, type: string, data: unknown): EnvelopeBase => ({
    id, type, v: 1, occurredAt: '2026-11-29T12:00:00.000Z', businessId: 'b', correlationId: 'c', causationId: null, data,
  });
  const queued = (messageId: string): EnvelopeBase => {
    const data: SmsQueuedData = {
      messageId, to: `+49171${messageId.length}0000000`, text: 'hi', encoding: 'GSM-7', segments: 1, purpose: 'review', priority: 'normal',
      refs: {}, queuedAt: '2026-11-29T11:59:00.000Z',
    };
    return envelope(`sms:${messageId}:intake`, 'SmsQueued', data);
  };
  const assigned = (messageId: string, tid: number, port = '1.01') =>
    envelope(`sms:${messageId}:tasks:${tid}`, 'SmsTasksAssigned', { tasks: [{ messageId, tid, port, attempt: 1, to: '49171', businessId: 'b', correlationId: 'c' }] });
  const sent = (messageId: string, tid: number, port = '1.01', sentAt = '2026-11-29T12:00:01.000Z') =>
    envelope(`sms:${messageId}:outcome`, 'SmsSent', { messageId, tid, port, to: `49171${messageId}`, segments: 1, encoding: 'GSM-7', sentAt });
  const failed = (messageId: string) => envelope(`sms:${messageId}:outcome`, 'SmsFailed', { messageId, reason: 'gateway-rejected' });
  let position = 0;
  const batch = (...events: EnvelopeBase[]) => events.map((event) => ({ event, globalPosition: ++position }));

  const rows = async () =>
    (await t.db.query<{ message_id: string; state: string; tid: number | null }>(`SELECT message_id, state, tid FROM ${t.s}.messages ORDER BY message_id`)).map(
      (r) => `${r.message_id}:${r.state}${r.tid === null ? '' : `:${r.tid}`}`,
    );
  const days = async () =>
    (await t.db.query<{ port: string; day: string; sent: number }>(`SELECT port, to_char(day, 'YYYY-MM-DD') AS day, sent FROM ${t.s}.port_day_sent ORDER BY port, day`)).map(
      (r) => `${r.port} ${r.day} ${r.sent}`,
    );

  /** A fold as one process runs it (a new one after each simulated crash); its clock is `clock.ms`. */
  const clock = { ms: 0 };
  const fold = (parkAfterMs: number, maxHeld: number) => new QueueFold(t.db, t.schema, { parkAfterMs, maxHeld }, () => clock.ms);
  const positionOf = (events: Array<{ event: EnvelopeBase; globalPosition: number }>, id: string) => events.find((e) => e.event.id === id)!.globalPosition;
  const held = (f: QueueFold) => f.heldRows().map((r) => `${r.message_id}:${r.state}${r.tid === null ? '' : `:${r.tid}`}`);

  it('holds waiting texts in memory, the checkpoint just before the oldest, and writes no queue row for them', async () => {
    const f = fold(60_000, 100);
    const first = batch(queued('h1'), queued('h2'), queued('h3'), assigned('h1', 41), sent('h1', 41), assigned('h2', 42));
    expect(await f.apply(first)).toBe(positionOf(first, 'sms:h2:intake') - 1);
    expect(held(f)).toEqual(['h2:assigned:42', 'h3:queued']);
    expect(await f.apply(batch(sent('h2', 42)))).toBe(positionOf(first, 'sms:h3:intake') - 1);
    expect(await f.apply(batch(failed('h3')))).toBeNull();
    expect(await rows()).toEqual([]);
    expect(await days()).toEqual(['1.01 2026-11-29 2']);
  });

  it('parks the oldest texts beyond maxHeld and those held parkAfterMs, and deletes a parked row with its outcome', async () => {
    const f = fold(1_000, 2);
    const first = batch(queued('a1'), queued('a2'), queued('a3'));
    expect(await f.apply(first)).toBe(positionOf(first, 'sms:a2:intake') - 1); // a1 parked: three held, two allowed
    expect(await rows()).toEqual(['a1:queued']);
    clock.ms += 999;
    await f.apply(batch(assigned('a2', 12)));
    expect(await rows()).toEqual(['a1:queued']);
    clock.ms += 1;
    expect(await f.apply(batch(assigned('a1', 11)))).toBeNull(); // a2, a3 waited 1,000 ms: parked, as they are now
    expect(await rows()).toEqual(['a1:assigned:11', 'a2:assigned:12', 'a3:queued']);
    await f.apply(batch(sent('a2', 12), assigned('a3', 13, '1.02'), failed('a9')));
    expect(await rows()).toEqual(['a1:assigned:11', 'a3:assigned:13']);
    await f.apply(batch(sent('a1', 11), failed('a3'), assigned('a3', 13, '1.02'))); // a late assignment finds no row
    expect(await rows()).toEqual([]);
  });

  it('a text due for parking stays held when the statement fails, and is parked when the batch is offered again', async () => {
    let failNext = false;
    const flaky: Database = Object.create(t.db, {
      query: {
        value: (sql: string, params?: unknown[]) => {
          if (failNext && sql.trimStart().startsWith('WITH')) {
            failNext = false;
            return Promise.reject(new Error('connection lost'));
          }
          return t.db.query(sql, params);
        },
      },
    });
    const f = new QueueFold(flaky, t.schema, { parkAfterMs: 1_000, maxHeld: 100 }, () => clock.ms);
    await f.apply(batch(queued('f1')));
    clock.ms += 1_000;
    const second = batch(queued('f2'));
    failNext = true;
    await expect(f.apply(second)).rejects.toThrow('connection lost');
    expect(held(f)).toEqual(['f1:queued', 'f2:queued']);
    expect(await f.apply(second)).toBe(positionOf(second, 'sms:f2:intake') - 1); // the subscription's retry
    expect(await rows()).toEqual(['f1:queued']);
    await f.apply(batch(failed('f1'), failed('f2')));
    expect(await rows()).toEqual([]);
  });

  it('does not park a text whose outcome this process already stored (it comes in a later batch): it is held instead', async () => {
    const f = fold(0, 0);
    const stored = new Set(['d1']);
    f.outcomeStored = (id) => stored.has(id);
    const first = batch(queued('d1'), queued('d2'), assigned('d1', 31), assigned('d2', 32));
    expect(await f.apply(first)).toBe(positionOf(first, 'sms:d1:intake') - 1);
    expect(await rows()).toEqual(['d2:assigned:32']);
    expect(await f.apply(batch(sent('d1', 31), sent('d2', 32)))).toBeNull();
    expect(await rows()).toEqual([]);
  });

  it('after a crash the replay from the held checkpoint holds the texts again; one parked before is deleted with its outcome', async () => {
    const before = fold(60_000, 2);
    before.outcomeStored = (id) => id === 'r1';
    const events = batch(queued('r1'), queued('r2'), queued('r3'));
    // r1 held (its outcome is coming), r2 parked (three held, two allowed), r3 held: the checkpoint stays before r1.
    expect(await before.apply(events)).toBe(positionOf(events, 'sms:r1:intake') - 1);
    expect(await rows()).toEqual(['r2:queued']);
    const after = fold(60_000, 100); // the process restarts: the log from the checkpoint again
    expect(await after.apply(events)).toBe(positionOf(events, 'sms:r1:intake') - 1);
    expect(held(after)).toEqual(['r1:queued', 'r2:queued', 'r3:queued']);
    await after.apply(batch(sent('r1', 51), assigned('r2', 52), assigned('r3', 53)));
    expect(held(after)).toEqual(['r2:assigned:52', 'r3:assigned:53']);
    // r2's row, written before the restart, goes with its outcome.
    expect(await after.apply(batch(sent('r2', 52), sent('r3', 53)))).toBeNull();
    expect(await rows()).toEqual([]);
  });

  it('counts each SmsSent once per port and UTC day, also when batches are folded again with other boundaries after a crash', async () => {
    await t.db.exec(`TRUNCATE ${t.s}.port_day_sent`);
    const events = batch(
      queued('b1'), sent('b1', 21, '1.01', '2026-11-29T23:59:59.000Z'),
      queued('b2'), sent('b2', 22, '1.01', '2026-11-30T00:00:00.000+00:00'),
      queued('b3'), sent('b3', 23, '1.02', '2026-11-30T01:00:00.000+01:00'), // 00:00 UTC: the 30th
      queued('b4'), sent('b4', 24, '1.02', '2026-11-30T12:00:00.000Z'),
    );
    await fold(0, 0).apply(events.slice(0, 5));
    // The checkpoint was not stored: the same events again, cut elsewhere (after each crash, a new process's fold).
    const again = fold(0, 0);
    await again.apply(events.slice(0, 3));
    await again.apply(events.slice(3));
    await fold(0, 0).apply(events.slice(6));
    expect(await days()).toEqual(['1.01 2026-11-29 1', '1.01 2026-11-30 1', '1.02 2026-11-30 2']);
    expect(await rows()).toEqual([]);
  });

  it('upgrades a table that kept finished texts: today\'s counts move to port_day_sent, only waiting rows stay', async () => {
    await t.db.exec(`TRUNCATE ${t.s}.port_day_sent`);
    await t.db.exec(`INSERT INTO ${t.s}.messages (message_id, correlation_id, intake_event_id, lane, position, to_e164, encoding, segments, purpose, refs, state, port, sent_at)
      VALUES ('u1', 'c', 'i1', 1, 1, '+49', 'GSM-7', 1, 'review', '{}', 'sent', '1.01', now()),
             ('u2', 'c', 'i2', 1, 2, '+49', 'GSM-7', 1, 'review', '{}', 'sent', '1.01', now()),
             ('u3', 'c', 'i3', 1, 3, '+49', 'GSM-7', 1, 'review', '{}', 'failed', NULL, NULL),
             ('u4', 'c', 'i4', 1, 4, '+49', 'GSM-7', 1, 'review', '{}', 'queued', NULL, NULL)`);
    await migrateDispatchSchema(t.db, t.schema);
    await migrateDispatchSchema(t.db, t.schema); // idempotent
    expect(await rows()).toEqual(['u4:queued']);
    const today = new Date().toISOString().slice(0, 10);
    expect(await days()).toEqual([`1.01 ${today} 2`]);
  });
});
