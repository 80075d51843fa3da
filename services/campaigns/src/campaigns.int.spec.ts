import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { BusinessUpserted, CustomerOptedOut, CustomerUpserted, SchedulerTicked, SendSms } from '@dailydesk/contracts';
import type { RunningService } from '@dailydesk/service-kit';
import { databaseUrl, eventually, natsUrl } from '@dailydesk/testing';
import { Client } from 'pg';
import { startCampaigns } from './campaigns.app';
import { loadConfig } from './config';
import type { RunHooks } from './run/run.executor';

const tag = randomBytes(4).toString('hex');
const namespace = `cmp${tag}`;
const schemaPrefix = `t_${tag}_`;
const tables = `"${schemaPrefix}campaigns"`;
const eventsTable = `"${schemaPrefix}campaigns_events".events`;
const config = loadConfig({ NATS_URL: natsUrl(), DATABASE_URL: databaseUrl(), NATS_NAMESPACE: namespace, PORT: '0', LOG_LEVEL: 'silent', CAMPAIGN_BATCH_SIZE: '100' });
const now = new Date('2026-03-01T08:00:00Z');
const start = (hooks?: RunHooks) => startCampaigns(config, { schemaPrefix, clock: () => now, ...(hooks ? { hooks } : {}) });

let service: RunningService;
let seq = 0;
const envelope = <T>(type: string, businessId: string | null, data: unknown, occurredAt = '2026-02-20T10:00:00Z'): T =>
  ({ id: `${type}-${++seq}`, type, v: 1, occurredAt, businessId, correlationId: `c-${seq}`, causationId: null, data }) as T;

async function publish(message: { id: string; type: string }): Promise<void> {
  await jetstream(service.nc).publish(service.topology.subjectOf(message.type), JSON.stringify(message), { msgID: message.id });
}

type Json = Record<string, unknown> & { message?: string; audienceSize?: number; status?: string };

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Every SendSms on the namespace's SMS stream, as published by the relay. */
async function sendSmsOnNats(): Promise<SendSms[]> {
  const jsm = await jetstreamManager(service.nc);
  const stream = service.topology.streams.find((s) => s.name.endsWith('_SMS'))!.name;
  const n = (await jsm.streams.info(stream)).state.messages;
  const out: SendSms[] = [];
  for (let i = 1; i <= n; i++) out.push((await jsm.streams.getMessage(stream, { seq: i }))!.json<SendSms>());
  return out;
}

const tick = (id: string, slotAt: string): SchedulerTicked =>
  ({ ...envelope<SchedulerTicked>('SchedulerTicked', null, { schedule: 'campaigns', slotAt, previousSlotAt: null, periodSeconds: 900, caughtUp: false, missedSlots: 0, trigger: 'clock' }), id });

const customer = (businessId: string, customerId: string, phone: string | null, consent: boolean, tags: string[] = ['vip']) =>
  envelope<CustomerUpserted>('CustomerUpserted', businessId, { customerId, firstName: `F${customerId}`, phone, marketingConsent: consent, tags, lastVisitAt: '2026-01-15T10:00:00+01:00' });

beforeAll(async () => {
  service = await start();
});

afterAll(async () => {
  await service?.close();
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: natsUrl() });
  const jsm = await jetstreamManager(nc);
  for (const s of (service?.topology.streams ?? [])) await jsm.streams.delete(s.name).catch(() => undefined);
  await nc.close();
  const pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schemaPrefix}campaigns_events" CASCADE; DROP SCHEMA IF EXISTS ${tables} CASCADE`);
  await pg.end();
});

