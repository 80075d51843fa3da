import { z } from 'zod';
import { baseServiceEnv, ConfigError, parseEnv, serviceConfigOf, type ServiceConfig } from '@dailydesk/service-kit';

const int = (min: number, def: number) => z.coerce.number().int().min(min).default(def);

const Env = baseServiceEnv(3004).extend({
  SMS_ENABLED: z.enum(['true', 'false']).default('false'),
  SMS_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMS_USERNAME: z.string().min(1).optional(),
  SMS_PASSWORD: z.string().min(1).optional(),
  /** Receipts' public webhook (with its token): sr_url and sms_url of every send-sms. */
  RECEIPTS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(10),
  /** Sends per port per rolling minute; 0 = pacing off. */
  SMS_PORT_PER_MINUTE: int(0, 4),
  /** Sends per SIM per UTC day; 0 = no cap. */
  SMS_SIM_DAILY_CAP: int(0, 300),
  SMS_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  SMS_MAX_POSTS_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(4),
  SMS_MAX_OUTSTANDING_TASKS: int(1, 2000),
  SMS_GATEWAY_TIMEOUT_MS: int(100, 15_000),
  SMS_STATUS_REFRESH_MS: int(100, 30_000),
  SMS_MAX_ATTEMPTS: int(1, 5),
  SMS_RETRY_BASE_MS: int(1, 1000),
  SMS_CIRCUIT_THRESHOLD: int(1, 3),
  SMS_CIRCUIT_COOLDOWN_MS: int(1, 2000),
  SMS_CIRCUIT_MAX_COOLDOWN_MS: int(1, 60_000),
  // SendSms handled at once (and the consumer's max_ack_pending): more makes bigger intake batches. Measured (bench,
  // ONLY=drain N=40000, alternated): 256 → 5.0-5.4k msg/s with 40 % more PostgreSQL CPU, 1024 → 6.2-6.6k, 4096 →
  // 6.7-6.8k. The cost is memory (~5 KB per request in flight) and what a crash hands back for redelivery (idempotent).
  SMS_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(4096),
  /**
   * How long a task whose POST outcome is unknown, and which the gateway no longer lists, waits for a status report
   * before it is resent with the same tid. Above the gateway's report periods: per task `sr_prd` (vendor default
   * 60 s) plus the per-URL report cache `sr_prd` dispatch requests (30 s).
   */
  SMS_REPORT_GRACE_MS: int(0, 100_000),
  /** Days an audit row of a gateway call (gateway_calls) is kept; 0 = forever. Pruned hourly by the leading replica. */
  SMS_AUDIT_RETENTION_DAYS: int(0, 90),
});

/** The dispatcher's own settings (besides the common {@link ServiceConfig}). */
export interface DispatchConfig {
  readonly enabled: boolean;
  readonly gateway: { readonly baseUrl: string; readonly username: string; readonly password: string } | null;
  readonly receiptsWebhookUrl: string | undefined;
  readonly maxSegments: number;
  readonly portPerMinute: number | null;
  readonly simDailyCap: number | null;
  readonly batchSize: number;
  readonly maxPostsInFlight: number;
  readonly maxOutstandingTasks: number;
  readonly gatewayTimeoutMs: number;
  readonly statusRefreshMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly circuitThreshold: number;
  readonly circuitCooldownMs: number;
  readonly circuitMaxCooldownMs: number;
  readonly intakeConcurrency: number;
  /** Wait for a status report before resending a task whose POST outcome is unknown (ms; 0 = resend at once). */
  readonly reportGraceMs: number;
  /** Days gateway_calls rows are kept; 0 = forever. */
  readonly auditRetentionDays: number;
}

export interface SmsDispatchConfig {
  readonly service: ServiceConfig;
  readonly dispatch: DispatchConfig;
}

/** Parses the environment once; throws a ConfigError naming each bad variable (never echoing a value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SmsDispatchConfig {
  const e = parseEnv('sms-dispatch', Env, env);
  const enabled = e.SMS_ENABLED === 'true';
  const problems: string[] = [];
  if (enabled) {
    for (const k of ['SMS_BASE_URL', 'SMS_USERNAME', 'SMS_PASSWORD'] as const) if (!e[k]) problems.push(`${k}: is required when SMS_ENABLED=true`);
  }
  if (problems.length > 0) throw new ConfigError('sms-dispatch', problems);
  const gateway = e.SMS_BASE_URL && e.SMS_USERNAME && e.SMS_PASSWORD ? { baseUrl: e.SMS_BASE_URL, username: e.SMS_USERNAME, password: e.SMS_PASSWORD } : null;
  return Object.freeze({
    service: serviceConfigOf(e),
    dispatch: Object.freeze({
      enabled,
      gateway,
      receiptsWebhookUrl: e.RECEIPTS_WEBHOOK_URL,
      maxSegments: e.SMS_MAX_SEGMENTS,
      portPerMinute: e.SMS_PORT_PER_MINUTE === 0 ? null : e.SMS_PORT_PER_MINUTE,
      simDailyCap: e.SMS_SIM_DAILY_CAP === 0 ? null : e.SMS_SIM_DAILY_CAP,
      batchSize: e.SMS_BATCH_SIZE,
      maxPostsInFlight: e.SMS_MAX_POSTS_IN_FLIGHT,
      maxOutstandingTasks: e.SMS_MAX_OUTSTANDING_TASKS,
      gatewayTimeoutMs: e.SMS_GATEWAY_TIMEOUT_MS,
      statusRefreshMs: e.SMS_STATUS_REFRESH_MS,
      maxAttempts: e.SMS_MAX_ATTEMPTS,
      retryBaseMs: e.SMS_RETRY_BASE_MS,
      circuitThreshold: e.SMS_CIRCUIT_THRESHOLD,
      circuitCooldownMs: e.SMS_CIRCUIT_COOLDOWN_MS,
      circuitMaxCooldownMs: e.SMS_CIRCUIT_MAX_COOLDOWN_MS,
      intakeConcurrency: e.SMS_INTAKE_CONCURRENCY,
      reportGraceMs: e.SMS_REPORT_GRACE_MS,
      auditRetentionDays: e.SMS_AUDIT_RETENTION_DAYS,
    }),
  });
}
