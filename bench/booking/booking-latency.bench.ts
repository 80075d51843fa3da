// Booking → gateway latency benchmark (not a test): DESIGN.md's "instant confirmation" target, booking event
// published → gateway POST received, p50 < 30 ms, p99 < 100 ms (loopback). Appointments and sms-dispatch run as
// their own processes (services/<name>/src/main.ts, as `npm start` runs them) on a fresh database and NATS namespace;
// the zero-delay simulator in a third process. One AppointmentBooked (online) at a time, each for its own customer:
// published (JetStream ack) → the confirmation's POST received at the simulator (its own clock: same machine).
// A raw JetStream publish → core-NATS subscriber round trip is measured in the same run as the floor.
// `node -r @swc-node/register bench/booking/booking-latency.bench.ts`  Env: DATABASE_URL, NATS_URL, LAT (200).
import { randomBytes } from 'node:crypto';
import { encodeMessage, topology, type PublicMessage } from '@dailydesk/contracts';
import { ensureStreams } from '@dailydesk/messaging';
import { databaseUrl, freePort, natsUrl } from '@dailydesk/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { FlowScenario, TZ } from '../../tests/full-flow/flow-scenario';
import { ServiceProcess } from '../../tests/full-flow/service-processes';
import { startGateway } from '../shared/gateway-process';

const LAT = Number(process.env.LAT ?? 200);
const tag = randomBytes(4).toString('hex');
const NAMESPACE = `bl${tag}`;
const DB_NAME = `bl_${tag}`;
const credentials = { username: 'bench', password: randomBytes(12).toString('base64url') };
const now = () => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const out = (s: string) => process.stdout.write(`${s}\n`);

async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const dbUrl = new URL(databaseUrl());
  dbUrl.pathname = `/${DB_NAME}`;
  await admin(`CREATE DATABASE "${DB_NAME}"`);
  const sim = await startGateway(credentials);
  const nc = await connect({ servers: natsUrl(), noAsyncTraces: true });
  const topo = topology(NAMESPACE);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, topo.streams, { deadLetter: false, replicas: 1 });
  const js = jetstream(nc);
  const publish = (m: PublicMessage) => js.publish(topo.subjectOf(m.type), encodeMessage(m), { msgID: m.id });
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NATS_URL: natsUrl(),
    NATS_NAMESPACE: NAMESPACE,
    DATABASE_URL: dbUrl.toString(),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SWC_NODE_PROJECT: 'tsconfig.json',
  };
  const ports = { appointments: await freePort(), dispatch: await freePort() };
  const services = [
    new ServiceProcess('appointments', ports.appointments, { ...base, PUBLIC_BASE_URL: `http://127.0.0.1:${ports.appointments}` }),
    new ServiceProcess('sms-dispatch', ports.dispatch, {
      ...base,
      SMS_ENABLED: 'true',
      SMS_BASE_URL: sim.url,
      SMS_USERNAME: credentials.username,
      SMS_PASSWORD: credentials.password,
      SMS_PORT_PER_MINUTE: '0',
      SMS_SIM_DAILY_CAP: '0',
      NODE_OPTIONS: '--max-semi-space-size=32',
    }),
  ];
  try {
    for (const s of services) s.start();
    for (const s of services) await s.waitReady(90_000);

    // The floor: JetStream publish (acked) → a core subscriber on the same subject.
    const floor: number[] = [];
    const probeSubject = `${NAMESPACE}.bench.probe`;
    const probe = nc.subscribe(probeSubject);
    const received = (async () => {
      for await (const m of probe) floor.push(now() - Number(m.string()));
    })();
    for (let i = 0; i < LAT; i++) {
      nc.publish(probeSubject, String(now()));
      await nc.flush();
    }
    probe.unsubscribe();
    await received;

    const s = new FlowScenario(tag);
    await publish(s.envelope('BusinessUpserted', { name: 'Bench Salon', timeZone: TZ, country: 'DE', address: 'Hauptstr. 1, 10115 Berlin', smsSettings: { daysBeforeAppointment: 2, hoursAfterCheckInForTextMessages: 0, reviewUrl: 'https://example.com/review' } }));
    const customers = Array.from({ length: LAT }, (_, i) => s.customer(`C${i}`, 1000 + i, true));
    for (const c of customers) await publish(s.customerUpserted(c));
    // Appointments knows a customer once its CustomerUpserted is consumed: wait until its consumer has nothing pending.
    const bookingStream = await jsm.streams.find(topo.subjectOf('CustomerUpserted'));
    for (const deadline = Date.now() + 60_000; ; ) {
      const consumers = await jsm.consumers.list(bookingStream).next();
      if (consumers.every((ci) => ci.num_pending === 0 && ci.num_ack_pending === 0)) break;
      if (Date.now() > deadline) throw new Error('appointments did not consume the customers');
      await new Promise((r) => setTimeout(r, 100));
    }
    await sim.reset();

    const latencies: number[] = [];
    let seen = 0;
    for (const [i, c] of customers.entries()) {
      const startsAt = FlowScenario.at(2, 10 + (i % 8));
      const at = now();
      await publish(s.envelope('AppointmentBooked', { appointmentId: `apt-${tag}-${i}`, customerId: c.customerId, channel: 'online', startsAt: FlowScenario.iso(startsAt), serviceName: 'Haircut' }));
      const post = await sim.nextPost(seen);
      latencies.push(post.at - at);
      seen = post.seq;
    }
    out(`booking published → confirmation POST at the gateway (appointments + sms-dispatch processes, one at a time, n=${LAT}):`);
    out(`| | p50 | p99 | max |\n|---|---|---|---|`);
    out(`| raw: core NATS publish → subscriber, same process | ${pct(floor, 50).toFixed(2)} ms | ${pct(floor, 99).toFixed(2)} ms | ${Math.max(...floor).toFixed(2)} ms |`);
    out(`| AppointmentBooked published → POST received | ${pct(latencies, 50).toFixed(1)} ms | ${pct(latencies, 99).toFixed(1)} ms | ${Math.max(...latencies).toFixed(1)} ms |`);
    out(`target (DESIGN.md): p50 < 30 ms, p99 < 100 ms`);
  } finally {
    for (const s of services) await s.kill().catch(() => undefined);
    await sim.close().catch(() => undefined);
    for (const st of topo.streams) await jsm.streams.delete(st.name).catch(() => undefined);
    await nc.close();
    await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
