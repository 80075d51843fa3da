import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { SmsTransmitted } from '@dailydesk/contracts';
import { eventually } from '@dailydesk/testing';
import { Harness, sendSms } from './sms-dispatch.test-harness';

// The gateway finishes each task at once and then forgets its tid (`duplicateTid: 'live'`, the simulator's default):
// a resend with the same tid is accepted again, so only a status report can prove the task was there.
const h = new Harness();

beforeAll(async () => {
  await h.startSim({ sendTimeMs: 0 });
}, 30_000);
afterAll(() => h.dispose(), 30_000);

const outcomeOf = async (messageId: string) => (await h.outcomes()).filter((o) => o.data['messageId'] === messageId);
const tasksTo = (e164: string) => h.postedTasks().filter((t) => t.to === e164.slice(1));
const finishedOnGateway = (e164: string) => h.sim.control.tasks().filter((t) => t.recipients.includes(e164.slice(1)) && t.done);

/** Receipts' SmsTransmitted for the task the simulator finished, as receipts would publish it. */
async function publishTransmitted(messageId: string, e164: string, tid: number, port: string): Promise<void> {
  const event: SmsTransmitted = {
    id: `rcpt:tx:${messageId}`,
    type: 'SmsTransmitted',
    v: 1,
    occurredAt: new Date().toISOString(),
    businessId: 'biz-1',
    correlationId: `corr-${messageId}`,
    causationId: null,
    data: { messageId, port, to: e164, tid, transmittedAt: new Date().toISOString() },
  };
  await jetstream(h.service!.nc).publish(h.service!.topology.subjectOf('SmsTransmitted'), JSON.stringify(event), { msgID: event.id });
}

describe('sms-dispatch: a POST never answered, its task finished and forgotten by the gateway', () => {
  it('a status report within the grace period proves the task was there: SmsSent, no second task', async () => {
    await h.start({ SMS_GATEWAY_TIMEOUT_MS: '300', SMS_REPORT_GRACE_MS: '20000' });
    const to = '+4917100000011';
    h.sim.control.addFault({ fault: { kind: 'hang', process: true }, endpoint: 'goip_post_sms.html', times: 1 });
    await h.publish([sendSms('forgot-1', { recipient: { phone: to, defaultRegion: 'DE' } })]);
    await eventually(() => expect(finishedOnGateway(to)).toHaveLength(1), { timeoutMs: 10_000 });
    // Dispatch asked the gateway (not listed: finished and forgotten) and now waits for a report instead of resending.
    await eventually(async () => {
      const calls = await h.service!.database.query<{ endpoint: string }>(`SELECT endpoint FROM "${h.schemaPrefix}sms_dispatch".gateway_calls`);
      expect(calls.map((c) => c.endpoint)).toContain('goip_get_tasks.html');
    }, { timeoutMs: 10_000 });
    expect(await outcomeOf('forgot-1')).toEqual([]);
    const posted = tasksTo(to);
    expect(posted).toHaveLength(1);
    const { tid, from } = posted[0]!;
    await publishTransmitted('forgot-1', to, tid, from);
    await eventually(async () => expect((await outcomeOf('forgot-1')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    expect(tasksTo(to)).toHaveLength(1);
    const onGateway = h.sim.control.tasks().filter((t) => t.recipients.includes(to.slice(1)));
    expect(onGateway).toHaveLength(1);
    expect(onGateway[0]!.sent).toBe(1);
    await h.stopService();
  });

  it('without a grace period (the old rule) the same case resends the same tid and the gateway takes it again: texted twice', async () => {
    await h.start({ SMS_GATEWAY_TIMEOUT_MS: '300', SMS_REPORT_GRACE_MS: '0' });
    const to = '+4917100000012';
    h.sim.control.addFault({ fault: { kind: 'hang', process: true }, endpoint: 'goip_post_sms.html', times: 1 });
    await h.publish([sendSms('forgot-2', { recipient: { phone: to, defaultRegion: 'DE' } })]);
    await eventually(async () => expect((await outcomeOf('forgot-2')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    const posted = tasksTo(to);
    expect(posted).toHaveLength(2);
    expect(posted[1]!.tid).toBe(posted[0]!.tid);
    await h.stopService();
  });

  it('a report for a message already sent is dropped: nothing is stored for it', async () => {
    await h.start();
    const to = '+4917100000013';
    await h.publish([sendSms('plain-1', { recipient: { phone: to, defaultRegion: 'DE' } })]);
    await eventually(async () => expect((await outcomeOf('plain-1')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    const { tid, from } = tasksTo(to)[0]!;
    await publishTransmitted('plain-1', to, tid, from);
    const jsm = await jetstreamManager(h.service!.nc);
    const stream = h.service!.topology.streams.find((s) => s.name.endsWith('_RECEIPTS'))!.name;
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'sms-dispatch--transmitted');
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      expect(info.delivered.stream_seq).toBeGreaterThan(0);
    }, { timeoutMs: 10_000 });
    expect((await h.service!.store.readStream('sms-report-plain-1')).events).toEqual([]);
    await h.stopService();
  });
});
