// sms-dispatch benchmark (not a test): SendSms in JetStream → durable → accepted tasks at a zero-delay simulator
// (pacing off), next to raw baselines measured in the same run: batched undici POSTs to the same simulator, the
// JetStream publish of the same requests, batched INSERTs of the same rows into the same PostgreSQL.
// `node -r @swc-node/register bench/sms-dispatch/sms-dispatch.bench.ts`  Env: DATABASE_URL, NATS_URL, N (20000), LAT (200),
// KANNEL=0 (skip the Kannel run, bench/kannel), ONLY=drain (stop after the drain phase), ROUNDS=<n> (n drains, each in its own
// process with fresh streams and schemas, alternated with n Kannel runs, ABBA order; per-round ratios and their median), PROF=<file> (CPU profile of the drain;
// PROF_ALLOC=1: allocation sampling instead; PROF_ALLOC=promoted: only what outlived a scavenge), RELAY=0 (diagnostic: the service runs without its relay, so nothing it
// stores is published: the relay's share of the pipeline, not a figure of the platform).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Client } from 'pg';
import { Pool } from 'undici';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { loadConfig } from '../../services/sms-dispatch/src/config';
import { startSmsDispatch, type RunningSmsDispatch } from '../../services/sms-dispatch/src/sms-dispatch.app';
import { SMS_DISPATCH_NODE_OPTIONS } from '../../tools/platform/platform-config';
import { measureKannel } from '../kannel/kannel-baseline';
import { startGateway, type Gateway } from '../shared/gateway-process';
import { publishRequests, sendSmsRequest } from './requests';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const N = Number(process.env.N ?? 20_000);
const LAT = Number(process.env.LAT ?? 200);
const tag = randomBytes(4).toString('hex');
/** The simulator's credentials for this run (the service and the raw POST loop use the same). */
const credentials = { username: 'bench', password: randomBytes(12).toString('base64url') };
const namespace = `bench${tag}`;
const schema = `b_${tag}_sms_dispatch`;
const now = () => performance.timeOrigin + performance.now();
const rate = (n: number, ms: number) => n / (ms / 1000);

const request = sendSmsRequest;
// Output piped into `head` must not kill the run before it drops its schemas and streams (28 runs left theirs so).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

/**
 * Publishes `count` SendSms from a child process (as the services requesting texts would); resolves with its rate.
 * `started` receives the wall-clock time of its first publish (the process's own start-up is not measured).
 */
function publishFromOutside(subject: string, prefix: string, count: number, started: (atMs: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'publisher.ts')], {
      env: { ...process.env, NATS_URL: natsUrl, SUBJECT: subject, PREFIX: prefix, COUNT: String(count) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /start (\d+)/.exec(out);
      if (m) started(Number(m[1]));
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /done ([\d.]+)/.exec(out);
      if (code === 0 && m) resolve(Number(m[1]));
      else reject(new Error(`publisher exited ${code}: ${out}`));
    });
  });
}