describe('campaigns service', () => {
  it('texts exactly the consenting, not opted-out customers with a mobile number, once, even when the tick comes twice', async () => {
    await publish(envelope<BusinessUpserted>('BusinessUpserted', 'biz-1', { name: 'Salon Nord', timeZone: 'Europe/Berlin', country: 'DE' }));
    await publish(customer('biz-1', 'c1', '0171 1111111', true));
    await publish(customer('biz-1', 'c2', '0171 2222222', false)); // no consent
    await publish(customer('biz-1', 'c3', '0171 3333333', true)); // opts out below
    await publish(customer('biz-1', 'c4', '030 1234567', true)); // landline
    await publish(customer('biz-1', 'c5', null, true)); // no phone
    await publish(customer('biz-1', 'c6', '+49 160 6666666', true));
    await publish(customer('biz-1', 'c7', '0171 7777777', true, ['new'])); // not in the audience's tags
    await publish(envelope<CustomerOptedOut>('CustomerOptedOut', null, { phone: '+491713333333', keyword: 'STOP', via: 'sms-reply', at: '2026-02-21T10:00:00Z' }));

    const bad = await http('POST', '/campaigns', { businessId: 'biz-1', name: 'x', template: 'Hi {{nickname}}', sendTime: '10:00', schedule: { kind: 'ONE_TIME', date: '2026-03-01' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/template: unknown placeholder \{\{nickname\}\}/);

    await eventually(async () => expect((await http('GET', '/health/ready')).status).toBe(200), { timeoutMs: 5000 });
    const definition = { name: 'Spring', template: 'Hi {{firstName}}, spring offers at {{businessName}}!', sendTime: '10:00', audience: { tagsAny: ['vip'] } };
    const created = await eventually(async () => {
      const r = await http('POST', '/campaigns', { campaignId: 'spring', businessId: 'biz-1', ...definition, schedule: { kind: 'ONE_TIME', date: '2026-03-01' } });
      expect(r.status).toBe(201); // 409 until BusinessUpserted is consumed
      return r;
    }, { timeoutMs: 10_000 });
    expect(created.json).toMatchObject({ status: 'draft', nextCampaignDate: { at: '2026-03-01T09:00:00Z', scheduled: false }, resultsUrl: 'http://127.0.0.1:3005/receipts/campaigns/spring/summary' });

    const preview = await eventually(async () => {
      const p = await http('POST', '/campaigns/spring/preview', {});
      expect(p.json.audienceSize).toBe(2);
      return p;
    }, { timeoutMs: 10_000 });
    expect(preview.json).toMatchObject({ sampleCustomerId: 'c1', text: 'Hi Fc1, spring offers at Salon Nord!', encoding: 'GSM-7', segments: 1 });

    const active = await http('POST', '/campaigns/spring/activate');
    expect(active.status).toBe(200);
    expect(active.json).toMatchObject({ status: 'active', nextCampaignDate: { at: '2026-03-01T09:00:00Z', date: '2026-03-01', scheduled: true } });

    await publish(tick('tick-early', '2026-03-01T08:45:00Z')); // before 10:00 Berlin: nothing
    await publish(tick('tick-a', '2026-03-01T09:00:00Z'));
    await publish(tick('tick-b', '2026-03-01T09:00:00Z')); // the same slot again (e.g. POST /crons/campaigns)

    await eventually(async () => expect((await http('GET', '/campaigns/spring')).json.status).toBe('completed'), { timeoutMs: 15_000 });
    const sms = await eventually(async () => {
      const all = (await sendSmsOnNats()).filter((m) => m.data.refs.campaignId === 'spring');
      expect(all).toHaveLength(2);
      return all;
    }, { timeoutMs: 10_000 });
    expect(sms.map((m) => m.data.refs.customerId).sort()).toEqual(['c1', 'c6']);
    expect(sms.map((m) => m.data.recipient.phone).sort()).toEqual(['+491606666666', '+491711111111']);
    expect(sms[0]!.data).toMatchObject({ purpose: 'campaign', priority: 'bulk', refs: { campaignRunId: 'spring.2026-03-01' } });
    const view = (await http('GET', '/campaigns/spring')).json;
    expect(view).toMatchObject({ nextCampaignDate: null, lastRun: { runId: 'spring.2026-03-01', requested: 2 }, runsCompleted: 1 });
    const runs = await service.database.query(`SELECT count(*)::int AS n FROM ${eventsTable} WHERE type = 'CampaignRunStarted'`);
    expect(runs[0]).toEqual({ n: 1 });
  });

  it('a run interrupted after a durable batch resumes on restart with no duplicate and no missing SendSms', async () => {
    const n = 950;
    const ids = Array.from({ length: n }, (_, i) => `k${String(i).padStart(5, '0')}`);
    await service.database.query(`INSERT INTO ${tables}.businesses VALUES ('biz-2', 'Studio', 'Europe/Berlin', 'DE', now())`);
    await service.database.query(
      `INSERT INTO ${tables}.customers (business_id, customer_id, first_name, phone_raw, phone_region, phone_e164, mobile, marketing_consent, occurred_at)
       SELECT 'biz-2', id, 'Kim', '+4917' || lpad(ord::text, 8, '0'), 'DE', '+4917' || lpad(ord::text, 8, '0'), true, true, now()
       FROM unnest($1::text[]) WITH ORDINALITY AS u(id, ord)`,
      [ids],
    );
    const def = { campaignId: 'big', businessId: 'biz-2', name: 'Big', template: 'Hello {{firstName}}', sendTime: '09:30', schedule: { kind: 'ONE_TIME', date: '2026-03-01' } };
    expect((await http('POST', '/campaigns', def)).status).toBe(201);
    expect((await http('POST', '/campaigns/big/activate')).status).toBe(200);

    // Restart with a hook that fails once between batch 4's durable SendSms and its checkpoint.
    await service.close();
    let failed = false;
    service = await start({
      afterBatchAppended: (_runId, batch) => {
        if (batch === 4 && !failed) {
          failed = true;
          throw new Error('simulated crash');
        }
      },
    });
    await publish(tick('tick-big', '2026-03-01T08:30:00Z'));
    await eventually(() => expect(failed).toBe(true), { timeoutMs: 10_000 });
    const countSendSms = async () =>
      (await service.database.query<{ n: number; d: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT data->>'messageId')::int AS d FROM ${eventsTable} WHERE type = 'SendSms' AND data->'refs'->>'campaignId' = 'big'`,
      ))[0]!;
    expect(await countSendSms()).toEqual({ n: 400, d: 400 });
    expect((await http('GET', '/campaigns/big')).json.status).toBe('active');

    await service.close();
    service = await start();
    await eventually(async () => expect((await http('GET', '/campaigns/big')).json).toMatchObject({ status: 'completed', lastRun: { requested: n } }), { timeoutMs: 20_000 });
    expect(await countSendSms()).toEqual({ n, d: n });
    const progress = await service.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${eventsTable} WHERE type = 'CampaignRunProgressed' AND data->>'runId' = 'big.2026-03-01'`);
    expect(progress[0]!.n).toBe(10);
    await eventually(async () => {
      const published = (await sendSmsOnNats()).filter((m) => m.data.refs.campaignId === 'big');
      expect(new Set(published.map((m) => m.id)).size).toBe(n);
      expect(published).toHaveLength(n);
    }, { timeoutMs: 20_000 });
  });
});
