/**
 * `npm start`: the whole DailyDesk platform on one machine.
 *
 * Each service runs as its own CHILD PROCESS (node -r @swc-node/register services/<svc>/src/main.ts), not all in
 * this process: a crash in one service cannot take the others down, each process has its own Prometheus and
 * health registries (they are process-global), and it is the shape production has (one container / pod per
 * service), so what works here works there. This process only supervises: it finds or starts NATS, runs the
 * gateway simulator in-process (so it can be pointed at receipts' webhook), prefixes each child's log lines with
 * its name, restarts a crashed child with backoff, and on Ctrl-C stops every child (SIGTERM, wait, SIGKILL).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import path from 'node:path';
import { startSimulator, type Simulator } from '@dailydesk/skyline';
import { SupervisedChild } from './child-supervisor';
import { prefixOf } from './log-prefixer';
import { findNatsServer, howToGetNats, localNatsAddress, natsServerChild, probeNats } from './nats-bootstrap';
import { gatewayUrl, loadPlatformConfig, ROOT_DIR, serviceEnv, serviceUrl, webhookUrl, type PlatformConfig } from './platform-config';
import { renderSummary, type InfraStatus, type ServiceStatus } from './platform-summary';
import { waitForReady } from './readiness';

const WIDTH = 'sms-dispatch'.length;
const out = (line: string) => process.stdout.write(`${line}\n`);
const say = (message: string) => out(`${prefixOf('runner', WIDTH, 7)} ${message}`);
const numberEnv = (key: string, fallback: number) => (process.env[key] ? Number(process.env[key]) : fallback);

function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host, timeout: 500 });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function ensureNats(config: PlatformConfig, children: SupervisedChild[]): Promise<InfraStatus['nats']> {
  const probe = await probeNats(config.natsUrl);
  if (probe.kind === 'jetstream') return 'found';
  if (probe.kind === 'no-jetstream') {
    throw new Error(`NATS at ${config.natsUrl} answers but JetStream is not enabled (${probe.reason}). Restart it with \`nats-server -js\`.`);
  }
  const address = localNatsAddress(config.natsUrl);
  const binary = findNatsServer();
  if (!address || !binary) throw new Error(howToGetNats(config.natsUrl, address ? probe.reason : `${probe.reason}; not a local address`));
  say(`no NATS at ${config.natsUrl}: starting ${binary} with JetStream`);
  const nats = new SupervisedChild({ ...natsServerChild(binary, address, config.dataDir), prefix: prefixOf('nats', WIDTH, 6) }, out, say);
  children.push(nats);
  nats.start();
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if ((await probeNats(config.natsUrl, 1_000)).kind === 'jetstream') return 'started';
    if (nats.state === 'failed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nats-server did not answer with JetStream at ${config.natsUrl} within 15 s (see its [nats] lines above)`);
}

async function startGatewaySimulator(config: PlatformConfig): Promise<Simulator | null> {
  if (!config.gateway.simulate) return null;
  try {
    // Callbacks go to receipts: status reports (also when a send-sms names no sr_url), inbound SMS and DLRs.
    return await startSimulator({
      port: config.gateway.simPort,
      host: '127.0.0.1',
      username: config.gateway.username,
      password: config.gateway.password,
      srUrl: webhookUrl(config),
      smsUrl: webhookUrl(config),
      sendTimeMs: numberEnv('SIM_SEND_TIME_MS', 0),
      dlrDelayMs: numberEnv('SIM_DLR_DELAY_MS', 2_000),
      timeScale: numberEnv('SIM_TIME_SCALE', 1),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${config.gateway.simPort} is in use: stop what runs there or set SIM_PORT`);
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadPlatformConfig();
  const children: SupervisedChild[] = [];
  let sim: Simulator | null = null;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping: SIGTERM to every child, SIGKILL after 10 s');
    const services = children.filter((c) => c.spec.name !== 'nats');
    await Promise.all(services.map((c) => c.stop(10_000)));
    await sim?.close();
    // NATS last, so services can drain and acknowledge in-flight messages.
    await Promise.all(children.filter((c) => c.spec.name === 'nats').map((c) => c.stop(10_000)));
    say('all stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const nats = await ensureNats(config, children);
    sim = await startGatewaySimulator(config);
    const statuses: Array<{ status: ServiceStatus; child?: SupervisedChild }> = [];
    for (const [i, spec] of config.services.entries()) {
      if (!existsSync(spec.entry)) {
        say(`${spec.name}: not built yet (${path.relative(ROOT_DIR, spec.entry)} missing) — skipped`);
        statuses.push({ status: { spec, launch: 'not-built' } });
        continue;
      }
      if (await portAnswers(spec.port)) {
        say(`${spec.name}: port ${spec.port} is already in use (another \`npm start\`?) — skipped; set ${spec.name.toUpperCase().replace('-', '_')}_PORT to move it`);
        statuses.push({ status: { spec, launch: 'port-busy' } });
        continue;
      }
      const child = new SupervisedChild(
        {
          name: spec.name,
          command: process.execPath,
          args: ['-r', '@swc-node/register', spec.entry],
          env: serviceEnv(config, spec),
          cwd: ROOT_DIR,
          prefix: prefixOf(spec.name, WIDTH, i),
          // A service mid-construction whose main.ts requires files that do not exist yet: restarting cannot help.
          fatalOutput: /Cannot find module '\.{1,2}\//,
        },
        out,
        say,
      );
      children.push(child);
      child.start();
      statuses.push({ status: { spec, launch: 'started' }, child });
    }

    const started = statuses.filter((s) => s.child).map((s) => ({ name: s.status.spec.name, url: serviceUrl(config, s.status.spec.name) }));
    const byName = new Map(statuses.map((s) => [s.status.spec.name as string, s.child]));
    const ready = await waitForReady(started, numberEnv('STARTUP_TIMEOUT_MS', 180_000), (name) => byName.get(name)?.state === 'failed');
    const final: ServiceStatus[] = statuses.map(({ status, child }) => ({
      ...status,
      child: child ? { state: child.state, restarts: child.restarts, pid: child.pid, fatal: child.fatalLine } : undefined,
      readiness: ready.get(status.spec.name),
    }));

    writeFileSync(
      path.join(config.dataDir, 'platform.json'),
      `${JSON.stringify(
        {
          startedAt: new Date().toISOString(),
          natsUrl: config.natsUrl,
          natsNamespace: config.natsNamespace,
          gatewayUrl: gatewayUrl(config),
          simulatorUrl: sim?.url ?? null,
          webhookUrl: webhookUrl(config),
          cronApiKey: config.secrets.cronApiKey,
          services: Object.fromEntries(final.map((s) => [s.spec.name, { url: serviceUrl(config, s.spec.name), launch: s.launch, ready: s.readiness?.ready ?? false }])),
        },
        null,
        2,
      )}\n`,
      { mode: 0o600 },
    );
    out(renderSummary(config, { nats, simulatorUrl: sim?.url ?? null }, final));
  } catch (err) {
    out(`\n${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}

void main();
