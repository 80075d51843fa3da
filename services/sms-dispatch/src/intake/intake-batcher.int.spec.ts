import pino from 'pino';
import { createEventStore, type EventStore } from '@dailydesk/event-store';
import type { AppendedBatch } from '../dispatch/store-writes';
import { sendSms, useDispatchTables } from '../sms-dispatch.test-harness';
import { IntakeBatcher } from './intake-batcher';

/**
 * Intake's batches against the machine's PostgreSQL: a caller hands over the requests that arrived together and gets
 * one answer per request, even when they are split over several appends and one of those fails.
 */
describe('IntakeBatcher (PostgreSQL)', () => {
  // Registered before the tables' own afterAll, which closes the database (jest runs afterAll hooks in order).
  afterAll(async () => {
    await real?.close(); // its LISTEN connection; the database stays open for the tables' cleanup
    await t.db.exec(`DROP SCHEMA IF EXISTS "${t.schema}_events" CASCADE`);
  });
  const t = useDispatchTables('intake');
  let real: EventStore | undefined;
  let store: EventStore;
  /** Appends still to fail (a store outage injected in front of the real store). */
  let failNext = 0;
  const handed: AppendedBatch[] = [];

  beforeAll(async () => {
    real = await createEventStore({ database: t.db, schema: `${t.schema}_events` });
    store = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'appendToStream') {
          return (...args: Parameters<EventStore['appendToStream']>) => {
            if (failNext > 0) {
              failNext -= 1;
              return Promise.reject(new Error('connection terminated'));
            }
            return target.appendToStream(...args);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  });

  const batcher = (maxBatch: number) =>
    new IntakeBatcher(store, t.db, t.schema, { enabled: true, maxSegments: 10, clock: () => Date.now(), maxBatch }, pino({ level: 'silent' }), (b) => handed.push(b));
  const storedIds = async (ids: string[]) => [...(await store.storedIds(ids.map((id) => `sms:${id}:intake`)))].sort();

  it('answers one undefined per request once all are stored (a repeated messageId changes nothing)', async () => {
    const intake = batcher(2_000);
    const results = await intake.submitMany([sendSms('ok-1'), sendSms('ok-2'), sendSms('ok-1')]);
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(await storedIds(['ok-1', 'ok-2'])).toEqual(['sms:ok-1:intake', 'sms:ok-2:intake']);
    expect(handed.at(-1)!.appended.map((e) => e.id).sort()).toEqual(['sms:ok-1:intake', 'sms:ok-2:intake']);
  });

  it('answers the error for exactly the requests whose append failed, when one caller spans two appends', async () => {
    const intake = batcher(2);
    failNext = 1;
    const results = await intake.submitMany([sendSms('split-1'), sendSms('split-2'), sendSms('split-3')]);
    expect(results.map((r) => (r instanceof Error ? r.message : r))).toEqual(['connection terminated', 'connection terminated', undefined]);
    expect(await storedIds(['split-1', 'split-2', 'split-3'])).toEqual(['sms:split-3:intake']);
    // The consumer retries the failed ones: the same requests again are stored then.
    expect(await intake.submitMany([sendSms('split-1'), sendSms('split-2')])).toEqual([undefined, undefined]);
    expect(await storedIds(['split-1', 'split-2', 'split-3'])).toEqual(['sms:split-1:intake', 'sms:split-2:intake', 'sms:split-3:intake']);
  });

  it('answers callers whose requests share an append each with their own results', async () => {
    const intake = batcher(2_000);
    failNext = 1;
    const [a, b] = await Promise.all([intake.submitMany([sendSms('a-1')]), intake.submitMany([sendSms('b-1'), sendSms('b-2')])]);
    // a-1's append started alone and failed; b's requests waited for it and went into the next one.
    expect(a.map((r) => (r instanceof Error ? r.message : r))).toEqual(['connection terminated']);
    expect(b).toEqual([undefined, undefined]);
    expect(await intake.submitMany([])).toEqual([]);
  });
});
