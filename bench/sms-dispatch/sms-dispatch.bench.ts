// sms-dispatch benchmark (not a test): SendSms published to JetStream → durable → accepted tasks at a zero-delay
// simulator (pacing off), next to raw undici POST loops against the same simulator, in one run.
// `node -r @swc-node/register bench/sms-dispatch/sms-dispatch.bench.ts`  Env: DATABASE_URL, NATS_URL, N (default 20000).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Pool } from 'undici';
import { randomBytes } from 'node:crypto';
import { startSimulator } from '@dailydesk/skyline';
import { loadConfig } from '../../services/sms-dispatch/src/config';
import { startSmsDispatch } from '../../services/sms-dispatch/src/sms-dispatch.app';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const N = Number(process.env.N ?? 20_000);
const tag = randomBytes(4).toString('hex');
const ms = () => Number(process.hrtime.bigint()) / 1e6;

async function rawPosts(url: string, batch: number, inFlight: number): Promise<number> {
  const pool = new Pool(url, { connections: inFlight });
  let tid = 1_000_000 + batch;
  let left = N;
  const t0 = ms();
  const worker = async () => {
    while (left > 0) {
      const n = Math.min(batch, left);
      left -= n;
      const tasks = Array.from({ length: n }, () => ({ tid: ++tid, to: `4917100${String(tid).slice(-6)}`, sms: 'Your appointment is confirmed.', from: '1.01' }));
      const r = await pool.request({ path: '/goip_post_sms.html?username=root&password=root&version=1.1', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'send-sms', task_num: n, tasks }) });
      await r.body.text();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const rate = N / ((ms() - t0) / 1000);
  await pool.close();
  return rate;
}

async function main() {
  const sim = await startSimulator({ port: 0, ports: 8, sendTimeMs: 0, recordLimit: 1000 });
  const rawBatched = await rawPosts(sim.url, 500, 8);
  sim.control.reset();
  const rawSingle = await rawPosts(sim.url, 1, 64);
  sim.control.reset();
  const config = loadConfig({
    DATABASE_URL: databaseUrl, NATS_URL: natsUrl, NATS_NAMESPACE: `bench${tag}`, PORT: '0', LOG_LEVEL: 'silent',
    SMS_ENABLED: 'true', SMS_BASE_URL: sim.url, SMS_USERNAME: 'root', SMS_PASSWORD: 'root',
    SMS_PORT_PER_MINUTE: '0', SMS_SIM_DAILY_CAP: '0', SMS_BATCH_SIZE: '500', SMS_MAX_POSTS_IN_FLIGHT: '8',
    SMS_MAX_OUTSTANDING_TASKS: '4000', SMS_INTAKE_CONCURRENCY: '2048',
  });
  const service = await startSmsDispatch(config, { schemaPrefix: `b_${tag}_` });
  const js = jetstream(service.nc);
  const subject = service.topology.subjectOf('SendSms');
  const t0 = ms();
  const pubs: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const id = `bench-${tag}-${i}`;
    const env = { id, type: 'SendSms', v: 1, occurredAt: new Date().toISOString(), businessId: 'biz-1', correlationId: id, causationId: null,
      data: { messageId: id, recipient: { phone: `+4917${String(10_000_000 + i)}`, defaultRegion: 'DE' }, text: 'Your appointment is confirmed.', purpose: 'review', refs: { appointmentId: `a${i}` } } };
    pubs.push(js.publish(subject, JSON.stringify(env), { msgID: id }));
    if (pubs.length >= 256) await Promise.all(pubs.splice(0));
  }
  await Promise.all(pubs);
  const published = ms();
  const schema = `b_${tag}_sms_dispatch`;
  for (;;) {
    const [{ n }] = (await service.database.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".messages WHERE state = 'sent'`)) as [{ n: string }];
    if (Number(n) >= N) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const e2e = N / ((ms() - t0) / 1000);
  const accepted = sim.control.tasks().length;
  await service.close();
  await sim.close();
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  for (const s of service.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
  await nc.close();
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_events" CASCADE`);
  await pg.end();
  const kannel = 8000;
  const rows: Array<[string, number]> = [
    ['raw undici POST, 500 tasks/POST, 8 in flight (tasks/s)', rawBatched],
    ['raw undici POST, 1 task/POST, 64 in flight (tasks/s)', rawSingle],
    [`sms-dispatch: JetStream SendSms → accepted task, end to end (msg/s; publish took ${((published - t0) / 1000).toFixed(2)} s)`, e2e],
  ];
  process.stdout.write(`N = ${N}, simulator accepted ${accepted} tasks\n| path | rate | vs raw batched | vs Kannel ~8k |\n|---|---|---|---|\n`);
  for (const [name, rate] of rows) process.stdout.write(`| ${name} | ${Math.round(rate)} | ${(rate / rawBatched).toFixed(2)} | ${(rate / kannel).toFixed(2)} |\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
