import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import type { EnvelopeBase, SendSms, SmsSent } from '@dailydesk/contracts';
import { SkylineClient, startSimulator, type Simulator } from '@dailydesk/skyline';
import { databaseUrl, eventually } from '@dailydesk/testing';
import { loadConfig } from './config';
import { startReceipts, type RunningReceipts } from './receipts.app';
import { contentHash } from './webhook/webhook.events';
import { WEBHOOK_PATH } from './webhook/webhook.routes';

const tag = randomBytes(4).toString('hex');
const prefix = `t_${tag}_`;
const schema = `${prefix}receipts`;
const token = `tok-${randomBytes(12).toString('hex')}`;
const T0 = Math.floor(Date.parse('2027-01-15T08:00:00Z') / 1000);

let svc: RunningReceipts;
let sim: Simulator;
let gateway: SkylineClient;
let pg: Client;
let hook: string;

const post = (body: string | object, url = hook) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const row = async (id: string) => (await pg.query(`SELECT * FROM "${schema}".messages WHERE message_id = $1`, [id])).rows[0] as Record<string, unknown> | undefined;
const stored = async (body: object) => (await svc.store.readStream(`gateway-callbacks-${contentHash(JSON.stringify(body))}`)).events.length;

async function publish(m: EnvelopeBase): Promise<void> {
  await jetstream(svc.nc).publish(svc.topology.subjectOf(m.type), JSON.stringify(m), { msgID: m.id });
}
const envelope = (id: string, type: string, at: string, data: unknown): EnvelopeBase =>
  ({ id, type, v: 1, occurredAt: at, businessId: 'biz-1', correlationId: `c-${id}`, causationId: null, data }) as EnvelopeBase;
const request = (n: string, to: string) =>
  envelope(`req-${n}`, 'SendSms', '2027-01-15T07:59:00Z', {
    messageId: n, recipient: { phone: to, defaultRegion: 'US' }, text: 'Your visit is tomorrow', purpose: 'campaign',
    refs: { campaignId: 'camp-1', campaignRunId: 'run-1', customerId: `cus-${n}` },
  }) as SendSms;
const sent = (n: string, tid: number, to: string, atS = T0, port = '1.01') =>
  envelope(`sent-${n}`, 'SmsSent', new Date(atS * 1000).toISOString(), {
    messageId: n, purpose: 'campaign', refs: { campaignId: 'camp-1', campaignRunId: 'run-1' }, tid, port, to, segments: 1, encoding: 'GSM-7',
    sentAt: new Date(atS * 1000).toISOString(),
  }) as SmsSent;

