// Kannel's end-to-end rate on this machine, the peer in DESIGN.md's "Performance targets" (not a test). Pipeline:
// undici GET /cgi-bin/sendsms (smsbox, which answers 202 once bearerbox has the message) → bearerbox, file store
// (`store-type = file`: each message and each ack appended to one file) → fake SMSC connection → Kannel's own
// `fakesmsc`, receiving only (`-m 0`). Timed from the first request to the N-th "Got message" line of fakesmsc.
// `node -r @swc-node/register bench/kannel/kannel-baseline.ts`  Env: N (20000), IN_FLIGHT (64).
// Needs Debian's `kannel` (bearerbox, smsbox) and `kannel-extras` (fakesmsc); returns null without them.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const BINARIES = { bearerbox: '/usr/sbin/bearerbox', smsbox: '/usr/sbin/smsbox', fakesmsc: '/usr/lib/kannel/test/fakesmsc' };
const HOST = '127.0.0.1';
const USER = 'bench';
// A throw-away sendsms/admin password of a Kannel that lives for one run on loopback: made up per run, as the
// simulator's is (no gateway password is written in the project).
const PASSWORD = randomBytes(12).toString('hex');
/** What the warm-up requests send instead (refused with 403: they only open connections). */
const WRONG_PASSWORD = `not-${PASSWORD}`;
const READY_TIMEOUT_MS = 15_000;
/** Give up when fakesmsc receives nothing for this long after the last HTTP answer. */
const STALL_MS = 10_000;

export interface KannelRun {
  rate: number;
  delivered: number;
  /** Requests answered 202 per second, first request → last answer (the HTTP side alone). */
  acceptRate: number;
  failedRequests: number;
  /** CPU seconds (user + system) of each process over the whole run, start-up included. */
  cpu: Record<keyof typeof BINARIES, number>;
  /** CPU seconds of this Node process (the HTTP client) from the first request to the end: it shares the cores. */
  clientCpu: number;
  /** CPU seconds that every other process of the machine used meanwhile: the noise in this figure. */
  othersCpu: number;
  /** Largest size of the store file seen while sending (appended to; rewritten every 10–20 s). */
  peakStoreBytes: number;
}

/**
 * Kannel's end-to-end rate (messages/s from the first sendsms request to the N-th message at the fake SMSC) and how
 * many of the N arrived; null, with the reason on stderr, when Kannel is not installed. Run it under the bench lock.
 */
export async function measureKannel(opts: { n: number; inFlight?: number; workDir?: string }): Promise<{ rate: number; delivered: number } | null> {
  const run = await runKannel(opts);
  return run && { rate: run.rate, delivered: run.delivered };
}

