import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { RunningService } from '@dailydesk/service-kit';
import { databaseUrl, eventually, natsUrl } from '@dailydesk/testing';
import { startCampaigns } from '../campaigns.app';
import { loadConfig } from '../config';

// A business and its first customer arrive together: two consumers race. Every customer with a readable number
// must end up with it read in the business's country (the race once left ~1 in 7 unreachable by every campaign).
describe('audience: customers arriving with their business', () => {
  const tag = randomBytes(4).toString('hex');
  const prefix = `t_${tag}_`;
  let svc: RunningService;

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: databaseUrl(), NATS_URL: natsUrl(), NATS_NAMESPACE: `race${tag}`, PORT: '0', LOG_LEVEL: 'silent' });
    svc = await startCampaigns(config, { schemaPrefix: prefix });
  });

  afterAll(async () => {
    if (!svc) return;
    await svc.database.exec(`DROP SCHEMA IF EXISTS "${prefix}campaigns" CASCADE; DROP SCHEMA IF EXISTS "${prefix}campaigns_events" CASCADE`);
    const jsm = await jetstreamManager(svc.nc);
    for (const s of svc.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await svc.close();
  });

  it('reads every number in the business country, whichever event is handled first', async () => {
    const js = jetstream(svc.nc);
    const at = new Date().toISOString();
    const env = (type: string, id: string, businessId: string, data: unknown) =>
      JSON.stringify({ id, type, v: 1, occurredAt: at, businessId, correlationId: id, causationId: null, data });
    const n = 150;
    for (let i = 0; i < n; i++) {
      const b = `biz-${i}`;
      await js.publish(svc.topology.subjectOf('BusinessUpserted'), env('BusinessUpserted', `b-${tag}-${i}`, b, { name: 'Salon', timeZone: 'Europe/Berlin', country: 'DE', address: 'x' }), { msgID: `b-${tag}-${i}` });
      await js.publish(
        svc.topology.subjectOf('CustomerUpserted'),
        env('CustomerUpserted', `c-${tag}-${i}`, b, { customerId: `cus-${i}`, firstName: 'A', phone: '0151 20000001', marketingConsent: true, consentedAt: at, tags: [], lastVisitAt: null, servicesHad: [] }),
        { msgID: `c-${tag}-${i}` },
      );
    }
    const count = async () =>
      (await svc.database.query<{ n: number; unread: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE phone_e164 IS NULL)::int AS unread FROM "${prefix}campaigns".customers`,
      ))[0]!;
    await eventually(async () => expect((await count()).n).toBe(n), { timeoutMs: 20_000 });
    await eventually(async () => expect(await count()).toEqual({ n, unread: 0 }), { timeoutMs: 5_000 });
  });
});
