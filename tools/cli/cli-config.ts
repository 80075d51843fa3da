import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './cli-errors';

/** The services the CLI talks to over HTTP. */
export type ServiceName = 'scheduler' | 'sms-dispatch' | 'receipts';

/** Where the running platform is: NATS and each service's base URL. */
export interface CliConfig {
  readonly natsUrl: string;
  readonly natsNamespace: string;
  readonly services: Readonly<Record<ServiceName, string>>;
  /** Where the values came from, for error messages ("is `npm start` running?"). */
  readonly platformFile: string | null;
}

/** Global options as commander parses them (each one overrides env and `.data/platform.json`). */
export interface GlobalOptions {
  natsUrl?: string;
  namespace?: string;
  dataDir?: string;
  schedulerUrl?: string;
  smsDispatchUrl?: string;
  receiptsUrl?: string;
}

const DEFAULT_PORTS: Record<ServiceName, number> = { scheduler: 3001, 'sms-dispatch': 3004, receipts: 3005 };
const ENV_URL: Record<ServiceName, string> = { scheduler: 'SCHEDULER_URL', 'sms-dispatch': 'SMS_DISPATCH_URL', receipts: 'RECEIPTS_URL' };
const FLAG_URL: Record<ServiceName, keyof GlobalOptions> = { scheduler: 'schedulerUrl', 'sms-dispatch': 'smsDispatchUrl', receipts: 'receiptsUrl' };

interface PlatformFile {
  natsUrl?: string;
  natsNamespace?: string;
  services?: Partial<Record<string, { url?: string }>>;
}

const ROOT_DIR = path.resolve(__dirname, '../..');

function readPlatformFile(file: string): PlatformFile | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlatformFile;
  } catch {
    throw new CliError(`${file} is not valid JSON: restart the platform (\`npm start\` rewrites it) or pass the URLs as flags`);
  }
}

/**
 * Flag, else environment, else `DATA_DIR/platform.json` written by `npm start`, else the local defaults
 * (NATS on 127.0.0.1:4222, services on ports 3001–3005, no namespace).
 */
export function resolveConfig(options: GlobalOptions, env: NodeJS.ProcessEnv): CliConfig {
  const dataDir = path.resolve(ROOT_DIR, options.dataDir || env.DATA_DIR || '.data');
  const file = path.join(dataDir, 'platform.json');
  const stored = readPlatformFile(file);
  const service = (name: ServiceName): string => {
    const url = (options[FLAG_URL[name]] as string | undefined) || env[ENV_URL[name]] || stored?.services?.[name]?.url || `http://127.0.0.1:${DEFAULT_PORTS[name]}`;
    return url.replace(/\/+$/, '');
  };
  return {
    natsUrl: options.natsUrl || env.NATS_URL || stored?.natsUrl || 'nats://127.0.0.1:4222',
    natsNamespace: options.namespace ?? env.NATS_NAMESPACE ?? stored?.natsNamespace ?? '',
    services: { scheduler: service('scheduler'), 'sms-dispatch': service('sms-dispatch'), receipts: service('receipts') },
    platformFile: stored ? file : null,
  };
}

/** How to get the platform running, appended to every "does not answer" error. */
export function startHint(config: CliConfig): string {
  return config.platformFile
    ? `Is the platform still running? \`npm start\` wrote ${path.relative(process.cwd(), config.platformFile) || config.platformFile}.`
    : 'Start the platform with `npm start` (it writes .data/platform.json), or pass the URL as a flag / environment variable.';
}
