import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root (tools/platform/ → ../..). */
export const ROOT_DIR = path.resolve(__dirname, '../..');

/** One service of the platform, as the runner starts it. */
export interface ServiceSpec {
  readonly name: 'scheduler' | 'appointments' | 'campaigns' | 'sms-dispatch' | 'receipts';
  readonly port: number;
  /** services/<name>/src/main.ts, absolute. */
  readonly entry: string;
}

/** Everything the runner and the demo need to know about one installation on this machine. */
export interface PlatformConfig {
  readonly dataDir: string;
  readonly natsUrl: string;
  readonly natsNamespace: string;
  readonly databaseUrl: string | undefined;
  readonly logLevel: string;
  readonly httpHost: string;
  readonly services: readonly ServiceSpec[];
  /** Gateway: the simulator's (started by the runner) unless SMS_BASE_URL names a real one. */
  readonly gateway: { readonly baseUrl: string | undefined; readonly simulate: boolean; readonly simPort: number; readonly username: string; readonly password: string; readonly enabled: string };
  readonly secrets: PlatformSecrets;
}

/** Secrets the runner generates once and keeps under DATA_DIR so a restart keeps the same webhook URL. */
export interface PlatformSecrets {
  readonly receiptsWebhookToken: string;
  readonly cronApiKey: string;
  /** Password of the simulator the runner starts (a real gateway's comes from SMS_PASSWORD). */
  readonly simulatorPassword: string;
}

const DEFAULT_PORTS: Record<ServiceSpec['name'], number> = {
  scheduler: 3001,
  appointments: 3002,
  campaigns: 3003,
  'sms-dispatch': 3004,
  receipts: 3005,
};

const envKey = (name: string) => `${name.toUpperCase().replace(/-/g, '_')}_PORT`;

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${key} must be a TCP port (1-65535)`);
  return n;
}

/** Reads the runner's configuration from `env`; creates DATA_DIR and the secrets file when missing. */
export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const dataDir = path.resolve(ROOT_DIR, env.DATA_DIR || '.data');
  mkdirSync(dataDir, { recursive: true });
  const services = (Object.keys(DEFAULT_PORTS) as Array<ServiceSpec['name']>).map((name) => ({
    name,
    port: port(env, envKey(name), DEFAULT_PORTS[name]),
    entry: path.join(ROOT_DIR, 'services', name, 'src', 'main.ts'),
  }));
  const baseUrl = env.SMS_BASE_URL || undefined;
  const secrets = loadSecrets(dataDir, env);
  return Object.freeze({
    dataDir,
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    natsNamespace: env.NATS_NAMESPACE ?? '',
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    httpHost: env.HTTP_HOST || '127.0.0.1',
    services,
    gateway: {
      baseUrl,
      simulate: baseUrl === undefined,
      simPort: port(env, 'SIM_PORT', 9991),
      username: env.SMS_USERNAME || 'root',
      // A real gateway's password comes from the environment; the simulator's is generated once (platform-secrets.json).
      password: env.SMS_PASSWORD || (baseUrl === undefined ? secrets.simulatorPassword : ''),
      enabled: env.SMS_ENABLED || 'true',
    },
    secrets,
  });
}

/**
 * Environment values win; otherwise the values stored in DATA_DIR/platform-secrets.json (mode 0600); otherwise
 * fresh random ones, stored there. The gateway is configured once with the webhook URL, so it must survive restarts.
 */
export function loadSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): PlatformSecrets {
  const file = path.join(dataDir, 'platform-secrets.json');
  let stored: Partial<PlatformSecrets> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformSecrets>;
    } catch {
      throw new Error(`${file} is not valid JSON: fix or delete it (a new webhook token is generated then)`);
    }
  }
  const fresh = () => randomBytes(24).toString('base64url');
  const secrets: PlatformSecrets = {
    receiptsWebhookToken: env.RECEIPTS_WEBHOOK_TOKEN || stored.receiptsWebhookToken || fresh(),
    cronApiKey: env.CRON_API_KEY || stored.cronApiKey || fresh(),
    simulatorPassword: stored.simulatorPassword || fresh(),
  };
  if ((Object.keys(secrets) as Array<keyof PlatformSecrets>).some((k) => secrets[k] !== stored[k])) {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** `http://host:port` of a service as seen from this machine. */