beforeAll(async () => {
  svc = await startReceipts(
    loadConfig({ DATABASE_URL: databaseUrl(), NATS_NAMESPACE: `rc${tag}`, PORT: '0', LOG_LEVEL: 'silent', RECEIPTS_WEBHOOK_TOKEN: token, RECEIPTS_BODY_LIMIT: '65536', RECEIPTS_PIPELINE: 'worker' }),
    { schemaPrefix: prefix },
  );
  hook = `${svc.url}${WEBHOOK_PATH}?token=${token}`;
  sim = await startSimulator({ port: 0, seed: 3, ports: 2, sendTimeMs: 0, dlrDelayMs: 300, srUrl: hook, smsUrl: hook, startEpochMs: T0 * 1000 });
  gateway = new SkylineClient({ baseUrl: sim.url, username: 'root', password: 'root', reports: { srUrl: hook, smsUrl: hook } });
  pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  if (svc) {
    await svc.close();
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    for (const s of svc.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await nc.close();
  }
  if (pg) {
    for (const s of [schema, `${schema}_events`, `${schema}_g1`, `${schema}_g2`]) await pg.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pg.query(`DROP ROLE IF EXISTS "${schema}_analyst"`);
    await pg.end();
  }
});

describe('receipts service', () => {
  it('follows a message requested → sent → transmitted → delivered from the simulator, and a late status report leaves it delivered', async () => {
    await publish(request('m1', '+15551230001'));
    await publish(sent('m1', 1001, '+15551230001'));
    await eventually(async () => expect((await row('m1'))?.['status']).toBe('sent'), { timeoutMs: 10_000 });
    const [accepted] = await gateway.sendSms([{ tid: 1001, to: '15551230001', sms: 'Your visit is tomorrow', from: '1.01', sdr: true, dr: true, srCnt: 1 }]);
    expect(accepted?.status).toBe('accepted');
    await sim.control.settle();
    await eventually(async () => expect(await row('m1')).toMatchObject({ status: 'delivered', port: '1.01', tid: 1001, recipient_masked: expect.not.stringContaining('555123') }), { timeoutMs: 10_000 });
    const r = (await row('m1'))!;
    expect(r['requested_at']).not.toBeNull();
    expect(r['transmitted_at']).not.toBeNull();
    expect(r['delivered_at']).not.toBeNull();
    const lateReport = { type: 'status-report', rpts: [{ tid: 1001, failed: 1, fdr: [[0, '15551230001', '1.01', T0 + 99, '2 Send Failed', '41 Temporary failure']] }] };
    const late = await post(lateReport);
    expect(late.status).toBe(200);
    const latePosition = (await svc.store.readStream(`gateway-callbacks-${contentHash(JSON.stringify(lateReport))}`)).events[0]!.globalPosition;
    const checkpoint = async (sql: string) => Number((await pg.query(sql)).rows[0]?.position ?? 0);
    await eventually(async () => expect(await checkpoint(`SELECT position FROM "${schema}".checkpoints WHERE name = 'receipts-processor'`)).toBeGreaterThanOrEqual(latePosition), { timeoutMs: 10_000 });
    // The processor saves its checkpoint only after projecting what the batch derived: past the late report, a
    // receipt it derived from it would be in the row by now.
    expect((await row('m1'))?.['status']).toBe('delivered');
  });

  it('stores a duplicate callback once, keeps a report for an unknown tid and matches it when the SmsSent arrives', async () => {
    const report = { type: 'status-report', rpt_num: 1, rpts: [{ tid: 2002, sent: 1, sdr: [[0, '15551230002', '1.02', T0 + 5]] }] };
    expect((await post(report)).status).toBe(200);
    expect((await post(report)).status).toBe(200);
    expect(await stored(report)).toBe(1);
    const dlr = { type: 'recv-sms', sms_num: 1, sms: [[1, '1.02', T0 + 9, '8613800100500', '15551230002', '0 270115080009A8']] };
    expect((await post(dlr)).status).toBe(200);
    await publish(sent('m2', 2002, '+15551230002', T0, '1.02'));
    await eventually(async () => expect(await row('m2')).toMatchObject({ status: 'delivered', failure_reason: null }), { timeoutMs: 10_000 });
    expect((await row('m2'))?.['transmitted_at']).not.toBeNull();
  });

  it('answers 401 to a wrong or missing token and stores nothing', async () => {
    const body = { type: 'status-report', rpts: [{ tid: 9, sent: 1 }] };
    expect((await post(body, `${svc.url}${WEBHOOK_PATH}?token=wrong-${token}`)).status).toBe(401);
    expect((await post(body, `${svc.url}${WEBHOOK_PATH}`)).status).toBe(401);
    expect(await stored(body)).toBe(0);
    expect((await svc.store.readStream(`gateway-quarantine-${contentHash(JSON.stringify(body))}`)).events).toHaveLength(0);
    expect((await post(body, `${svc.url}${WEBHOOK_PATH}/${token}`)).status).toBe(200);
    expect(await stored(body)).toBe(1);
  });

  it('answers 400 with the reason to a malformed body and quarantines it; keeps an unknown type', async () => {
    const bad = await post('{"type":"status-report","rpts": [ {');
    expect(bad.status).toBe(400);
    expect((await bad.json()) as { reason: string }).toMatchObject({ reason: expect.stringMatching(/not JSON/) });
    const invalid = await post({ type: 'status-report', rpts: 'nope' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { reason: string }).reason).toMatch(/rpts/);
    await eventually(async () => {
      const q = (await (await fetch(`${svc.url}/receipts/quarantine`)).json()) as Array<{ reason: string }>;
      expect(q.map((x) => x.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/not JSON/), expect.stringMatching(/rpts/)]));
    });
    expect((await post({ type: 'sms-sent-status', data: [1] })).status).toBe(200);
    expect((await svc.store.readStream(`gateway-callbacks-${contentHash(JSON.stringify({ type: 'sms-sent-status', data: [1] }))}`)).events[0]?.event.data).toMatchObject({ kind: 'unknown', type: 'sms-sent-status' });
  });

  it('turns STOP into CustomerOptedOut (published) and other replies into InboundSmsReceived tied to the business', async () => {
    await sim.control.injectInbound({ port: 1, from: '15551230001', text: ' Stop ' });
    await sim.control.injectInbound({ port: 1, from: '15551230001', text: 'thanks!' });
    const jsm = await jetstreamManager(svc.nc);
    const stream = svc.topology.streams.find((s) => s.subjects.some((x) => x.includes('receipts')))!.name;
    const out = await eventually(async () => (await jsm.streams.getMessage(stream, { last_by_subj: svc.topology.subjectOf('CustomerOptedOut') }))!.json<EnvelopeBase>(), { timeoutMs: 10_000 });
    expect(out).toMatchObject({ type: 'CustomerOptedOut', businessId: null, data: { phone: '+15551230001', keyword: 'STOP', via: 'sms-reply' } });
    const reply = await eventually(async () => (await jsm.streams.getMessage(stream, { last_by_subj: svc.topology.subjectOf('InboundSmsReceived') }))!.json<EnvelopeBase>(), { timeoutMs: 10_000 });
    expect(reply).toMatchObject({ businessId: 'biz-1', data: { text: 'thanks!' } });
  });

  it('lists with filters and as CSV, and summarises a campaign', async () => {
    const list = (await (await fetch(`${svc.url}/receipts/messages?campaignId=camp-1&status=delivered&limit=1`)).json()) as { items: Array<{ message_id: string }>; nextOffset: number | null };
    expect(list.items).toHaveLength(1);
    expect(list.nextOffset).toBe(1);
    const csv = await (await fetch(`${svc.url}/receipts/messages?businessId=biz-1`, { headers: { accept: 'text/csv' } })).text();
    expect(csv.split('\r\n')[0]).toMatch(/^message_id,business_id,purpose/);
    expect(csv).toMatch(/\r\nm1,biz-1,campaign,/);
    const funnel = (await (await fetch(`${svc.url}/receipts/campaigns/camp-1/summary`)).json()) as Record<string, unknown>;
    expect(funnel).toMatchObject({ campaign_id: 'camp-1', delivered: 2 });
  });

  it('a rebuild replays the store into fresh tables with the same rows as live processing', async () => {
    const snapshot = async () =>
      (await pg.query(`SELECT * FROM "${schema}".messages ORDER BY message_id`)).rows.map(({ projected_at: _p, ...r }: Record<string, unknown>) => r);
    const live = await snapshot();
    expect(live.length).toBeGreaterThanOrEqual(2);
    const started = await fetch(`${svc.url}/receipts/projections/rebuild`, { method: 'POST' });
    expect(started.status).toBe(202);
    await eventually(async () => expect(await (await fetch(`${svc.url}/receipts/projections/status`)).json()).toEqual({ generation: 2, rebuilding: false }), { timeoutMs: 15_000 });
    expect(await snapshot()).toEqual(live);
    const consent = await pg.query(`SELECT action, keyword FROM "${schema}".opt_outs`);
    expect(consent.rows).toEqual([{ action: 'opt-out', keyword: 'STOP' }]);
  });

  it('three texts to one number from one port in the same second each get their own delivery report', async () => {
    // Campaign + confirmation texts to one customer leave the same (sticky) port within a second; their delivery
    // reports are then byte-identical rows (same port, second, number, code and SCTS), each its own recv-sms push.
    const to = '+15551230003';
    const ids = ['m3a', 'm3b', 'm3c'];
    for (const [i, id] of ids.entries()) {
      await publish(request(id, to));
      await publish(sent(id, 3001 + i, to, T0, '2.01'));
    }
    await eventually(async () => expect((await row('m3c'))?.['status']).toBe('sent'), { timeoutMs: 10_000 });
    for (const [i] of ids.entries()) {
      const [accepted] = await gateway.sendSms([{ tid: 3001 + i, to: '15551230003', sms: `Text ${i}`, from: '2.01', sdr: true, dr: true, srCnt: 1 }]);
      expect(accepted?.status).toBe('accepted');
    }
    await sim.control.settle();
    const dlrs = () => sim.control.callbacks().filter((c) => c.kind === 'recv-sms' && c.status === 200 && JSON.stringify(c.body).includes('15551230003'));
    await eventually(async () => expect(dlrs()).toHaveLength(3), { timeoutMs: 10_000 });
    // One after the other: one pg Client runs one query at a time (queued queries are deprecated in pg 8, gone in 9).
    const statuses = async () => {
      const out: unknown[] = [];
      for (const id of ids) out.push((await row(id))?.['status']);
      return out;
    };
    await eventually(async () => expect(await statuses()).toEqual(['delivered', 'delivered', 'delivered']), { timeoutMs: 10_000 });
  });
});
