import { eventually } from '@dailydesk/testing';
import { Harness, sendSms } from './sms-dispatch.test-harness';

const h = new Harness();
const SLOW_PORT = 60_000; // virtual ms per SMS: like a real GSM port, the task stays queued on the gateway for a while

beforeAll(async () => {
  await h.startSim({ sendTimeMs: SLOW_PORT });
}, 30_000);
afterAll(() => h.dispose(), 30_000);

const outcomeOf = async (messageId: string) => (await h.outcomes()).filter((o) => o.data['messageId'] === messageId);
const tasksTo = (e164: string) => h.postedTasks().filter((t) => t.to === e164.slice(1));

describe('sms-dispatch when the answer to a POST is lost', () => {
  it('a POST that hangs after the gateway acted (unknown outcome) is resolved from the gateway: no second task', async () => {
    await h.start({ SMS_GATEWAY_TIMEOUT_MS: '300' });
    h.sim.control.addFault({ fault: { kind: 'hang', process: true }, endpoint: 'goip_post_sms.html', times: 1 });
    await h.publish([sendSms('hang-1', { recipient: { phone: '+4917100000001', defaultRegion: 'DE' } })]);
    await eventually(async () => expect((await outcomeOf('hang-1')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    // The task is being sent (not in the queued list), so it is resent with the SAME tid and refused as 13.
    const posted = tasksTo('+4917100000001');
    expect(new Set(posted.map((t) => t.tid)).size).toBe(1);
    expect(h.sim.control.tasks().filter((t) => t.recipients.includes('4917100000001'))).toHaveLength(1);
    const calls = await h.service!.database.query<{ endpoint: string }>(`SELECT endpoint FROM "${h.schemaPrefix}sms_dispatch".gateway_calls ORDER BY id`);
    expect(calls.map((c) => c.endpoint)).toContain('goip_get_tasks.html');
    await h.stopService();
  });

  it('killed between the POST and recording its answer, the restarted service records SmsSent without a second task', async () => {
    let crash = true;
    await h.start({}, { hooks: { crashAfterPost: () => crash } });
    await h.publish([sendSms('crash-1', { recipient: { phone: '+4917100000002', defaultRegion: 'DE' } })]);
    await eventually(() => expect(tasksTo('+4917100000002')).toHaveLength(1), { timeoutMs: 10_000 });
    expect(await outcomeOf('crash-1')).toEqual([]);
    await h.stopService();
    crash = false;
    await h.start();
    await eventually(async () => expect((await outcomeOf('crash-1')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    expect(tasksTo('+4917100000002')).toHaveLength(1);
    expect(h.sim.control.tasks().filter((t) => t.recipients.includes('4917100000002'))).toHaveLength(1);
    await h.stopService();
  });

  it('the same with the text parked in the queue table (held no time): the restart reads it back from there, no second task', async () => {
    const holdLimits = { parkAfterMs: 0, maxHeld: 0 };
    let crash = true;
    await h.start({}, { hooks: { crashAfterPost: () => crash }, holdLimits });
    await h.publish([sendSms('crash-p', { recipient: { phone: '+4917100000004', defaultRegion: 'DE' } })]);
    await eventually(() => expect(tasksTo('+4917100000004')).toHaveLength(1), { timeoutMs: 10_000 });
    const table = `"${h.schemaPrefix}sms_dispatch".messages`;
    await eventually(async () => expect(await h.service!.database.query(`SELECT state FROM ${table} WHERE message_id = 'crash-p'`)).toEqual([{ state: 'assigned' }]));
    await h.stopService();
    crash = false;
    await h.start({}, { holdLimits });
    await eventually(async () => expect((await outcomeOf('crash-p')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    expect(tasksTo('+4917100000004')).toHaveLength(1);
    expect(h.sim.control.tasks().filter((t) => t.recipients.includes('4917100000004'))).toHaveLength(1);
    await eventually(async () => expect(await h.service!.database.query(`SELECT state FROM ${table} WHERE message_id = 'crash-p'`)).toEqual([]));
    await h.stopService();
  });

  it('a queue row left behind for a text already sent (a fold that lost its lock wrote it late) is deleted at takeover, not sent again', async () => {
    await h.start();
    await h.publish([sendSms('late-row', { recipient: { phone: '+4917100000005', defaultRegion: 'DE' } })]);
    await eventually(async () => expect((await outcomeOf('late-row')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    const table = `"${h.schemaPrefix}sms_dispatch".messages`;
    await h.service!.database.query(
      `INSERT INTO ${table} (message_id, correlation_id, intake_event_id, lane, position, to_e164, body, encoding, segments, purpose, refs, state, attempt)
       VALUES ('late-row', 'corr-late-row', 'sms:late-row:intake', 0, 1, '+4917100000005', 'Your appointment is confirmed.', 'GSM-7', 1, 'confirmation', '{}', 'queued', 0)`,
    );
    await h.stopService();
    await h.start();
    await h.service!.runtime.dispatcher.settled();
    expect(await h.service!.database.query(`SELECT state FROM ${table} WHERE message_id = 'late-row'`)).toEqual([]);
    expect(tasksTo('+4917100000005')).toHaveLength(1);
    await h.stopService();
  });

  it('after a crash, a task the gateway already finished is resent with the same tid and its 13 Duplicated TaskId proves it was there', async () => {
    h.sim.control.configure({ duplicateTid: 'forever' });
    for (let p = 1; p <= 4; p++) h.sim.control.setPort(p, { sendTimeMs: 0 });
    let crash = true;
    await h.start({}, { hooks: { crashAfterPost: () => crash } });
    await h.publish([sendSms('crash-2', { recipient: { phone: '+4917100000003', defaultRegion: 'DE' } })]);
    await eventually(() => expect(h.sim.control.tasks().find((t) => t.recipients.includes('4917100000003'))?.done).toBe(true), { timeoutMs: 10_000 });
    await h.stopService();
    crash = false;
    await h.start();
    await eventually(async () => expect((await outcomeOf('crash-2')).map((o) => o.type)).toEqual(['SmsSent']), { timeoutMs: 10_000 });
    const posted = tasksTo('+4917100000003');
    expect(posted).toHaveLength(2);
    expect(posted[1]!.tid).toBe(posted[0]!.tid);
    const onGateway = h.sim.control.tasks().filter((t) => t.recipients.includes('4917100000003'));
    expect(onGateway).toHaveLength(1);
    expect(onGateway[0]!.sent).toBe(1);
    await h.stopService();
  });
});
