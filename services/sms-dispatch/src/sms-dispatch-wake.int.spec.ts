import { eventually } from '@dailydesk/testing';
import { Harness, sendSms } from './sms-dispatch.test-harness';

// The dispatcher's idle poll is set to a minute: an instant text can only reach the gateway in time if storing it
// wakes the dispatcher (and a wake that arrives during a cycle is not lost).
const h = new Harness();

beforeAll(async () => {
  await h.startSim();
  await h.start({}, { idleMs: 60_000 });
  await eventually(() => expect(h.service!.runtime.dispatcher.isLeader).toBe(true), { timeoutMs: 10_000 });
}, 30_000);
afterAll(() => h.dispose(), 30_000);

it('sends each instant text as soon as it is stored, without waiting for the idle poll', async () => {
  for (let i = 0; i < 8; i++) {
    const phone = `+49171400000${i}`;
    const started = Date.now();
    await h.publish([sendSms(`wake-${i}`, { recipient: { phone, defaultRegion: 'DE' } })]);
    await eventually(() => expect(h.postedTasks().filter((t) => t.to === phone.slice(1))).toHaveLength(1), { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
  }
}, 60_000);
