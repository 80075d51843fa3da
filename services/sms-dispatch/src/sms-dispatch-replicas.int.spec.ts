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

  await leader.close();
  h.service = standby;
  await eventually(async () => expect(standby.runtime.dispatcher.isLeader).toBe(true), { timeoutMs: 10_000 });
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
