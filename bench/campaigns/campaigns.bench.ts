// Benchmark (not a test): one campaign run over RECIPIENTS customers (default 100,000), measured from the tick
// to every SendSms durable in the event store and to every SendSms published on NATS, with the process's peak RSS.
// Raw baselines in the same run: batched INSERT of the same number of jsonb rows, JetStream publish 256 in flight.
// Run: node -r @swc-node/register bench/campaigns/campaigns.bench.ts   (env DATABASE_URL, NATS_URL, RECIPIENTS, CAMPAIGN_BATCH_SIZE)
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { startCampaigns } from '../../services/campaigns/src/campaigns.app';
import { loadConfig } from '../../services/campaigns/src/config';

const N = Number(process.env.RECIPIENTS ?? 100_000);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const tag = randomBytes(4).toString('hex');
const namespace = `bench${tag}`;
const prefix = `bench_${tag}_`;

let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 20);
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rawInsertBaseline(pg: Client): Promise<number> {
  await pg.query(`CREATE TABLE "${prefix}raw" (id text PRIMARY KEY, data jsonb NOT NULL)`);
  const payload = JSON.stringify({ text: 'Hello Kim, spring offers at Studio Nord!', recipient: { phone: '+4917000000000', defaultRegion: 'DE' }, refs: { campaignId: 'bench' } });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const ids = Array.from({ length: Math.min(1000, N - i) }, (_, k) => `raw-${i + k}`);
    await pg.query(`INSERT INTO "${prefix}raw" SELECT id, $2::jsonb FROM unnest($1::text[]) AS id`, [ids, payload]);
  }
  return performance.now() - t0;
}

async function rawJetStreamBaseline(): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const stream = `BENCH_RAW_${tag.toUpperCase()}`;
  await jsm.streams.add({ name: stream, subjects: [`${namespace}raw.>`] });
  const js = jetstream(nc);
  const body = JSON.stringify({ id: 'x', type: 'SendSms', data: { text: 'Hello Kim, spring offers at Studio Nord!', pad: 'x'.repeat(300) } });
  const t0 = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < N; i++) {
    const p = js.publish(`${namespace}raw.sms`, body, { msgID: `raw-${i}` }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - t0;
  await jsm.streams.delete(stream);
  await nc.close();
  return ms;
}

async function main(): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const config = loadConfig({ DATABASE_URL: databaseUrl, NATS_URL: natsUrl, NATS_NAMESPACE: namespace, PORT: '0', LOG_LEVEL: 'warn', CAMPAIGN_BATCH_SIZE: process.env.CAMPAIGN_BATCH_SIZE });
  const clock = () => new Date('2026-03-01T07:00:00Z');
  const service = await startCampaigns(config, { schemaPrefix: prefix, clock });
  try {
    const t = `"${prefix}campaigns"`;
    await pg.query(`INSERT INTO ${t}.businesses VALUES ('biz-b', 'Studio Nord', 'Europe/Berlin', 'DE', now())`);
    await pg.query(
      `INSERT INTO ${t}.customers (business_id, customer_id, first_name, phone_raw, phone_region, phone_e164, mobile, marketing_consent, tags, occurred_at)
       SELECT 'biz-b', 'cus-' || lpad(g::text, 7, '0'), 'Kim', '+4917' || lpad(g::text, 9, '0'), 'DE', '+4917' || lpad(g::text, 9, '0'), true, true, '{vip}', now()
       FROM generate_series(1, $1) AS g`,
      [N],
    );
    await pg.query(`ANALYZE ${t}.customers`);
    const post = async (path: string, body?: unknown) => {
      const r = await fetch(`${service.url}${path}`, { method: 'POST', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    };
    await post('/campaigns', { campaignId: 'bench', businessId: 'biz-b', name: 'Bench', template: 'Hello {{firstName}}, spring offers at {{businessName}}!', sendTime: '09:00', audience: { tagsAny: ['vip'] }, schedule: { kind: 'ONE_TIME', date: '2026-03-01' } });
    await post('/campaigns/bench/activate');
    const rssBefore = process.memoryUsage().rss;
    peakRss = 0;

    const js = jetstream(service.nc);
    const jsm = await jetstreamManager(service.nc);
    const smsStream = service.topology.streams.find((s) => s.name.endsWith('_SMS'))!.name;
    const tick = { id: 'bench-tick', type: 'SchedulerTicked', v: 1, occurredAt: '2026-03-01T08:00:00Z', businessId: null, correlationId: 'bench-tick', causationId: null, data: { schedule: 'campaigns', slotAt: '2026-03-01T08:00:00Z', previousSlotAt: null, periodSeconds: 900, caughtUp: false, missedSlots: 0, trigger: 'clock' } };
    const t0 = performance.now();
    await js.publish(service.topology.subjectOf('SchedulerTicked'), JSON.stringify(tick), { msgID: tick.id });
    let durableMs = 0;
    let publishedMs = 0;
    for (const deadline = t0 + 300_000; performance.now() < deadline && !publishedMs; await sleep(50)) {
      if (!durableMs) {
        const [row] = (await pg.query(`SELECT count(*)::int AS n FROM "${prefix}campaigns_events".events WHERE type = 'SendSms'`)).rows as Array<{ n: number }>;
        if (row!.n >= N) durableMs = performance.now() - t0;
      }
      if ((await jsm.streams.info(smsStream)).state.messages >= N) publishedMs = performance.now() - t0;
    }
    const rssRun = peakRss;
    const insertMs = await rawInsertBaseline(pg);
    const jsMs = await rawJetStreamBaseline();
    const rate = (ms: number) => (ms ? `${Math.round(N / (ms / 1000)).toLocaleString('en')}/s` : 'timeout');
    const rows = [
      ['tick → all SendSms durable in the store', durableMs, `${(durableMs / insertMs).toFixed(2)} × raw INSERT`],
      ['tick → all SendSms published on NATS', publishedMs, `${(publishedMs / jsMs).toFixed(2)} × raw JetStream publish`],
      ['raw batched INSERT (1000 rows/statement, jsonb)', insertMs, '1.00'],
      ['raw JetStream publish (256 in flight)', jsMs, '1.00'],
    ] as const;
    process.stdout.write(`\ncampaign run of ${N.toLocaleString('en')} recipients (batch ${config.batchSize}), Node ${process.version}\n\n`);
    process.stdout.write('| measure | time | rate | ratio |\n|---|---|---|---|\n');
    for (const [name, ms, ratio] of rows) process.stdout.write(`| ${name} | ${ms ? `${(ms / 1000).toFixed(2)} s` : 'timeout'} | ${rate(ms)} | ${ratio} |\n`);
    process.stdout.write(`\npeak RSS during the run: ${mb(rssRun)} (before the tick: ${mb(rssBefore)}; peak heap used ${mb(peakHeap)}); targets: durable < 15 s, RSS < 400 MB\n`);
  } finally {
    clearInterval(sampler);
    await service.close();
    const nc = await connect({ servers: natsUrl });
    const jsm = await jetstreamManager(nc);
    for (const s of service.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
    await nc.close();
    await pg.query(`DROP SCHEMA IF EXISTS "${prefix}campaigns_events" CASCADE; DROP SCHEMA IF EXISTS "${prefix}campaigns" CASCADE; DROP TABLE IF EXISTS "${prefix}raw"`);
    await pg.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
