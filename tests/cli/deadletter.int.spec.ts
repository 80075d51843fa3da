import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { topology, type SendSms } from '@dailydesk/contracts';
import { buildDeadLetter, ensureStreams } from '@dailydesk/messaging';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { cli } from './cli-io';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ns = `cli${randomBytes(4).toString('hex')}`;
const topo = topology(ns);
const smsStream = `${ns.toUpperCase()}_SMS`;
const dlStream = topo.deadLetterStream.name;
const base = ['--nats-url', natsUrl, '--namespace', ns];

let nc: NatsConnection;
let jsm: JetStreamManager;

const request = (n: string): SendSms => ({
  id: `req-${n}`, type: 'SendSms', v: 1, occurredAt: '2027-01-15T08:00:00.000Z', businessId: 'biz-1', correlationId: `req-${n}`, causationId: null,
  data: { messageId: `sms:${n}`, recipient: { phone: '+4915112345678', defaultRegion: 'DE' }, text: 'hi', purpose: 'test', refs: {} },
});

/** Publishes an original SendSms as a producer would, then the dead letter a consumer would have written for it. */
async function deadLetterFor(n: string, reason: 'permanent-failure' | 'max-deliveries'): Promise<{ payload: Uint8Array; dlSeq: number }> {
  const js = jetstream(nc);
  const payload = new TextEncoder().encode(JSON.stringify(request(n)));
  const h = headers();
  h.set('Dd-Type', 'SendSms');
  const original = await js.publish(topo.subjectOf('SendSms'), payload, { msgID: `req-${n}`, headers: h });
  const dl = buildDeadLetter(
    {
      reason, detail: `handler said no to ${n}`, subject: topo.subjectOf('SendSms'), stream: original.stream, streamSeq: original.seq,
      consumer: 'sms-dispatch--intake', deliveryCount: 3, deadLetteredAt: '2027-01-15T08:01:00.000Z', payload, originalHeaders: [['Dd-Type', 'SendSms']],
    },
    topo.deadLetterPrefix,
  );
  const dh = headers();
  for (const [k, v] of dl.headers) dh.append(k, v);
  const ack = await js.publish(dl.subject, dl.body, { msgID: dl.msgID, headers: dh });
  return { payload, dlSeq: ack.seq };
}

beforeAll(async () => {
  nc = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, topo.streams);
});

afterAll(async () => {
  for (const s of topo.streams) await jsm.streams.delete(s.name).catch(() => undefined);
  await nc.close();
});

describe('dailydesk deadletter', () => {
  it('lists a dead letter with reason, original subject and deliveries, and re-drives it past the duplicate window', async () => {
    const { payload, dlSeq } = await deadLetterFor('a', 'permanent-failure');
    const list = await cli([...base, 'deadletter', 'list', '--json']);
    expect(list).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ seq: dlSeq, reason: 'permanent-failure', subject: `${ns}.sms.cmd.send-sms`, stream: smsStream, streamSeq: 1, consumer: 'sms-dispatch--intake', deliveryCount: 3, detail: 'handler said no to a' }),
    ]);
    const text = await cli([...base, 'deadletter', 'list']);
    expect(text.out).toContain('permanent-failure');
    expect(text.out).toContain('1 dead letter(s).');

    // The original's msgID (req-a) is still inside the 2-minute window: a re-publish with it would be swallowed.
    const redrive = await cli([...base, 'deadletter', 'redrive', String(dlSeq)]);
    expect(redrive).toMatchObject({ code: 0, err: '' });
    expect(redrive.out).toContain(`→ ${ns}.sms.cmd.send-sms (${smsStream} #2)`);
    const again = await jsm.streams.getMessage(smsStream, { seq: 2 });
    expect(again?.data).toEqual(payload);
    expect(again?.header?.get('Dd-Type')).toBe('SendSms');
    expect(again?.header?.get('Dd-Dlq-Reason')).toBe('');
    expect((await jsm.streams.info(dlStream)).state.messages).toBe(0);

    const gone = await cli([...base, 'deadletter', 'redrive', String(dlSeq)]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain(`#${dlSeq}`);
    expect((await jsm.streams.info(smsStream)).state.messages).toBe(2);
  });

  it('re-drives --all and leaves the stream empty', async () => {
    await deadLetterFor('b', 'max-deliveries');
    await deadLetterFor('c', 'permanent-failure');
    const before = (await jsm.streams.info(smsStream)).state.last_seq;
    const run = await cli([...base, 'deadletter', 'redrive', '--all']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('Re-drove 2 of 2 dead letter(s).');
    expect((await jsm.streams.info(dlStream)).state.messages).toBe(0);
    const ids = [];
    for (const seq of [before + 1, before + 2]) ids.push((JSON.parse(new TextDecoder().decode((await jsm.streams.getMessage(smsStream, { seq }))!.data)) as SendSms).id);
    expect(ids).toEqual(['req-b', 'req-c']);
    expect((await cli([...base, 'deadletter', 'list'])).out).toContain('No dead letters');
  });
});

describe('dailydesk usage errors and unreachable services', () => {
  it('exits 2 on a wrong command line', async () => {
    expect((await cli([...base, 'deadletter', 'redrive'])).code).toBe(2);
    expect((await cli([...base, 'deadletter', 'redrive', '3', '--all'])).code).toBe(2);
    expect((await cli([...base, 'deadletter', 'redrive', 'x1'])).code).toBe(2);
    expect((await cli([...base, 'deadletter', 'list', '--limit', '0'])).code).toBe(2);
    expect((await cli(['nonsense'])).code).toBe(2);
    expect((await cli(['sms', 'send', '--to', '+4915112345678'])).err).toContain("required option '--text <text>'");
    expect((await cli(['message', 'find', '--phone', '12'])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
  });

  it('exits 1 naming the URL when NATS or a service does not answer', async () => {
    const nats = await cli(['--nats-url', 'nats://127.0.0.1:9', 'deadletter', 'list']);
    expect(nats.code).toBe(1);
    expect(nats.err).toContain('NATS does not answer at nats://127.0.0.1:9');
    expect(nats.err).toContain('npm start');
    const http = await cli(['gateway', 'status'], { SMS_DISPATCH_URL: 'http://127.0.0.1:9' });
    expect(http.code).toBe(1);
    expect(http.err).toContain('sms-dispatch does not answer at http://127.0.0.1:9/sms-gateway/status');
    const missing = await cli(['--nats-url', natsUrl, '--namespace', `${ns}x`, 'deadletter', 'list']);
    expect(missing.err).toContain(`stream ${ns.toUpperCase()}X_DEAD_LETTER does not exist`);
  });

  it('the binary exits with the same codes (2 for usage, 0 for help)', () => {
    const bin = path.resolve(__dirname, '../../tools/cli/dailydesk.js');
    const usage = spawnSync(process.execPath, [bin, 'deadletter', 'redrive'], { encoding: 'utf8', env: { ...process.env, DATA_DIR: '/nonexistent' } });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('give a dead letter seq or --all');
    const help = spawnSync(process.execPath, [bin, 'message', 'show', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('prints personal data');
  }, 30_000);
});
