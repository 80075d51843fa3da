import { eventually } from '@dailydesk/testing';
import { Harness, sendSms } from './sms-dispatch.test-harness';

const h = new Harness();
let now = Date.parse('2026-03-02T08:00:00Z');

beforeAll(async () => {
  await h.startSim();
}, 30_000);
afterAll(() => h.dispose(), 30_000);

const sentCount = async (prefix = 'pace-') => (await h.outcomes()).filter((o) => o.type === 'SmsSent' && String(o.data['messageId']).startsWith(prefix)).length;

describe('sms-dispatch pacing and outages', () => {
  it('4 ports at 3/min with a SIM cap of 5 a day: no port above its rate, no SIM over its cap, also across a restart (injected clock)', async () => {
    await h.start({ SMS_PORT_PER_MINUTE: '3', SMS_SIM_DAILY_CAP: '5' }, { clock: () => now, idleMs: 10 });
    const requests = Array.from({ length: 30 }, (_, i) => sendSms(`pace-${i}`, { recipient: { phone: `+49171100${String(i).padStart(4, '0')}`, defaultRegion: 'DE' } }));
    await h.publish(requests);
    await h.intakeDrained();
    const sendsAt: Array<{ port: string; at: number }> = [];
    let seen = 0;
    for (let step = 0; step < 12; step++) {
      await h.service!.runtime.projection.caughtUp();
      await h.service!.runtime.dispatcher.settled();
      for (const t of h.postedTasks().slice(seen)) sendsAt.push({ port: t.from, at: now });
      seen = h.postedTasks().length;
      now += 20_000;
    }
    expect(seen).toBe(20); // 4 SIMs × 5, the rest waits for tomorrow
    for (const port of ['1.01', '2.01', '3.01', '4.01']) {
      const mine = sendsAt.filter((s) => s.port === port).map((s) => s.at);
      expect(mine).toHaveLength(5);
      for (const t of mine) expect(mine.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(3);
    }
    expect(await sentCount()).toBe(20);
    // A restart the same day: the new dispatcher counts today's sends per SIM from port_day_sent, so it sends nothing.
    await h.stopService();
    await h.start({ SMS_PORT_PER_MINUTE: '3', SMS_SIM_DAILY_CAP: '5' }, { clock: () => now, idleMs: 10 });
    for (let step = 0; step < 6; step++) {
      now += 20_000;
      h.service!.runtime.dispatcher.wake();
      await h.service!.runtime.dispatcher.settled();
    }
    expect(h.postedTasks()).toHaveLength(20);
    now += 24 * 3600_000;
    await eventually(async () => {
      h.service!.runtime.dispatcher.wake();
      expect(await sentCount()).toBe(30);
    }, { timeoutMs: 10_000 });
    await h.stopService();
  });

  it('gateway down for a while: nothing lost, all sent once it is back, instant before normal before bulk', async () => {
    now = Date.now();
    await h.start({ SMS_BATCH_SIZE: '100' });
    const before = h.postedTasks().length;
    h.sim.control.addFault({ fault: { kind: 'http-status', status: 503 } });
    const lanes = { bulk: 'campaign', normal: 'review', instant: 'confirmation' } as const;
    const requests = (['bulk', 'normal', 'instant'] as const).flatMap((lane) =>
      Array.from({ length: 5 }, (_, i) =>
        sendSms(`down-${lane}-${i}`, {
          purpose: lanes[lane],
          recipient: { phone: `+49171200${lane.length}${String(i).padStart(3, '0')}`, defaultRegion: 'DE' },
          refs: lane === 'bulk' ? { campaignId: 'c1', campaignRunId: 'r1' } : { appointmentId: `a-${lane}-${i}` },
        }),
      ),
    );
    await h.publish(requests);
    await h.intakeDrained();
    await eventually(async () => {
      const status = (await (await fetch(`${h.service!.url}/sms-gateway/status`)).json()) as { circuit: { state: string }; queue: Record<string, number> };
      expect(status.circuit.state).not.toBe('closed');
      expect(status.queue).toEqual({ instant: 5, normal: 5, bulk: 5 });
    }, { timeoutMs: 10_000 });
    expect(await sentCount('down-')).toBe(0);
    h.sim.control.clearFaults();
    await eventually(async () => expect(await sentCount('down-')).toBe(15), { timeoutMs: 10_000 });
    const accepted = h.sim.control.requests().filter((r) => r.endpoint === 'goip_post_sms.html' && !r.fault);
    const order = accepted.flatMap((r) => (r.body as { tasks: Array<{ to: string }> }).tasks).map((t) => t.to);
    expect(order.length).toBeGreaterThanOrEqual(15);
    const laneOf = (to: string) => Number(to.slice(8, 9)); // 7 = instant, 6 = normal, 4 = bulk
    const firstPass = order.slice(-15).map(laneOf);
    expect(firstPass).toEqual([...Array(5).fill(7), ...Array(5).fill(6), ...Array(5).fill(4)]);
    expect(h.postedTasks().length - before).toBeGreaterThanOrEqual(15);
    expect(new Set(order.slice(-15)).size).toBe(15);
    await h.stopService();
  });
});
