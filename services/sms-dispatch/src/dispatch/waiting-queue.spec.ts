import type { EnvelopeBase } from '@dailydesk/contracts';
import type { SmsQueuedData } from '../intake/intake.events';
import { rowOfQueued, WaitingQueue } from './waiting-queue';

const NOW = Date.parse('2026-11-29T12:00:00Z');

function queued(messageId: string, priority: SmsQueuedData['priority'] = 'normal', notBefore?: string): EnvelopeBase {
  const data: SmsQueuedData = {
    messageId, to: '+4917100000001', text: 'hi', encoding: 'GSM-7', segments: 1, purpose: 'review', priority,
    refs: {}, queuedAt: '2026-11-29T11:59:00.000Z', ...(notBefore && { notBefore }),
  };
  return { id: `sms:${messageId}:intake`, type: 'SmsQueued', v: 1, occurredAt: data.queuedAt, businessId: 'b', correlationId: messageId, causationId: null, data };
}
const outcome = (messageId: string): EnvelopeBase => ({
  id: `sms:${messageId}:outcome`, type: 'SmsSent', v: 1, occurredAt: '2026-11-29T12:00:00.000Z', businessId: 'b', correlationId: messageId, causationId: null,
  data: { messageId },
});
const ids = (q: WaitingQueue, now = NOW) => [...q.waiting(now)].map((r) => r.message_id);

describe('WaitingQueue', () => {
  it('yields instant before normal before bulk, each lane in position order, even when positions arrive out of order', () => {
    const q = new WaitingQueue();
    q.addAppended([queued('b1', 'bulk'), queued('n1'), queued('i1', 'instant')], 13, NOW);
    q.observe([{ event: queued('n0'), globalPosition: 3 }], NOW); // another replica's request, stored earlier
    q.addAppended([queued('n2')], 14, NOW);
    // Loaded from the table at takeover, or another replica's request: an older position than the lane's last.
    q.add(rowOfQueued(queued('n-early'), 5), NOW);
    expect(ids(q)).toEqual(['i1', 'n0', 'n-early', 'n1', 'n2', 'b1']);
  });

  it('two replicas\' intake interleaved (own appends, then the other\'s older positions from the subscription): position order, without re-sorting at every insert', () => {
    const q = new WaitingQueue();
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 100) {
      // This process appends 50 requests at positions above the 50 the other replica stored just before them.
      q.addAppended(Array.from({ length: 50 }, (_, k) => queued(`own-${i + 50 + k}`)), 1_000 + i + 99, NOW);
      q.observe(Array.from({ length: 50 }, (_, k) => ({ event: queued(`other-${i + k}`), globalPosition: 1_000 + i + k })), NOW);
    }
    const order = [...q.waiting(NOW)].map((r) => Number(r.position));
    // Sorting the lane at each of the 10,000 late inserts took minutes here; one sort per read takes milliseconds.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(order).toHaveLength(n);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBe(1_000);
  });

  it('scheduled messages come due in notBefore order, and one finished while scheduled never comes due', () => {
    const q = new WaitingQueue();
    const at = (h: number) => `2026-11-29T${String(h).padStart(2, '0')}:00:00.000Z`;
    q.addAppended([queued('h15', 'normal', at(15)), queued('h13', 'normal', at(13)), queued('h14', 'normal', at(14)), queued('h13b', 'normal', at(13))], 4, NOW);
    q.observe([{ event: outcome('h14'), globalPosition: 5 }], NOW); // e.g. suppressed by another replica
    expect(ids(q)).toEqual([]);
    expect(ids(q, Date.parse(at(13)))).toEqual(['h13', 'h13b']);
    expect(ids(q, Date.parse(at(16)))).toEqual(['h15', 'h13', 'h13b']); // once due, in their lane by position
    expect(q.size).toBe(3);
  });

  it('a message taken and finished is not added again by a late SmsQueued until the subscription passes its outcome', () => {
    const q = new WaitingQueue();
    q.addAppended([queued('m1')], 10, NOW);
    const [row] = [...q.waiting(NOW)];
    expect(q.take(row!)).toBe(true);
    q.finish('m1', 20);
    // The subscription hands over the SmsQueued (position 10) before the outcome (20): still known, not waiting again.
    q.observe([{ event: queued('m1'), globalPosition: 10 }], NOW);
    expect(ids(q)).toEqual([]);
    q.observe([{ event: outcome('m1'), globalPosition: 20 }], NOW);
    expect(ids(q)).toEqual([]);
    expect(q.size).toBe(0);
  });

  it('an append the subscription has already handed over is not added twice', () => {
    const q = new WaitingQueue();
    q.observe([{ event: queued('m1'), globalPosition: 5 }, { event: outcome('m1'), globalPosition: 6 }], NOW);
    // Intake's own add of the same append arrives late: position 5 ≤ observedUpTo 6, so it is ignored.
    q.addAppended([queued('m1')], 5, NOW);
    expect(ids(q)).toEqual([]);
  });

  it('another replica\'s outcome removes a waiting message, and take() refuses a row that left the queue', () => {
    const q = new WaitingQueue();
    q.addAppended([queued('m1'), queued('m2')], 2, NOW);
    const rows = [...q.waiting(NOW)];
    q.observe([{ event: outcome('m1'), globalPosition: 3 }], NOW);
    expect(q.take(rows[0]!)).toBe(false);
    expect(q.take(rows[1]!)).toBe(true);
    q.putBack('m2');
    expect(ids(q)).toEqual(['m2']);
  });

  it('holds a message with notBefore ahead until it is due, then in its lane by position', () => {
    const q = new WaitingQueue();
    q.addAppended([queued('later', 'normal', '2026-11-29T13:00:00.000Z'), queued('now')], 2, NOW);
    expect(ids(q)).toEqual(['now']);
    expect(q.depth()).toEqual([0, 2, 0]);
    expect(ids(q, Date.parse('2026-11-29T13:00:00Z'))).toEqual(['later', 'now']);
  });

  it('an assignment observed for a waiting message makes it assigned (taken over: resolved, never given a new tid)', () => {
    const q = new WaitingQueue();
    q.addAppended([queued('m1')], 1, NOW);
    q.observe([{ event: { ...outcome('m1'), id: 'x', type: 'SmsTasksAssigned', data: { tasks: [{ messageId: 'm1', tid: 7, port: '1.01', attempt: 1 }], assignedAt: 'x' } }, globalPosition: 2 }], NOW);
    expect([...q.waiting(NOW)].map((r) => [r.state, r.tid, r.port])).toEqual([['assigned', 7, '1.01']]);
  });
});
