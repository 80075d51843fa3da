import { z } from 'zod';
import { baseServiceEnv, parseEnv, serviceConfigOf, type ServiceConfig } from '@dailydesk/service-kit';

const Env = baseServiceEnv(3005).extend({
  /** Secret the gateway puts in the callback URL (`?token=` or a path segment). */
  RECEIPTS_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Largest callback body accepted, bytes. */
  RECEIPTS_BODY_LIMIT: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  /** How often inbound SMS are pulled from the gateway (goip_get_sms) to recover lost pushes; 0 = never. */
  RECEIPTS_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * Where the processor, projections and relay run with PostgreSQL: `inline` (the main thread) or `worker` (two
   * worker threads, the webhook keeps the main event loop). Inline by default: on the 2-core development machines,
   * shared with PostgreSQL and NATS, the threads did not make the pipeline faster (see the README's benchmark).
   * PGlite is one in-process database: always inline.
   */
  RECEIPTS_PIPELINE: z.enum(['worker', 'inline']).default('inline'),
  SMS_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMS_USERNAME: z.string().min(1).optional(),
  SMS_PASSWORD: z.string().min(1).optional(),
});

/** The gateway the reconciler pulls from, when configured. */
export interface GatewayConfig {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
}

/** The receipts service configuration. */
export interface ReceiptsConfig extends ServiceConfig {
  readonly webhookToken: string;
  readonly bodyLimit: number;
  readonly reconcileIntervalMs: number;
  /** The processor, projections and relay run in worker threads (PostgreSQL and RECEIPTS_PIPELINE=worker). */
  readonly pipelineWorker: boolean;
  /** null when SMS_BASE_URL / SMS_USERNAME / SMS_PASSWORD are not all set: reconciliation is off. */
  readonly gateway: GatewayConfig | null;
}

/** Parses the environment once; throws a ConfigError naming every bad variable (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ReceiptsConfig {
  const e = parseEnv('receipts', Env, env);
  const gateway =
    e.SMS_BASE_URL && e.SMS_USERNAME && e.SMS_PASSWORD
      ? { baseUrl: e.SMS_BASE_URL, username: e.SMS_USERNAME, password: e.SMS_PASSWORD }
      : null;
  return Object.freeze({
    ...serviceConfigOf(e),
    webhookToken: e.RECEIPTS_WEBHOOK_TOKEN,
    bodyLimit: e.RECEIPTS_BODY_LIMIT,
    reconcileIntervalMs: e.RECEIPTS_RECONCILE_INTERVAL_MS,
    pipelineWorker: Boolean(e.DATABASE_URL) && e.RECEIPTS_PIPELINE === 'worker',
    gateway: gateway ? Object.freeze(gateway) : null,
  });
}
