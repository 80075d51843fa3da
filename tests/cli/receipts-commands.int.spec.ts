import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import type { EnvelopeBase } from '@dailydesk/contracts';
import { databaseUrl, eventually } from '@dailydesk/testing';
import { loadConfig } from '../../services/receipts/src/config';
import { startReceipts, type RunningReceipts } from '../../services/receipts/src/receipts.app';
import { cli } from './cli-io';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const tag = randomBytes(4).toString('hex');
const prefix = `t_${tag}_`;
const schema = `${prefix}receipts`;
const ns = `clr${tag}`;
const token = `tok-${randomBytes(12).toString('hex')}`;
const PHONE = '+4915112345678';

let svc: RunningReceipts;
let pg: Client;
let base: string[];

const envelope = (id: string, type: string, data: unknown): EnvelopeBase =>
  ({ id, type, v: 1, occurredAt: '2027-01-15T08:00:00.000Z', businessId: 'biz-cli', correlationId: `c-${id}`, causationId: null, data }) as EnvelopeBase;
const publish = (m: EnvelopeBase) => jetstream(svc.nc).publish(svc.topology.subjectOf(m.type), JSON.stringify(m), { msgID: m.id });

beforeAll(async () => {
  svc = await startReceipts(
    loadConfig({ DATABASE_URL: databaseUrl(), NATS_URL: natsUrl, NATS_NAMESPACE: ns, PORT: '0', LOG_LEVEL: 'silent', RECEIPTS_WEBHOOK_TOKEN: token, RECEIPTS_RECONCILE_INTERVAL_MS: '0' }),
    { schemaPrefix: prefix },
  );
  pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  base = ['--nats-url', natsUrl, '--namespace', ns, '--receipts-url', svc.url];
  // A national number typed by staff (read with DE), and the dispatcher's SmsSent with the E.164 form.
  await publish(envelope('req-m1', 'SendSms', { messageId: 'sms:m1', recipient: { phone: '0151 12345678', defaultRegion: 'DE' }, text: 'See you tomorrow', purpose: 'test', refs: {} }));
  await publish(envelope('sent-m1', 'SmsSent', { messageId: 'sms:m1', purpose: 'test', refs: {}, tid: 4711, port: '1.01', to: PHONE, segments: 1, encoding: 'GSM-7', sentAt: '2027-01-15T08:00:01.000Z' }));
  await publish(envelope('req-m2', 'SendSms', { messageId: 'sms:m2', recipient: { phone: '+4915199999999', defaultRegion: 'DE' }, text: 'other', purpose: 'test', refs: {} }));
  await eventually(async () => {
    const r = await pg.query(`SELECT status FROM "${schema}".messages WHERE message_id = 'sms:m1'`);
    expect(r.rows[0]?.status).toBe('sent');
  }, { timeoutMs: 15_000 });
}, 45_000);

afterAll(async () => {
  if (svc) {
    await svc.close();
    const nc = await connect({ servers: natsUrl });
    const jsm = await jetstreamManager(nc);
    for (const s of svc.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await nc.close();
  }
  if (pg) {
    for (const s of [schema, `${schema}_events`, `${schema}_g1`, `${schema}_g2`, `${schema}_g3`]) await pg.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pg.query(`DROP ROLE IF EXISTS "${schema}_analyst"`);
    await pg.end();
  }
});

describe('dailydesk message', () => {
  it('shows a message with its NATS events and receipts status, phone and text masked', async () => {
    const run = await cli([...base, 'message', 'show', 'sms:m1']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('status (receipts)  sent');
    expect(run.out).toMatch(/SendSms .*to \*+678 \(DE\)/);
    expect(run.out).toMatch(/SmsSent .*tid 4711, port 1\.01/);
    expect(run.out).not.toContain('12345678');
    expect(run.out).not.toContain('See you tomorrow');
    const json = await cli([...base, 'message', 'show', 'sms:m1', '--json']);
    expect(json.out).not.toContain('12345678');
    expect(JSON.parse(json.out)).toMatchObject({ messageId: 'sms:m1', phone: '***********678', row: { status: 'sent', tid: 4711 } });
  });

  it('prints the number and text only with --unmask', async () => {
    const run = await cli([...base, 'message', 'show', 'sms:m1', '--unmask']);
    expect(run.out).toContain(PHONE);
    expect(run.out).toContain('0151 12345678');
    expect(run.out).toContain('See you tomorrow');
  });

  it('finds the messages to a number however it is typed, and only those', async () => {
    const run = await cli([...base, 'message', 'find', '--phone', '0151-123 456 78']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('Message sms:m1');
    expect(run.out).not.toContain('sms:m2');
    expect(run.out).toContain('1 message(s) to ***********678.');
    expect(run.out).not.toContain('12345678');
  });

  it('fails with exit 1 for an unknown message id', async () => {
    const run = await cli([...base, 'message', 'show', 'sms:nope']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('no message sms:nope');
  });
});

describe('dailydesk quarantine and projections', () => {
  it('lists a callback receipts refused', async () => {
    const res = await fetch(`${svc.url}/sms-gateway/handle-serverless?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
    await eventually(async () => {
      const run = await cli([...base, 'quarantine', 'list', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toHaveLength(1);
    }, { timeoutMs: 10_000 });
    expect((await cli([...base, 'quarantine', 'list'])).out).toContain('1 quarantined callback(s).');
  });

  it('rebuilds the projections and waits until the new generation serves the same rows', async () => {
    const before = (await (await fetch(`${svc.url}/receipts/projections/status`)).json()) as { generation: number };
    const run = await cli([...base, 'projections', 'rebuild', '--timeout', '30']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Projections rebuilt: generation ${before.generation + 1} serves now`);
    expect((await cli([...base, 'message', 'show', 'sms:m1'])).out).toContain('status (receipts)  sent');
  });
});
