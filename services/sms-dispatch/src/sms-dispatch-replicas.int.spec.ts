import { eventually } from '@dailydesk/testing';
import { Harness, sendSms } from './sms-dispatch.test-harness';

// Two replicas of one installation in one process (same namespace and schema prefix): both take SendSms into the
// store, only the holder of the `dispatcher` lock sends, and the other takes over when the leader stops.
const h = new Harness();
const phone = (i: number) => `+49171${String(3_000_000 + i)}`;
const requests = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => sendSms(`rep-${from + k}`, { recipient: { phone: phone(from + k), defaultRegion: 'DE' } }));

beforeAll(async () => {
  await h.startSim();
}, 30_000);
afterAll(() => h.dispose(), 30_000);

function tasksPerPhone(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of h.postedTasks()) counts.set(t.to, (counts.get(t.to) ?? 0) + 1);
  return counts;
}

it('sends each message once with two replicas, and the standby takes over when the leader stops', async () => {
  const a = await h.startReplica();
  const b = await h.startReplica();
  await eventually(async () => expect([a, b].filter((r) => r.runtime.dispatcher.isLeader)).toHaveLength(1), { timeoutMs: 10_000 });
  await h.publish(requests(0, 200));
  await eventually(async () => expect(tasksPerPhone().size).toBe(200), { timeoutMs: 15_000 });
  const leader = a.runtime.dispatcher.isLeader ? a : b;
  const standby = leader === a ? b : a;
  // Both replicas took requests from the shared durable consumer, yet only the leader's dispatcher sent.
  expect(standby.runtime.stats.snapshot()['intake-append']?.items ?? 0).toBeGreaterThan(0);
  expect(standby.runtime.stats.snapshot()['post']).toBeUndefined();
  // Only the leader folds the events into the queue tables; the standby reads what the leader keeps.
  expect(leader.runtime.stats.snapshot()['projection']?.items ?? 0).toBeGreaterThan(0);
  expect(standby.runtime.stats.snapshot()['projection']).toBeUndefined();

  // Texts due in an hour wait in the leader's memory (held by its fold, not in the queue table): a standby's status
  // reports the count the leader stores within a second of a change.
  const later = new Date(Date.now() + 3_600_000).toISOString();
  await h.publish(Array.from({ length: 5 }, (_, k) => sendSms(`rep-later-${k}`, { recipient: { phone: phone(900 + k), defaultRegion: 'DE' }, notBefore: later })));
  await eventually(async () => expect(leader.runtime.dispatcher.queueDepth()?.[0]).toBe(5), { timeoutMs: 10_000 });
  await eventually(
    async () => {
      const status = (await (await fetch(`${standby.url}/sms-gateway/status`)).json()) as { leader: boolean; queue: Record<string, number>; queueCountedAt: string | null };
      expect(status).toMatchObject({ leader: false, queue: { instant: 5, normal: 0, bulk: 0 } });
      expect(Date.now() - Date.parse(status.queueCountedAt!)).toBeLessThan(5_000);
    },
    { timeoutMs: 5_000 },
  );

  await leader.close();
  h.service = standby;
  await eventually(async () => expect(standby.runtime.dispatcher.isLeader).toBe(true), { timeoutMs: 10_000 });
  // The five texts the old leader held in memory only: the new leader's fold read them again from the log.
  expect(standby.runtime.dispatcher.queueDepth()).toEqual([5, 0, 0]);
  await h.publish(requests(200, 300));
  await eventually(async () => expect(tasksPerPhone().size).toBe(300), { timeoutMs: 15_000 });
  await h.intakeDrained();
  await standby.runtime.projection.caughtUp();
  expect(standby.runtime.stats.snapshot()['projection']?.items ?? 0).toBeGreaterThan(0); // folding since it took over
  expect([...tasksPerPhone().values()].filter((n) => n !== 1)).toEqual([]);
  const sent = (await h.outcomes()).filter((o) => o.type === 'SmsSent');
  expect(sent).toHaveLength(300);
  expect(new Set(sent.map((o) => o.data['messageId'])).size).toBe(300);
}, 40_000);
