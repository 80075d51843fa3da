import { useDispatchTables } from '../sms-dispatch.test-harness';
import { pruneOldRows } from './retention';

describe('pruneOldRows (PostgreSQL)', () => {
  const t = useDispatchTables('retention');

  const fill = async (daysAgo: number[]) => {
    await t.db.exec(`TRUNCATE ${t.s}.gateway_calls; TRUNCATE ${t.s}.port_day_sent`);
    await t.db.query(
      `INSERT INTO ${t.s}.gateway_calls (at, endpoint, request, answer, duration_ms)
       SELECT now() - make_interval(days => d), 'goip_post_sms.html', '{}', '{}', 1 FROM unnest($1::int[]) AS d`,
      [daysAgo],
    );
    await t.db.query(
      `INSERT INTO ${t.s}.port_day_sent (port, day, sent, through)
       SELECT '1.01', (now() AT TIME ZONE 'UTC')::date - d, 1, 1 FROM unnest(ARRAY[0, 1, 7, 8, 30]) AS d`,
    );
  };
  const ages = async () =>
    (await t.db.query<{ d: number }>(`SELECT extract(day FROM now() - at)::int AS d FROM ${t.s}.gateway_calls ORDER BY at DESC`)).map((r) => Number(r.d));
  const dayCounts = async () =>
    (await t.db.query<{ d: number }>(`SELECT ((now() AT TIME ZONE 'UTC')::date - day)::int AS d FROM ${t.s}.port_day_sent ORDER BY day DESC`)).map((r) => Number(r.d));

  it('deletes audit rows older than the retention, in chunks, and day counts older than a week', async () => {
    // 12,000 rows older than 90 days: more than two chunks of 5,000.
    await fill([0, 1, 89, ...Array<number>(12_000).fill(91), 400]);
    expect(await pruneOldRows(t.db, t.schema, 90)).toBe(12_001);
    expect(await ages()).toEqual([0, 1, 89]);
    expect(await dayCounts()).toEqual([0, 1, 7]);
  });

  it('keeps every audit row with a retention of 0 (day counts are still pruned)', async () => {
    await fill([0, 400]);
    expect(await pruneOldRows(t.db, t.schema, 0)).toBe(0);
    expect(await ages()).toEqual([0, 400]);
    expect(await dayCounts()).toEqual([0, 1, 7]);
  });
});
