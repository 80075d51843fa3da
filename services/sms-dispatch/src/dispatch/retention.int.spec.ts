import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '@dailydesk/event-store';
import { databaseUrl } from '@dailydesk/testing';
import { migrateDispatchSchema } from './dispatch.schema';
import { pruneOldRows } from './retention';

describe('pruneOldRows (PostgreSQL)', () => {
  const schema = `retention_${randomBytes(4).toString('hex')}`;
  const s = `"${schema}"`;
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: databaseUrl() });
    await migrateDispatchSchema(db, schema);
  });
  afterAll(async () => {
    await db.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.close();
  });

  const fill = async (daysAgo: number[]) => {
    await db.exec(`TRUNCATE ${s}.gateway_calls; TRUNCATE ${s}.port_day_sent`);
    await db.query(
      `INSERT INTO ${s}.gateway_calls (at, endpoint, request, answer, duration_ms)
       SELECT now() - make_interval(days => d), 'goip_post_sms.html', '{}', '{}', 1 FROM unnest($1::int[]) AS d`,
      [daysAgo],
    );
    await db.query(
      `INSERT INTO ${s}.port_day_sent (port, day, sent, through)
       SELECT '1.01', (now() AT TIME ZONE 'UTC')::date - d, 1, 1 FROM unnest(ARRAY[0, 1, 7, 8, 30]) AS d`,
    );
  };
  const ages = async () =>
    (await db.query<{ d: number }>(`SELECT extract(day FROM now() - at)::int AS d FROM ${s}.gateway_calls ORDER BY at DESC`)).map((r) => Number(r.d));
  const dayCounts = async () =>
    (await db.query<{ d: number }>(`SELECT ((now() AT TIME ZONE 'UTC')::date - day)::int AS d FROM ${s}.port_day_sent ORDER BY day DESC`)).map((r) => Number(r.d));

  it('deletes audit rows older than the retention, in chunks, and day counts older than a week', async () => {
    // 12,000 rows older than 90 days: more than two chunks of 5,000.
    await fill([0, 1, 89, ...Array<number>(12_000).fill(91), 400]);
    expect(await pruneOldRows(db, schema, 90)).toBe(12_001);
    expect(await ages()).toEqual([0, 1, 89]);
    expect(await dayCounts()).toEqual([0, 1, 7]);
  });

  it('keeps every audit row with a retention of 0 (day counts are still pruned)', async () => {
    await fill([0, 400]);
    expect(await pruneOldRows(db, schema, 0)).toBe(0);
    expect(await ages()).toEqual([0, 400]);
    expect(await dayCounts()).toEqual([0, 1, 7]);
  });
});