/** {@link measureKannel} with the figures that explain the rate. */
export async function runKannel({ n, inFlight = 64, workDir = tmpdir() }: { n: number; inFlight?: number; workDir?: string }): Promise<KannelRun | null> {
  const missing = Object.values(BINARIES).filter((path) => !existsSync(path));
  if (missing.length > 0) {
    process.stderr.write(`Kannel baseline skipped: ${missing.join(', ')} not installed (apt-get install -y kannel kannel-extras)\n`);
    return null;
  }
  const [adminPort, boxPort, smscPort, sendsmsPort] = await freePorts(4);
  const dir = mkdtempSync(join(workDir, 'kannel-bench-'));
  const store = join(dir, 'kannel.store');
  const conf = join(dir, 'kannel.conf');
  writeFileSync(conf, kannelConf({ adminPort, boxPort, smscPort, sendsmsPort, store }));
  const children: ChildProcess[] = [];
  const killAll = () => children.forEach((c) => killGroup(c, 'SIGKILL'));
  process.once('exit', killAll);
  try {
    const start = (bin: string, args: string[]) => {
      const child = spawn(bin, args, { cwd: dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      return child;
    };
    // Stderr at level 2 (warnings): the boxes' own reasons if they fail, and nothing per message.
    const bearerbox = start(BINARIES.bearerbox, ['-v', '2', conf]);
    const status = () => fetch(`http://${HOST}:${adminPort}/status.txt?password=${PASSWORD}`).then((r) => r.text(), () => '');
    // A probe connection to the fake SMSC's port would take fakesmsc's place: ask bearerbox's admin page instead.
    const bearerboxOutput = collect(bearerbox);
    await waitFor(async () => (await status()).includes(`FAKE:${smscPort}`), () => `bearerbox up: ${bearerboxOutput()}`);
    // Level 0 (debug) is how fakesmsc reports each received message: "DEBUG: Got message <count>: <...>".
    const fakesmsc = start(BINARIES.fakesmsc, ['-H', HOST, '-r', String(smscPort), '-m', '0', '-v', '0', '0 0 text unused']);
    let received = 0;
    let lastReceivedAt = 0;
    let onReceived = () => {};
    let tail = '';
    fakesmsc.stderr!.setEncoding('latin1').on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        const m = /Got message (\d+):/.exec(line);
        if (m) {
          received = Number(m[1]);
          lastReceivedAt = performance.now();
        }
      }
      onReceived();
    });
    const smsbox = start(BINARIES.smsbox, ['-v', '2', conf]);
    const smsboxOutput = collect(smsbox);
    await waitFor(async () => {
      const text = await status();
      return /smsbox:.*on-line/.test(text) && text.includes(`FAKE:${smscPort} (online`) && (await accepts(sendsmsPort));
    }, () => `smsbox and fakesmsc connected: ${bearerboxOutput()} ${smsboxOutput()}`);

    let peakStoreBytes = 0;
    const sampler = setInterval(() => (peakStoreBytes = Math.max(peakStoreBytes, fileSize(store))), 100);
    const pool = new Pool(`http://${HOST}:${sendsmsPort}`, { connections: inFlight });
    await openConnections(pool, inFlight);
    const kannelCpu = () => cpuSeconds(bearerbox) + cpuSeconds(smsbox) + cpuSeconds(fakesmsc);
    const before = { machine: machineBusySeconds(), kannel: kannelCpu(), client: process.cpuUsage() };
    const t0 = performance.now();
    const failedRequests = await sendAll(pool, n, inFlight);
    const acceptedAt = performance.now();
    await new Promise<void>((resolve) => {
      const check = () => {
        if (received < n && performance.now() - Math.max(lastReceivedAt, acceptedAt) < STALL_MS) return;
        clearInterval(timer);
        resolve();
      };
      const timer = setInterval(check, 500);
      onReceived = check;
      check();
    });
    const { user, system } = process.cpuUsage(before.client);
    const clientCpu = (user + system) / 1e6;
    const othersCpu = machineBusySeconds() - before.machine - (kannelCpu() - before.kannel) - clientCpu;
    clearInterval(sampler);
    await pool.close();
    const cpu = { bearerbox: cpuSeconds(bearerbox), smsbox: cpuSeconds(smsbox), fakesmsc: cpuSeconds(fakesmsc) };
    const delivered = received;
    if (delivered < n) process.stderr.write(`Kannel baseline: fakesmsc received ${delivered} of ${n} (${failedRequests} requests failed)\n`);
    return {
      rate: delivered > 0 ? delivered / ((lastReceivedAt - t0) / 1000) : 0,
      delivered,
      acceptRate: (n - failedRequests) / ((acceptedAt - t0) / 1000),
      failedRequests,
      cpu,
      clientCpu,
      othersCpu: Math.max(0, othersCpu),
      peakStoreBytes,
    };
  } finally {
    await Promise.all(children.reverse().map(stop));
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Kannel's HTTP server listens with a backlog of 10 (gwlib): a burst of new connections waits for SYN retransmits
 * (1 s, 3 s, ...) and can run into undici's connect timeout. Open them before timing, with requests that make no
 * message (a wrong password: 403, connection kept alive).
 */
async function openConnections(pool: Pool, count: number): Promise<void> {
  for (let round = 0; round < 10 && pool.stats.connected < count; round++) {
    await Promise.all(
      Array.from({ length: count }, () =>
        pool.request({ method: 'GET', path: `/cgi-bin/sendsms?username=${USER}&password=${WRONG_PASSWORD}&to=1&text=warm-up` }).then((res) => res.body.dump(), () => undefined),
      ),
    );
  }
}

/** N sendsms requests, `inFlight` at once; resolves with how many were not answered 202 (the first reasons logged). */
async function sendAll(pool: Pool, n: number, inFlight: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const fail = (reason: string) => {
    if (failed++ < 3) process.stderr.write(`Kannel baseline: sendsms failed: ${reason}\n`);
  };
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < n; i = next++) {
        const path = `/cgi-bin/sendsms?username=${USER}&password=${PASSWORD}&from=1000&to=${1555000000 + i}&text=Reminder+${i}`;
        try {
          const res = await pool.request({ method: 'GET', path });
          const body = await res.body.text();
          if (res.statusCode !== 202) fail(`${res.statusCode} ${body}`);
        } catch (err) {
          fail(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        }
      }
    }),
  );
  return failed;
}