export function serviceUrl(config: PlatformConfig, name: ServiceSpec['name']): string {
  const spec = config.services.find((s) => s.name === name)!;
  const host = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? '127.0.0.1' : config.httpHost;
  return `http://${host}:${spec.port}`;
}

/** Where receipts takes gateway callbacks (status reports, inbound SMS, delivery reports). */
export function webhookUrl(config: PlatformConfig): string {
  return `${serviceUrl(config, 'receipts')}/sms-gateway/handle-serverless?token=${encodeURIComponent(config.secrets.receiptsWebhookToken)}`;
}

/** The gateway base URL the services use: the real one or the runner's simulator. */
export function gatewayUrl(config: PlatformConfig): string {
  return config.gateway.baseUrl ?? `http://127.0.0.1:${config.gateway.simPort}`;
}

const SECRET_KEYS = ['SMS_BASE_URL', 'SMS_USERNAME', 'SMS_PASSWORD', 'SMS_ENABLED', 'RECEIPTS_WEBHOOK_URL', 'RECEIPTS_WEBHOOK_TOKEN', 'CRON_API_KEY'];

/** V8 options of the sms-dispatch process (also in docker-compose.yml and deploy/): 32 MB semi-spaces. */
export const SMS_DISPATCH_NODE_OPTIONS = '--max-semi-space-size=32';
/**
 * V8 options of the campaigns process (also in docker-compose.yml and deploy/): a 384 MB old generation. Without a
 * cap V8 sizes the heap from the machine's memory and lets a 100k-recipient run's garbage pile up (peak heap used
 * 157-232 MB, RSS 301-409 MB); with it, 86-89 MB and 235-246 MB, the run 5-15 % slower (services/campaigns/README.md).
 */
export const CAMPAIGNS_NODE_OPTIONS = '--max-old-space-size=384';

/** The environment of one service's child process (the contract every services/<svc>/src/config.ts reads). */
export function serviceEnv(config: PlatformConfig, spec: ServiceSpec, parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...parent,
    NATS_URL: config.natsUrl,
    NATS_NAMESPACE: config.natsNamespace,
    DATA_DIR: config.dataDir,
    HTTP_HOST: config.httpHost,
    PORT: String(spec.port),
    LOG_LEVEL: config.logLevel,
  };
  // Each secret reaches only the service that needs it, even when the operator exported it for the runner.
  for (const key of SECRET_KEYS) delete env[key];
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  else delete env.DATABASE_URL;
  switch (spec.name) {
    case 'sms-dispatch':
      // Larger young generation: less GC on its hot path (see services/sms-dispatch/README.md, Benchmark).
      env.NODE_OPTIONS = [parent.NODE_OPTIONS, SMS_DISPATCH_NODE_OPTIONS].filter(Boolean).join(' ');
      Object.assign(env, {
        SMS_BASE_URL: gatewayUrl(config),
        SMS_USERNAME: config.gateway.username,
        SMS_PASSWORD: config.gateway.password,
        SMS_ENABLED: config.gateway.enabled,
        RECEIPTS_WEBHOOK_URL: webhookUrl(config),
      });
      break;
    case 'receipts':
      env.RECEIPTS_WEBHOOK_TOKEN = config.secrets.receiptsWebhookToken;
      break;
    case 'scheduler':
      env.CRON_API_KEY = config.secrets.cronApiKey;
      // On one machine campaigns are checked every minute (production: every 15), so a demo campaign goes out
      // within a minute of its send time instead of up to fifteen.
      env.SCHEDULE_CAMPAIGNS = parent.SCHEDULE_CAMPAIGNS || '* * * * *';
      break;
    case 'campaigns':
      env.NODE_OPTIONS = [parent.NODE_OPTIONS, CAMPAIGNS_NODE_OPTIONS].filter(Boolean).join(' ');
      env.RECEIPTS_PUBLIC_URL = serviceUrl(config, 'receipts');
      break;
    default:
      break;
  }
  return env;
}