async function rawPosts(url: string, batch: number, inFlight: number): Promise<number> {
  const pool = new Pool(url, { connections: inFlight });
  let tid = 1_000_000 + batch;
  let left = N;
  const t0 = now();
  const worker = async () => {
    while (left > 0) {
      const n = Math.min(batch, left);
      left -= n;
      const tasks = Array.from({ length: n }, () => ({ tid: ++tid, to: `4917100${String(tid).slice(-6)}`, sms: 'Your appointment is confirmed.', from: '1.01' }));
      const r = await pool.request({ path: `/goip_post_sms.html?${new URLSearchParams({ ...credentials, version: '1.1' })}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'send-sms', task_num: n, tasks }) });
      await r.body.text();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const r = rate(N, now() - t0);
  await pool.close();
  return r;
}

/** Raw batched INSERT of N rows shaped like the queue (1000 rows per statement, one connection). */
async function rawInserts(): Promise<number> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const table = `bench_raw_${tag}`;
  await pg.query(`CREATE TABLE ${table} (id text PRIMARY KEY, type text, data jsonb)`);
  const t0 = now();
  for (let i = 0; i < N; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ id: `r${i + k}`, type: 'SmsQueued', data: request(`r${i + k}`, i + k).data }));
    await pg.query(`INSERT INTO ${table} SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, data jsonb)`, [JSON.stringify(rows)]);
  }
  const r = rate(N, now() - t0);
  await pg.query(`DROP TABLE ${table}`);
  await pg.end();
  return r;
}

/** VmHWM of this process (the service runs in it): the memory price of its heap settings. */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function sentCount(service: RunningSmsDispatch): Promise<number> {
  const rows = await service.database.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}_events".events WHERE type = 'SmsSent'`);
  return Number(rows[0]!.n);
}

/** Until this process's dispatcher has stored `target` SmsSent (the queue table is folded lazily, so it may lag). */
async function untilSent(service: RunningSmsDispatch, target: number): Promise<void> {
  while ((service.runtime.dispatcher.stored['SmsSent'] ?? 0) < target) await new Promise((r) => setTimeout(r, 5));
}

function serviceEnv(sim: Gateway): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl, NATS_URL: natsUrl, NATS_NAMESPACE: namespace, PORT: '0', LOG_LEVEL: 'silent',
    SMS_ENABLED: 'true', SMS_BASE_URL: sim.url, SMS_USERNAME: credentials.username, SMS_PASSWORD: credentials.password,
    SMS_PORT_PER_MINUTE: '0', SMS_SIM_DAILY_CAP: '0', SMS_BATCH_SIZE: process.env.BATCH ?? '1000', SMS_MAX_POSTS_IN_FLIGHT: process.env.POSTS ?? '8',
    SMS_MAX_OUTSTANDING_TASKS: '4000', SMS_INTAKE_CONCURRENCY: process.env.INTAKE ?? '4096',
  };
}

function start(sim: Gateway): Promise<RunningSmsDispatch> {
  return startSmsDispatch(loadConfig(serviceEnv(sim)), { schemaPrefix: `b_${tag}_`, ...(process.env.RELAY === '0' ? { relay: false as const } : {}) });
}

/** The position of the last event stored so far. */
async function lastPosition(service: RunningSmsDispatch): Promise<number> {
  const [row] = await service.database.query<{ last: string | null }>(`SELECT max(global_position)::text AS last FROM "${schema}_events".events`);
  return Number(row?.last ?? 0);
}

/** Resolves once the relay has published (or passed over) every event up to `last`: its deferred work counts too. */
async function untilRelayed(service: RunningSmsDispatch, last: number): Promise<void> {
  const relay = service.relay;
  if (!relay) return;
  while (relay.position < last) await new Promise((r) => setTimeout(r, 5));
}

/** REPLICAS=2: a second replica in its own process (it takes SendSms into the store; this process leads and sends). */
function startFollower(sim: Gateway): { pid: number; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [...SMS_DISPATCH_NODE_OPTIONS.split(' '), '-r', '@swc-node/register', join(__dirname, '../../services/sms-dispatch/src/main.ts')], {
    env: { ...process.env, ...serviceEnv(sim), SCHEMA_PREFIX: `b_${tag}_` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** The benchmark's streams and schemas are removed after each run. */
async function cleanUp(nc: NatsConnection, service: RunningSmsDispatch): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const s of service.topology.streams) await jsm.streams.delete(s.name).catch(() => undefined);
  await nc.close();
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_events" CASCADE`);
  await pg.end();
}

/**
 * CPU seconds so far of this process (the service and its threads), the simulator's process, all PostgreSQL processes
 * and nats-server (from /proc, 10 ms resolution): which of them is the limit.
 */
function cpuSeconds(gatewayPid: number, followerPid?: number): Record<string, number> {
  const own = process.cpuUsage();
  const out: Record<string, number> = { 'this process (service)': (own.user + own.system) / 1e6, simulator: 0, postgres: 0, 'nats-server': 0, ...(followerPid ? { 'follower replica': 0 } : {}) };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const key = Number(pid) === gatewayPid ? 'simulator' : Number(pid) === followerPid ? 'follower replica' : command.startsWith('postgres') ? 'postgres' : command.startsWith('nats-server') ? 'nats-server' : null;
    if (!key) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[key]! += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  }
  return out;
}