function kannelConf(p: { adminPort: number; boxPort: number; smscPort: number; sendsmsPort: number; store: string }): string {
  return `group = core
admin-port = ${p.adminPort}
admin-password = ${PASSWORD}
admin-allow-ip = "${HOST}"
smsbox-port = ${p.boxPort}
box-allow-ip = "${HOST}"
log-level = 4
store-type = file
store-location = "${p.store}"

group = smsc
smsc = fake
smsc-id = fake
port = ${p.smscPort}
connect-allow-ip = "${HOST}"

group = smsbox
bearerbox-host = ${HOST}
sendsms-port = ${p.sendsmsPort}
sendsms-interface = "${HOST}"
log-level = 4

group = sendsms-user
username = ${USER}
password = ${PASSWORD}
`;
}

/** The last 2 kB of a box's stderr, for the error when it never comes up. */
function collect(child: ChildProcess): () => string {
  let out = '';
  child.stderr!.setEncoding('latin1').on('data', (d: string) => (out = (out + d).slice(-2000)));
  return () => out.trim();
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject).listen(0, HOST, () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST, () => {
      socket.destroy();
      resolve(true);
    }).once('error', () => resolve(false));
  });
}

async function waitFor(ready: () => boolean | Promise<boolean>, what: () => string): Promise<void> {
  for (const deadline = performance.now() + READY_TIMEOUT_MS; !(await ready()); ) {
    if (performance.now() > deadline) throw new Error(`Kannel baseline: timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** CPU seconds all processes of the machine have been busy (not idle, not waiting for I/O) since boot. */
function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [usr, nice, sys, , , irq, softirq, steal] = ticks as number[];
  return (usr! + nice! + sys! + irq! + softirq! + steal!) / 100;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
  } catch {
    return NaN;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process group (bearerbox shuts down cleanly on it), SIGKILL after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

if (require.main === module) {
  const n = Number(process.env.N ?? 20_000);
  const inFlight = Number(process.env.IN_FLIGHT ?? 64);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  runKannel({ n, inFlight }).then(
    (run) => {
      if (!run) process.exit(2);
      const cpu = [...Object.entries(run.cpu), ['client (node)', run.clientCpu] as const, ['other processes', run.othersCpu] as const]
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ');
      process.stdout.write(
        `Kannel 1.4.5 sendsms → file store → fakesmsc: N ${n}, in flight ${inFlight}, load at start ${load}\n` +
          `end to end ${Math.round(run.rate)} msg/s (${run.delivered} delivered), HTTP accepted ${Math.round(run.acceptRate)} req/s` +
          ` (${run.failedRequests} failed); CPU ${cpu}; store file peak ${(run.peakStoreBytes / 1e6).toFixed(1)} MB\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
