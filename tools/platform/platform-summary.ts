import path from 'node:path';
import type { ChildState } from './child-supervisor';
import { ROOT_DIR, serviceUrl, webhookUrl, type PlatformConfig, type ServiceSpec } from './platform-config';
import type { Readiness } from './readiness';

/** What the runner knows about one service after start-up. */
export interface ServiceStatus {
  readonly spec: ServiceSpec;
  /** `not-built`: no services/<svc>/src/main.ts yet; `port-busy`: something else answers on its port. */
  readonly launch: 'started' | 'not-built' | 'port-busy';
  readonly child?: { state: ChildState; restarts: number; pid: number | undefined; fatal: string | null };
  readonly readiness?: Readiness;
}

/** Where the infrastructure came from. */
export interface InfraStatus {
  readonly nats: 'found' | 'started';
  readonly simulatorUrl: string | null;
}

const rel = (p: string) => {
  const r = path.relative(ROOT_DIR, p);
  return r.startsWith('..') ? p : r || '.';
};

/** Hides the password of a database URL. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/** The webhook URL with its token shortened: the full one is in DATA_DIR/platform.json. */
export function maskedWebhookUrl(config: PlatformConfig): string {
  const token = config.secrets.receiptsWebhookToken;
  return webhookUrl(config).replace(encodeURIComponent(token), `${token.slice(0, 4)}…`);
}

function stateOf(s: ServiceStatus): string {
  if (s.launch === 'not-built') return 'not built yet';
  if (s.launch === 'port-busy') return 'port in use';
  if (s.readiness?.ready) return 'ready';
  if (s.child?.state === 'failed') return s.child.fatal ? 'incomplete' : 'crashed';
  return 'not ready';
}

/** The block printed once everything was started: where each piece is and how to reach it. */
export function renderSummary(config: PlatformConfig, infra: InfraStatus, services: readonly ServiceStatus[]): string {
  const lines: string[] = [];
  const running = services.filter((s) => s.launch === 'started').length;
  lines.push('', `DailyDesk platform — ${running} of ${services.length} services started as child processes (Ctrl-C stops all)`, '');
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(26)} ${v}`);
  row('NATS (JetStream)', `${config.natsUrl}${infra.nats === 'started' ? `  (started by the runner, store in ${rel(path.join(config.dataDir, 'nats'))})` : '  (already running)'}`);
  if (config.natsNamespace) row('NATS namespace', config.natsNamespace);
  row('event store', config.databaseUrl ? `PostgreSQL ${maskDatabaseUrl(config.databaseUrl)}` : `embedded PGlite, one folder per service under ${rel(config.dataDir)}/`);
  row('gateway', infra.simulatorUrl ? `simulator ${infra.simulatorUrl} (user ${config.gateway.username})` : `real gateway from SMS_BASE_URL (SMS_ENABLED=${config.gateway.enabled})`);
  if (infra.simulatorUrl) {
    row('simulator control', `${infra.simulatorUrl}/_sim/state   (also /_sim/requests, /_sim/callbacks; POST /_sim/flush)`);
  }
  row('gateway webhook → receipts', maskedWebhookUrl(config));
  row('analyst API (receipts)', `${serviceUrl(config, 'receipts')}   (endpoints: services/receipts/README.md)`);
  row('campaigns API', serviceUrl(config, 'campaigns'));
  row('scheduler cron API', `${serviceUrl(config, 'scheduler')}/crons/*  (API key in ${rel(path.join(config.dataDir, 'platform-secrets.json'))})`);
  row('full URLs and secrets', rel(path.join(config.dataDir, 'platform.json')));
  lines.push('', `  ${'service'.padEnd(14)} ${'state'.padEnd(14)} ${'metrics'.padEnd(32)} health`);
  for (const s of services) {
    const url = serviceUrl(config, s.spec.name);
    const restarts = s.child && s.child.restarts > 0 ? ` (${s.child.restarts} restarts)` : '';
    if (s.launch === 'not-built') {
      lines.push(`  ${s.spec.name.padEnd(14)} ${stateOf(s).padEnd(14)} (skipped: ${rel(s.spec.entry)} does not exist yet)`);
      continue;
    }
    lines.push(`  ${s.spec.name.padEnd(14)} ${(stateOf(s) + restarts).padEnd(14)} ${`${url}/metrics`.padEnd(32)} ${url}/health/ready`);
    if (s.child?.fatal) lines.push(`  ${''.padEnd(14)} ${''.padEnd(14)} not restarted: ${s.child.fatal}`);
    else if (s.readiness && !s.readiness.ready) lines.push(`  ${''.padEnd(14)} ${''.padEnd(14)} last answer: ${s.readiness.reason}`);
  }
  lines.push('', '  Try it: `npm run demo` in another terminal.', '');
  return lines.join('\n');
}