/**
 * PROF=<file>: a CPU profile (Chrome format) of this process's main thread during the drain only; with PROF_ALLOC=1 a
 * sampling profile of its allocations instead, with PROF_ALLOC=promoted of the allocations that outlived a scavenge.
 */
async function startProfile(): Promise<{ stop: (file: string) => Promise<string> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  const heap = process.env.PROF_ALLOC === '1' || process.env.PROF_ALLOC === 'promoted';
  // PROF_ALLOC=promoted leaves out what died young: what is left survived a scavenge (copied, then promoted).
  const young = process.env.PROF_ALLOC !== 'promoted';
  if (heap) await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: young });
  else {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
  }
  return {
    stop: async (file) => {
      const { profile } = (await post(heap ? 'HeapProfiler.stopSampling' : 'Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const sim = await startGateway(credentials);
  const rawBatched = await rawPosts(sim.url, 500, 8);
  await sim.reset();
  const rawInsert = await rawInserts();
  // The peer a self-hosting user would pick instead (DESIGN.md), measured here in the same run: same N, 64 in flight.
  const kannel = process.env.KANNEL === '0' ? null : await measureKannel({ n: N, inFlight: 64 });
  const kannelNote = kannel ? `Kannel ${Math.round(kannel.rate)}/s (this run)` : 'Kannel not measured (KANNEL=0 or not installed)';

  // Streams, consumer and schema exist after a first start; then the requests are published with nobody consuming.
  await (await start(sim)).close();
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  let service = await start(sim);
  const subject = service.topology.subjectOf('SendSms');
  await service.close();
  const rawPublish = await publishRequests(jetstream(nc), subject, `pre-${tag}`, N);

  // 1. Drain: the service starts with N requests waiting.
  const cpu0 = cpuSeconds(sim.pid);
  const profiler = process.env.PROF ? await startProfile() : null;
  let t0 = now();
  service = await start(sim);
  const follower = process.env.REPLICAS === '2' ? startFollower(sim) : null;
  const startupMs = now() - t0;
  // Kannel's figure starts at its first request, its processes already up: the same drain counted from the service
  // being ready (the texts sent while it started are left out of the count as well as their time).
  const sentAtReady = service.runtime.dispatcher.stored['SmsSent'] ?? 0;
  const readyAt = now();
  await untilSent(service, N);
  const drain = rate(N, now() - t0);
  const drainFromReady = rate(N - sentAtReady, now() - readyAt);
  if (profiler) process.stdout.write(`drain profile: ${await profiler.stop(process.env.PROF!)}\n`);
  const drainStages = service.runtime.stats.snapshot();
  const drainCpu = cpuSeconds(sim.pid, follower?.pid);
  await follower?.stop();
  const cpuLine = (what: string, cpu: Record<string, number>) =>
    `CPU ${what} (${((now() - t0) / 1000).toFixed(1)} s wall): ${Object.keys(cpu).map((k) => `${k} ${(cpu[k]! - (cpu0[k] ?? 0)).toFixed(1)} s`).join(', ')}`;
  const drainCpuLine = `${cpuLine('during the drain', drainCpu)}; peak RSS of this process (service + driver) ${peakRssMb()} MB`;
  // The queue table is folded and the events are relayed behind the POSTs: that work belongs to these texts too.
  // Which of the two lags, and by how much (a relay behind by thousands of events is what "until done" waits for).
  const drainEndAt = now();
  const last = await lastPosition(service);
  const behind = `fold ${last - service.runtime.projection.position}, relay ${service.relay ? last - service.relay.position : '-'}`;
  await service.runtime.projection.caughtUp(120_000);
  const foldMs = now() - drainEndAt;
  await untilRelayed(service, last);
  const tailLine = `at the drain's end, log positions behind its last one: ${behind}; caught up ${Math.round(foldMs)} ms (fold) and ${Math.round(now() - drainEndAt)} ms (relay) later`;
  // The same texts counted until all their work is done: what a sustained load can keep up with.
  const drainDone = rate(N, now() - t0);
  const doneCpuLine = cpuLine(`until the queue fold has caught up with them${service.relay ? ' and the relay has published them' : ' (RELAY=0: nothing published)'}`, cpuSeconds(sim.pid));
  if (process.env.ONLY === 'drain') {
    const vsKannel = kannel ? `, ${(drain / kannel.rate).toFixed(2)} of Kannel's ${Math.round(kannel.rate)}/s` : '';
    const doneVsKannel = kannel ? `, ${(drainDone / kannel.rate).toFixed(2)} of Kannel's` : '';
    const readyVsKannel = kannel ? `, ${(drainFromReady / kannel.rate).toFixed(2)} of Kannel's` : '';
    process.stdout.write(`drain ${Math.round(drain)}/s${vsKannel}; from the service ready ${Math.round(drainFromReady)}/s${readyVsKannel} (start ${Math.round(startupMs)} ms, ${sentAtReady} sent by then); until folded and relayed ${Math.round(drainDone)}/s${doneVsKannel} (raw publish ${Math.round(rawPublish)}/s, raw INSERT ${Math.round(rawInsert)}/s)\n${drainCpuLine}\n${doneCpuLine}\n${tailLine}\n`);
    process.stdout.write(`stages (drain): ${Object.entries(drainStages).map(([k, v]) => `${k} ${v.calls}× ${v.items} items ${Math.round(v.ms)} ms`).join('; ')}\n`);
    await service.close();
    await sim.close();
    await cleanUp(nc, service);
    return;
  }

  // 2. Publishing concurrently with the running service, from another process.
  service.runtime.stats.reset();
  const concurrentPublish = await publishFromOutside(subject, `live-${tag}`, N, (at) => (t0 = at));
  await untilSent(service, 2 * N);
  const concurrent = rate(N, now() - t0);
  const concurrentStages = service.runtime.stats.snapshot();

  // 3. Latency: one instant SendSms at a time, published → its POST received at the simulator.
  await sim.reset();
  service.runtime.stats.reset();
  const js = jetstream(nc);
  const latencies: number[] = [];
  for (let i = 0; i < LAT; i++) {
    const id = `lat-${tag}-${i}`;
    const seen = await sim.lastSeq();
    const at = now();
    await js.publish(subject, JSON.stringify(request(id, i, 'confirmation')), { msgID: id });
    latencies.push((await sim.nextPost(seen)).at - at);
  }
  // The loop above stops at the last POST; its SmsSent is recorded just after, so wait for it before counting.
  for (const deadline = now() + 10_000; (service.runtime.dispatcher.stored['SmsSent'] ?? 0) < 2 * N + LAT && now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
  await service.runtime.projection.caughtUp();
  const accepted = await sentCount(service);
  const latencyStages = service.runtime.stats.snapshot();
  await service.close();
  await sim.close();
  await cleanUp(nc, service);

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`N = ${N}, messages sent ${accepted} (expected ${2 * N + LAT}), service start ${Math.round(startupMs)} ms (inside the drain figure)`);
  out(kannelNote);
  out('| path | rate/s | vs raw POST | vs raw publish | vs raw INSERT | vs Kannel (this run) |\n|---|---|---|---|---|---|');
  const row = (name: string, r: number) =>
    out(`| ${name} | ${Math.round(r)} | ${(r / rawBatched).toFixed(2)} | ${(r / rawPublish).toFixed(2)} | ${(r / rawInsert).toFixed(2)} | ${kannel ? (r / kannel.rate).toFixed(2) : '-'} |`);
  row('raw undici POST, 500 tasks/POST, 8 in flight', rawBatched);
  row('raw JetStream publish of the SendSms, 256 unacked', rawPublish);
  row('raw batched INSERT, 1000 rows/statement', rawInsert);
  if (kannel) row('Kannel 1.4.5: HTTP sendsms → file store → fakesmsc, 64 in flight', kannel.rate);
  row('sms-dispatch draining N waiting requests → accepted tasks', drain);
  row('  the same, from the service ready (as Kannel is timed from its first request)', drainFromReady);
  row('  the same, until folded and relayed (all its work done)', drainDone);
  row('sms-dispatch with publishing concurrent → accepted tasks', concurrent);
  row('  (the concurrent publish itself, from another process)', concurrentPublish);
  out(drainCpuLine);
  out(doneCpuLine);
  out(tailLine);
  out(`latency SendSms published → POST at simulator (instant, one at a time, n=${LAT}): p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
  for (const [name, stages] of [['drain', drainStages], ['concurrent', concurrentStages], ['latency', latencyStages]] as const) {
    out(`stages (${name}): ${Object.entries(stages).map(([k, v]) => `${k} ${v.calls}× ${v.items} items ${Math.round(v.ms)} ms`).join('; ')}`);
  }
}

/** The figures of one `ONLY=drain KANNEL=0` run, read from its output. */
interface DrainRound {
  readonly drain: number;
  readonly fromReady: number;
  readonly done: number;
  readonly serviceCpu: number;
}

/** Runs this benchmark as `ONLY=drain KANNEL=0` in a child process (fresh tag: own streams and schemas). */
function drainInChild(): Promise<DrainRound> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, ONLY: 'drain', KANNEL: '0', ROUNDS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /^drain (\d+)\/s; from the service ready (\d+)\/s .*until folded and relayed (\d+)\/s/m.exec(out);
      const cpu = /during the drain .*this process \(service\) ([\d.]+) s/.exec(out);
      if (code === 0 && m && cpu) resolve({ drain: Number(m[1]), fromReady: Number(m[2]), done: Number(m[3]), serviceCpu: Number(cpu[1]) });
      else reject(new Error(`drain run exited ${code}: ${out}`));
    });
  });
}

/**
 * ROUNDS=n: the drain and Kannel measured n times each, alternated (K D, D K, K D, …) so that a slow spell of this
 * shared machine weighs on both; each round's ratios use its own Kannel run, and their median is the figure to quote.
 * One run of each was seen to move ±15 % from one minute to the next here, which single ratios cannot show.
 */
async function roundsMain(rounds: number): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`N = ${N}, ${rounds} rounds of Kannel and the sms-dispatch drain (each drain in its own process), alternated`);
  out('| round | Kannel/s | drain/s | from ready/s | until done/s | service CPU s | drain vs Kannel | from ready vs Kannel | until done vs Kannel |\n|---|---|---|---|---|---|---|---|---|');
  const ratios: { drain: number[]; fromReady: number[]; done: number[] } = { drain: [], fromReady: [], done: [] };
  for (let i = 1; i <= rounds; i++) {
    let kannel: { rate: number } | null = null;
    let d: DrainRound;
    if (i % 2 === 1) {
      kannel = await measureKannel({ n: N, inFlight: 64 });
      d = await drainInChild();
    } else {
      d = await drainInChild();
      kannel = await measureKannel({ n: N, inFlight: 64 });
    }
    if (!kannel) throw new Error('ROUNDS needs Kannel (apt-get install -y kannel kannel-extras)');
    const k = kannel.rate;
    ratios.drain.push(d.drain / k);
    ratios.fromReady.push(d.fromReady / k);
    ratios.done.push(d.done / k);
    out(`| ${i} | ${Math.round(k)} | ${d.drain} | ${d.fromReady} | ${d.done} | ${d.serviceCpu.toFixed(1)} | ${(d.drain / k).toFixed(2)} | ${(d.fromReady / k).toFixed(2)} | ${(d.done / k).toFixed(2)} |`);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const spread = (xs: number[]) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  out(`median vs Kannel (min–max): drain ${spread(ratios.drain)}; from the service ready ${spread(ratios.fromReady)}; until folded and relayed ${spread(ratios.done)}`);
}

const rounds = Number(process.env.ROUNDS || 0);
(rounds > 0 ? roundsMain(rounds) : main()).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
